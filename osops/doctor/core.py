"""The doctor's engine: the Check result, the shared context, running checks.

A check is a function of a :class:`Context` that returns a :class:`Check`
(or a list of them, one per endpoint say).  It raises :class:`Skip` when it
cannot apply; any other exception becomes that check's FAIL, with the
problem and the fix that :func:`osops.explain.explain` finds for it as Found
and Fix (with no fix for an exception osops did not foresee, how to see more
with --debug), so one broken check never stops the others.
"""

from __future__ import annotations

import logging
import time
import urllib.parse
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from osops.errors import OsopsError, UsageError
from osops.explain import explain

if TYPE_CHECKING:
    import requests
    from keystoneauth1.access import AccessInfo
    from openstack.config.cloud_region import CloudRegion
    from openstack.connection import Connection

LOG = logging.getLogger("osops.doctor")

OK, WARN, FAIL, SKIP = "OK", "WARN", "FAIL", "SKIP"
RESULTS = (OK, WARN, FAIL, SKIP)
HTTP_TIMEOUT = 10.0
DEBUG_FIX = "osops --debug doctor shows the requests and where this check failed"
ADMIN_FIX = "run as an admin user: --os-cloud <admin cloud>, or source the admin openrc (. openrc admin admin)"


@dataclass(frozen=True)
class Check:
    """One row of the report: what was checked, OK/WARN/FAIL/SKIP, what was
    found and what to do about it ('' when there is nothing to do)."""

    name: str
    result: str
    found: str
    fix: str = ""

    def row(self) -> tuple[str, str, str, str]:
        return (self.name, self.result, self.found, self.fix)


class Skip(Exception):
    """Raised by a check that does not apply; *reason* says why."""

    def __init__(self, reason: str, fix: str = "") -> None:
        super().__init__(reason)
        self.reason = reason
        self.fix = fix


class DoctorFailed(OsopsError):
    """Some checks FAILed (exit status 1); the message names them."""


# A check: a function of the doctor's Context returning its row, or one row per thing checked.
CheckFn = Callable[["Context"], "Check | list[Check]"]


def check(name: str) -> Callable[[CheckFn], CheckFn]:
    """Decorator: give a check function the name its row carries."""
    def mark(fn):
        fn.check_name = name
        return fn
    return mark


def one_line(text: object) -> str:
    """*text* on one line, runs of white space made one space."""
    return " ".join(str(text).split())


def found_and_fix(exc: BaseException, context: dict | None = None) -> tuple[str, str]:
    """*exc* as a row's (found, fix): what went wrong and what to do, each
    one line (the fix is '' when :func:`osops.explain.explain` has none);
    *context* is what :func:`osops.cloud.error_context` says of the connection."""
    err = explain(exc, **(context or {}))
    return one_line(err.problem or err) or type(exc).__name__, one_line(err.fix)


def ms(seconds: float) -> str:
    """*seconds* as whole milliseconds (``12 ms``)."""
    return f"{seconds * 1000:.0f} ms"


def host_of(url: str) -> str:
    """The host name of *url* ('' for none)."""
    return urllib.parse.urlsplit(url).hostname or ""


