"""The token and discovery cache of a connection: the entry of
:mod:`osops.cache` loaded into keystoneauth's auth state and discovery
cache at connect time, and written back after a command."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from osops.explain import causes

if TYPE_CHECKING:
    from openstack.config.cloud_region import CloudRegion
    from openstack.connection import Connection

    from osops.cache import Entry

LOG = logging.getLogger("osops.cache")


class TokenCache:
    """The cache entry behind one connection: what was loaded, what to save."""

    AUTH_TYPES = ("password", "v3password", "v3applicationcredential", "applicationcredential")

    def __init__(self, entry: Entry, plugin: Any, discovery: dict[str, Any], reused: bool) -> None:
        self.entry = entry
        self.plugin = plugin
        self.discovery = discovery  # the live keystoneauth discovery cache
        self.reused = reused
        self.dropped = False

    @classmethod
    def attach(cls, region: CloudRegion, warn: Callable[[str], None] | None = None) -> TokenCache | None:
        """Load *region*'s entry into its auth plugin and session, or None
        when its auth type is not cached (tokens, federation ...), or when
        the cache directory is not safe (*warn* hears one line why)."""
        from osops import cache, retry

        auth_type = region.config.get("auth_type") or "password"
        auth = region.config.get("auth") or {}
        if auth_type not in cls.AUTH_TYPES or not auth.get("auth_url"):
            return None
        why = cache.unsafe()
        if why:
            (warn or LOG.warning)(f"osops: {why}; not using it (no token cache this run)")
            return None
        entry = cache.Entry(cache.identity(auth_type, auth), cache.secret_of(auth))
        loaded = entry.load()
        plugin: Any = region.get_auth()
        reused = False
        if loaded["auth_state"]:
            try:
                plugin.set_auth_state(loaded["auth_state"])
                reused = plugin.auth_ref is not None
            except (ValueError, KeyError, TypeError) as exc:
                LOG.debug("cached token unreadable: %s", exc)
                plugin.set_auth_state(None)
        discovery = _known_discovery(loaded["discovery"])
        # a factory where openstacksdk's hints say a class: it only calls it
        region.set_session_constructor(retry.session_constructor(discovery_cache=discovery))  # type: ignore[arg-type]
        if reused:
            LOG.info("reusing the cached token of %s (expires %s)", entry.path, plugin.auth_ref.expires)
        return cls(entry, plugin, discovery, reused)

    def save(self, error: BaseException | None = None) -> bool:
        """Write the token and discovery back, or drop them after *error*
        (see :func:`save`); True when written."""
        if self.dropped:  # not even at exit: what made us drop it may still hold
            return False
        if error is not None and _spoils_cache(error):
            LOG.debug("dropping %s after %s", self.entry.path, type(error).__name__)
            return self.drop()
        auth_ref = getattr(self.plugin, "auth_ref", None)
        if auth_ref is None:
            if self.reused:  # the cached token was refused and no new one came
                self.drop()
            return False
        expires = auth_ref.expires.isoformat() if auth_ref.expires else None
        discovery: dict[str, Any] = {}
        for url, found in self.discovery.items():
            try:
                discovery[url] = found.raw_version_data(
                    allow_experimental=True, allow_deprecated=True, allow_unknown=True)
            except Exception:  # an odd document is simply not cached
                continue
        return self.entry.save(self.plugin.get_auth_state(), expires, discovery)

    def drop(self) -> bool:
        """Forget the entry for good (also at exit); False: nothing written."""
        self.entry.drop()
        self.dropped = True
        return False


def save(conn: Connection, error: BaseException | None = None) -> bool:
    """Write *conn*'s token and discovery to the cache after a command.

    *error* is the exception the command ended with, if any: a 401, a 404,
    a 406, a discovery or catalog failure, or an unreachable endpoint drop
    the entry, since a stale token, catalog or versioned endpoint may be
    the cause.  Returns True when the cache file was (re)written.  Never
    raises: a cache that cannot be written only costs the next run an
    authentication.
    """
    cached = getattr(conn, "_osops_cache", None)
    if cached is None:
        return False
    try:
        return cached.save(error)
    except OSError as exc:
        LOG.debug("token cache not written: %s", exc)
        return False


def _known_discovery(documents):
    """keystoneauth Discover objects for documents fetched by an earlier run."""
    from keystoneauth1 import discover

    class Known(discover.Discover):
        def __init__(self, url, data):  # not super().__init__: that would fetch *url*
            self._url = url
            self._data = data

    return {url: Known(url, data) for url, data in documents.items()
            if isinstance(url, str) and isinstance(data, list)}


def _spoils_cache(error):
    """True when *error* (or its cause) may come from a stale token,
    catalog or versioned endpoint."""
    from keystoneauth1 import exceptions as ksa
    from openstack import exceptions as sdk

    for cause in causes(error):
        if isinstance(cause, (ksa.DiscoveryFailure, ksa.CatalogException, ksa.ConnectFailure,
                              ksa.Unauthorized, ksa.NotFound, ksa.NotAcceptable,
                              sdk.ServiceDiscoveryException)):
            return True
        status = getattr(cause, "status_code", None) or getattr(cause, "http_status", None)
        if isinstance(cause, (sdk.HttpException, ksa.HttpError)) and status in (401, 404, 406):
            return True
    return False
