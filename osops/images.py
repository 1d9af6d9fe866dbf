"""Images: list them and find the one a name means."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING

from osops import raw_list
from osops.models import Image
from osops.resolve import resolve

if TYPE_CHECKING:
    from openstack.connection import Connection

NOT_BOOTABLE = "kernel, ramdisk and inactive images are left out"
UUID = re.compile(r"^[0-9a-fA-F]{8}-?([0-9a-fA-F]{4}-?){3}[0-9a-fA-F]{12}$")


def list_images(conn: Connection) -> list[Image]:
    """All images the user can see, as :class:`~osops.models.Image`
    (one request per page of up to 1000)."""
    return [Image.from_api(row) for row in raw_list.rows(_pages(conn))]


def image_names(conn: Connection) -> dict[str, str]:
    """{image id: name} of every image the user can see (one list call)."""
    return {i.id: i.name for i in list_images(conn)}


def find_image(conn: Connection, name_or_id: str, images: list[Image] | None = None) -> Image:
    """The one active, bootable image *name_or_id* names.

    Without *images*, an id (a UUID) is asked for by itself first, then
    the images of exactly that name (Glance's ``name`` filter): one small
    GET each instead of the list, which is read only when neither finds
    the one bootable image (a prefix, a substring, an ambiguous name).
    """
    if images is None:
        found = _by_id(conn, name_or_id) or _by_name(conn, name_or_id)
        if found is not None and found.bootable:
            return found
        images = list_images(conn)
    return resolve("image", name_or_id, [i for i in images if i.bootable], NOT_BOOTABLE)


def names_by_id(conn: Connection, image_ids: Iterable[str]) -> dict[str, str | None]:
    """{image id: name, or None when Glance no longer has it (deleted)}:
    one GET per distinct id, each asked once per call."""
    from openstack.exceptions import NotFoundException

    names: dict[str, str | None] = {}
    for image_id in dict.fromkeys(i for i in image_ids if i):
        try:
            names[image_id] = raw_list.get_one(conn.image, f"/images/{image_id}", "").get("name") or ""
        except NotFoundException:
            names[image_id] = None
    return names


def _pages(conn: Connection) -> Iterator[list[raw_list.Row]]:
    return raw_list.pages(conn.image, "/images", "images", {"limit": raw_list.GLANCE_PAGE})


def _by_name(conn: Connection, query: object) -> Image | None:
    """The one bootable image named exactly *query*, or None (none,
    several, or a name Glance's filter refuses: "in:a,b" is its own syntax)."""
    from openstack.exceptions import BadRequestException

    if not isinstance(query, str) or not query.strip():
        return None
    listed = raw_list.pages(conn.image, "/images", "images", {"name": query, "limit": raw_list.GLANCE_PAGE})
    try:
        named = [i for i in map(Image.from_api, raw_list.rows(listed)) if i.bootable and i.name == query]
    except BadRequestException:
        return None
    return named[0] if len(named) == 1 else None


def _by_id(conn: Connection, query: object) -> Image | None:
    """The image whose id is *query*, when it looks like one and Glance has it."""
    from openstack.exceptions import NotFoundException

    if not isinstance(query, str) or not UUID.match(query):
        return None
    try:
        return Image.from_api(raw_list.get_one(conn.image, f"/images/{query}", ""))
    except NotFoundException:
        return None
