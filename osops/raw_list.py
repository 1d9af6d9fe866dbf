"""Lists read as the services' JSON rows, not as openstacksdk Resource objects.

openstacksdk still authenticates, finds the endpoint and negotiates the
microversion (through its service proxy, ``conn.image`` or
``conn.compute``); this module sends the GET of each page and follows the
next link the service gives (Glance's ``next``, Nova's ``<key>_links``),
one request per page.  Building a Resource costs about as much per row as
the rest of the list together, and osops reads a few fields of each.
"""

from __future__ import annotations

import urllib.parse
from collections.abc import Collection, Iterable, Iterator, Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from openstack.proxy import Proxy

# The largest page Glance (api_limit_max) allows by default; Glance gives
# at most its configured maximum for any larger limit.  Nova pages at its
# maximum ([api] max_limit) when no limit is asked, so its lists send none.
GLANCE_PAGE = 1000
Row = dict[str, Any]
Query = Mapping[str, Any]


def pages(proxy: Proxy, path: str, key: str, params: Query | None = None,
          microversion: str | None = None) -> Iterator[list[Row]]:
    """The rows under *key* of each page of the list at *path*
    (``/servers/detail``), one GET per page, until a page has no next link.
    An HTTP error raises openstacksdk's exception for it."""
    from openstack import exceptions

    url: str | None = path
    query: dict[str, Any] = dict(params or {})
    asked = set()
    while url:
        asked.add(_key(url, query))
        response = proxy.get(url, params=query, microversion=microversion, headers={"Accept": "application/json"})
        exceptions.raise_from_response(response)
        data = response.json()
        yield list(data.get(key) or ())
        url, given = next_page(data, key)
        # as openstacksdk does: the filters asked stay, the next link's marker and limit replace ours
        query = {**{k: v for k, v in query.items() if k not in ("marker", "limit")}, **given}
        if url and _key(url, query) in asked:
            raise exceptions.SDKException(f"endless pagination: {url} was asked already")


def next_page(data: Mapping[str, Any], key: str) -> tuple[str | None, dict[str, list[str]]]:
    """(URL, query) of the page after *data*, or (None, {}): Glance's
    ``next`` (``/v2/images?marker=...``, made relative to the versioned
    endpoint as openstacksdk does) or the ``rel: next`` link of Nova's
    ``<key>_links``."""
    link = data.get("next") or next((item.get("href") for item in data.get(f"{key}_links") or ()
                                     if isinstance(item, dict) and item.get("rel") == "next"), None)
    if not link:
        return None, {}
    split = urllib.parse.urlsplit(link)
    url = urllib.parse.urlunsplit((split.scheme, split.netloc, split.path, "", ""))
    if not split.netloc and url.startswith("/v"):
        url = url[url.find("/", 1):]  # /v2/images: the endpoint already ends in /v2
    return url, urllib.parse.parse_qs(split.query, keep_blank_values=True)


def rows(listed: Iterable[list[Row]], until_ids: Collection[str] = ()) -> Iterator[Row]:
    """Every row of the pages *listed*; with *until_ids*, no page is asked
    after the one where the last of them was seen (an exact id is the
    first rule of :func:`osops.resolve.resolve`)."""
    wanted = set(until_ids)
    for page in listed:
        yield from page
        if until_ids:
            wanted.difference_update(row.get("id") for row in page)
            if not wanted:
                return


def get_one(proxy: Proxy, path: str, key: str, microversion: str | None = None) -> Row:
    """The row under *key* of a GET of *path*; openstacksdk's
    NotFoundException when there is none."""
    from openstack import exceptions

    response = proxy.get(path, microversion=microversion, headers={"Accept": "application/json"})
    exceptions.raise_from_response(response)
    data = response.json()
    return data.get(key) if key else data


def _key(url: str, query: Mapping[str, Any]) -> tuple:
    return url, tuple(sorted((k, str(v)) for k, v in query.items()))