def is_loopback(host: str) -> bool:
    """True when *host* (a name or address) is this machine's loopback."""
    import ipaddress

    if host in ("localhost", "localhost.localdomain", "ip6-localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def forbidden(exc: BaseException) -> bool:
    """True for an HTTP 403 from the SDK or keystoneauth."""
    return (getattr(exc, "status_code", None) or getattr(exc, "http_status", None)) == 403


class Context:
    """What the checks share: the connection (made once, on first use), the
    token, the catalog and a few answers that several checks need.  Every
    lookup that fails is remembered, so later checks SKIP instead of
    asking again."""

    def __init__(self, conn: Connection | Callable[[], Connection], *, interface: str | None = None,
                 host: bool = True, cloud: str | None = None, options: dict | None = None,
                 given_as: str = "settings passed to connect()") -> None:
        self._factory: Callable[[], Connection] | None
        self._conn: Connection | None
        if callable(conn) and not hasattr(conn, "session"):
            self._factory, self._conn = conn, None
        else:
            self._factory, self._conn = None, conn  # type: ignore[assignment]  # a Connection, not callable
        self._interface = interface
        self.host = host
        self.cloud = cloud
        self.options = {k: v for k, v in (options or {}).items() if v not in (None, "")}
        self.given_as = given_as   # what gave settings that are neither OS_* nor clouds.yaml
        self.connect_error: Exception | None = None
        self.incomplete = False    # the Config check found settings missing
        self.draft: CloudRegion | None = None  # the unvalidated CloudRegion, when connecting failed
        self.keystone_response: tuple[requests.Response, float] | None = None  # (response, local time it arrived)
        self.keystone_error: Exception | None = None  # why Keystone's version document did not come
        self._access: AccessInfo | None = None
        self._access_error: Exception | None = None
        self.token_window: tuple[float, float] | None = None  # (local time before, after) of the token request
        self._agents: list[Any] | None = None
        self._agents_error: Exception | None = None

    # -- connection ------------------------------------------------------

    def connect(self) -> Connection:
        """The connection; raises what connecting raised."""
        if self._conn is None and self.connect_error is None and self._factory is not None:
            try:
                self._conn = self._factory()
            except Exception as exc:
                self.connect_error = exc
        if self._conn is None:
            assert self.connect_error is not None  # there is a connection, or why not
            raise self.connect_error
        return self._conn

    @property
    def conn(self) -> Connection:
        """The connection; Skip when there is none."""
        try:
            return self.connect()
        except Exception:
            raise Skip("no connection to the cloud (see Config)") from None

    @property
    def connected(self) -> bool:
        """True once a connection was made."""
        return self._conn is not None

    @property
    def region(self) -> CloudRegion:
        """The connection's openstacksdk configuration."""
        return self.conn.config

    @property
    def error_context(self) -> dict:
        """What :func:`osops.explain.explain` can be told of the connection."""
        from osops.cloud import error_context

        return error_context(self._conn)

    @property
    def auth_url(self) -> str:
        """The Keystone URL in use (after osops's /v2.0 fix)."""
        if self._conn is not None:
            url = self._conn.config.config.get("auth", {}).get("auth_url")
        else:
            url = (self.draft.config.get("auth") or {}).get("auth_url") if self.draft is not None else None
        if not url:
            raise Skip("no auth URL configured (see Config)")
        return str(url)

    @property
    def interface(self) -> str:
        """The endpoint interface checked (default: the connection's, else public)."""
        if self._interface:
            return self._interface
        if self._conn is not None:
            return self._conn.config.config.get("interface") or "public"
        return "public"

    @property
    def region_name(self) -> str:
        """The connection's region ('' for none)."""
        return self.conn.config.region_name or ""

    # -- HTTP ------------------------------------------------------------

    def get(self, url: str, authenticated: bool = False) -> tuple[requests.Response, float]:
        """GET *url* through the connection's session (so recording and
        replay see it); returns (response, seconds).  No retries; any HTTP
        status is returned, connection failures raise."""
        start = time.monotonic()
        resp = self.conn.session.get(url, authenticated=authenticated, raise_exc=False,
                                     connect_retries=0, timeout=HTTP_TIMEOUT,
                                     headers={"Accept": "application/json"})
        return resp, time.monotonic() - start

    # -- token and catalog -----------------------------------------------

    def fresh_access(self) -> AccessInfo:
        """Authenticate now (a new token, timed); the AccessInfo."""
        session = self.conn.session
        auth: Any = session.auth
        auth.invalidate()
        before = time.time()
        try:
            self._access = auth.get_access(session)
        except Exception as exc:
            self._access_error = exc
            raise
        self.token_window = (before, time.time())
        return self._access

    @property
    def access(self) -> AccessInfo:
        """The token; Skip when getting one failed (or Keystone did not answer)."""
        if self._access is None and self._access_error is None and self.keystone_error is None:
            try:
                self.fresh_access()
            except Exception:
                pass
        if self._access is None:
            raise Skip("no token (see Token)")
        return self._access

    @property
    def is_admin(self) -> bool:
        """True when the token carries the admin role (False without a token)."""
        try:
            return "admin" in (self.access.role_names or [])
        except Skip:
            return False

    def catalog(self) -> list[dict]:
        """The token's catalog as a list of services (v3 shape)."""
        return list(self.access.service_catalog.catalog or [])

    def service_types(self) -> set[str | None]:
        """The service types in the catalog."""
        return {s.get("type") for s in self.catalog()}

    def require_service(self, service_type: str, what: str) -> None:
        """Skip (no *what*) unless the catalog has *service_type*."""
        if service_type not in self.service_types():
            raise Skip(f"no {service_type} service in the catalog, so no {what}")

    def endpoints(self) -> tuple[list[tuple[str, str, dict]], list[tuple[str, list[str]]]]:
        """(service type, service name, endpoint) for the chosen interface
        and region, and the services that have no such endpoint."""
        region = self.region_name
        chosen, lacking = [], []
        for service in self.catalog():
            eps = [ep for ep in service.get("endpoints", [])
                   if ep.get("interface") == self.interface
                   and (not region or region in (ep.get("region"), ep.get("region_id")))]
            if not eps:
                have = sorted({ep.get("interface", "?") for ep in service.get("endpoints", [])})
                lacking.append((service.get("type", "?"), have))
            for ep in eps:
                chosen.append((service.get("type", "?"), service.get("name", ""), ep))
        return chosen, lacking

    # -- Neutron agents (two checks use them) ----------------------------

    def agents(self) -> list[Any]:
        """Neutron's agents; raises what Neutron raised (403 without admin)."""
        if self._agents is None and self._agents_error is None:
            try:
                self._agents = list(self.conn.network.agents())
            except Skip:
                raise
            except Exception as exc:
                self._agents_error = exc
        if self._agents_error is not None:
            raise self._agents_error
        return self._agents or []


def run_checks(ctx: Context, checks: Iterable[CheckFn]) -> list[Check]:
    """Run *checks* in order against *ctx*; a list of :class:`Check`."""
    results = []
    for fn in checks:
        results.extend(run_one(fn, ctx))
    return results


def run_one(fn: CheckFn, ctx: Context) -> list[Check]:
    """The rows of check *fn*: its own, a SKIP, or a FAIL for what it raised."""
    name = getattr(fn, "check_name", fn.__name__)
    try:
        out = fn(ctx)
    except Skip as skip:
        return [Check(name, SKIP, skip.reason, skip.fix)]
    except UsageError:  # the command line is wrong (--record into no directory ...): no check can tell more
        raise
    except Exception as exc:  # one failing check never stops the others
        LOG.debug("check %s failed", name, exc_info=True)
        found, fix = found_and_fix(exc, ctx.error_context)
        if not fix and not isinstance(exc, OsopsError):  # a failure osops did not foresee
            fix = DEBUG_FIX
        return [Check(name, FAIL, found, fix)]
    return list(out) if isinstance(out, (list, tuple)) else [out]
