"""Keystone: reachable, which versions it serves (settings that ask for
v2.0 are the Config row's), how long a token takes, and clock skew."""

from __future__ import annotations

import datetime
import email.utils
import time
from typing import TYPE_CHECKING, Any

from osops.doctor.core import FAIL, OK, WARN, Check, Context, Skip, check, ms
from osops.explain import reason, unanswered_fix
from osops.proxy import off_the_proxy

if TYPE_CHECKING:
    import requests

SKEW_WARN = 60  # seconds
SERVER_5XX_FIX = ("Keystone itself failed: its log says why (a wrong database password shows "
                  "there as \"Access denied for user\"; fix [database] connection in keystone.conf)")


@check("Keystone")
def discovery(ctx: Context) -> Check:
    """GET the unversioned Keystone URL: the versions it serves."""
    from osops.identity_v2 import identity_root, written

    settings = written(ctx.region, ctx.options)
    root = identity_root(ctx.auth_url)
    try:
        resp, secs = ctx.get(root)
    except Exception as exc:
        ctx.keystone_error = exc
        return Check("Keystone", FAIL, f"no answer from {root}: {reason(exc, root)}",
                     unanswered_fix(exc, root, "check that Keystone runs and listens there, and the URL"))
    ctx.keystone_response = (resp, time.time())
    if resp.status_code >= 500:
        return Check("Keystone", FAIL, f"{root} answers HTTP {resp.status_code}", SERVER_5XX_FIX)
    versions = parse_versions(resp)
    if not versions:
        return Check("Keystone", FAIL,
                     f"{root} answers HTTP {resp.status_code} without an Identity version document",
                     off_the_proxy([root]) or "Keystone answers at http://HOST:5000 or http://HOST/identity: fix "
                     f"{settings.url_where}")
    listed = ", ".join(f"{v} ({s})" for v, s in versions)
    found = f"{root} serves {listed}; answered in {ms(secs)}"
    if not any(v.startswith("v3") for v, _ in versions):
        return Check("Keystone", FAIL, f"no Identity v3 at {root}: {found}",
                     "upgrade Keystone: osops and current clients speak Identity v3 only")
    return Check("Keystone", OK, found)


def parse_versions(resp: requests.Response) -> list[tuple[str, str]]:
    """[(id, status)] from a Keystone version document, [] if it is not one."""
    try:
        body = resp.json()
    except ValueError:
        return []
    if not isinstance(body, dict):
        return []
    values: list[Any] | None
    if isinstance(body.get("version"), dict):
        values = [body["version"]]
    else:
        values = (body.get("versions") or {}).get("values") if isinstance(body.get("versions"), dict) \
            else body.get("versions")
    return [(str(v.get("id", "?")), str(v.get("status", "?"))) for v in values or []
            if isinstance(v, dict)]


@check("Token")
def token(ctx: Context) -> Check:
    """Authenticate afresh and time it."""
    if ctx.incomplete:
        raise Skip("the credentials are incomplete (see Config)")
    ctx.conn  # noqa: B018 - Skip when there is no connection
    if ctx.keystone_error is not None:  # a token request would go unanswered too
        raise Skip("Keystone did not answer; see the Keystone row")
    start = time.monotonic()
    access = ctx.fresh_access()
    secs = time.monotonic() - start
    who = access.username or access.user_id
    scope = access.project_name or access.project_id or access.domain_name or "no project (unscoped)"
    roles = ", ".join(sorted(access.role_names or [])) or "none"
    found = f"issued in {ms(secs)} to {who} on {scope}; roles: {roles}"
    if access.expires:
        left = (access.expires - datetime.datetime.now(datetime.timezone.utc)).total_seconds()
        found += (f"; expires in {_duration(left)}" if left > 0 else
                  f"; expired {_duration(-left)} ago by the local clock (see Clock)")
    if not access.project_id:
        return Check("Token", WARN, found, "scope the token to a project: set OS_PROJECT_NAME (project_name)")
    return Check("Token", OK, found)


@check("Clock")
def clock(ctx: Context) -> Check:
    """Local clock against Keystone's Date header and the token's issued_at."""
    skews: list[tuple[str, float, float]] = []  # (compared with, seconds ahead, uncertainty)
    if ctx.keystone_response is not None:
        resp, arrived = ctx.keystone_response
        date = resp.headers.get("Date")
        server = _parse_date(date) if date else None
        if server is not None:
            skews.append(("Keystone's Date header", server.timestamp() - arrived, 1.0))
    try:
        access = ctx.access
    except Skip:
        access = None
    if access is not None and ctx.token_window and access.issued:
        before, after = ctx.token_window
        skews.append(("the token's issued_at", access.issued.timestamp() - (before + after) / 2,
                      (after - before) / 2))
    if not skews:
        raise Skip("nothing to compare: no Date header and no token")
    now = datetime.datetime.now(datetime.timezone.utc)
    if access is not None and access.expires and access.expires <= now:
        return Check("Clock", FAIL, f"a new token has already expired by the local clock "
                     f"(expires_at {access.expires:%Y-%m-%d %H:%M:%S} UTC): the local clock is ahead",
                     SYNC_FIX)
    source, skew, slack = max(skews, key=lambda s: abs(s[1]))
    if abs(skew) > SKEW_WARN + slack:
        side = "behind" if skew > 0 else "ahead of"
        return Check("Clock", WARN, f"the local clock is {_duration(abs(skew))} {side} Keystone's "
                     f"(by {source})", SYNC_FIX)
    compared = " and ".join(s for s, _, _ in skews)
    return Check("Clock", OK, f"within {max(1, round(abs(skew)))} s of Keystone (by {compared})")


SYNC_FIX = ("sync the clocks of this host and the cloud's: timedatectl set-ntp true "
            "(or chronyc makestep where chrony runs)")


def _parse_date(text):
    try:
        value = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=datetime.timezone.utc)
    return value


def _duration(seconds):
    seconds = int(round(seconds))
    if seconds < 0:
        return f"-{_duration(-seconds)}"
    if seconds < 120:
        return f"{seconds} s"
    minutes = seconds // 60
    if minutes < 120:
        return f"{minutes} min"
    return f"{minutes // 60} h {minutes % 60} min"

