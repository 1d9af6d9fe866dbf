"""Images: list them and find the one a name means."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from osops.models import Image
from osops.resolve import resolve

if TYPE_CHECKING:
    from openstack.connection import Connection

NOT_BOOTABLE = "kernel, ramdisk and inactive images are left out"


def list_images(conn: Connection) -> list[Image]:
    """All images the user can see, as :class:`~osops.models.Image`."""
    return [Image.from_sdk(img) for img in conn.image.images()]


def image_names(conn: Connection) -> dict[str, str]:
    """{image id: name} of every image the user can see (one list call)."""
    return {i.id: i.name for i in list_images(conn)}


def find_image(conn: Connection, name_or_id: str, images: list[Image] | None = None) -> Image:
    """The one active, bootable image *name_or_id* names."""
    images = list_images(conn) if images is None else images
    return resolve("image", name_or_id, [i for i in images if i.bootable], NOT_BOOTABLE)


def names_by_id(conn: Connection, image_ids: Iterable[str]) -> dict[str, str | None]:
    """{image id: name, or None when Glance no longer has it (deleted)}:
    one GET per distinct id, each asked once per call."""
    from openstack.exceptions import NotFoundException

    names: dict[str, str | None] = {}
    for image_id in dict.fromkeys(i for i in image_ids if i):
        try:
            names[image_id] = conn.image.get_image(image_id).name or ""
        except NotFoundException:
            names[image_id] = None
    return names
