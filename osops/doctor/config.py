"""Config: where the credentials come from, what is missing, and OS_*
variables that a chosen clouds.yaml cloud silently overrides."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

from osops.doctor.core import FAIL, OK, WARN, Check, Context, check, found_and_fix, one_line
from osops.errors import UsageError

if TYPE_CHECKING:
    from openstack.config.cloud_region import CloudRegion

NAME = "Config"
# OS_* variable -> (where it lands in the config, secret?)
ENV_KEYS = (
    ("OS_AUTH_URL", "auth.auth_url", False),
    ("OS_USERNAME", "auth.username", False),
    ("OS_USER_ID", "auth.user_id", False),
    ("OS_PASSWORD", "auth.password", True),
    ("OS_PROJECT_NAME", "auth.project_name", False),
    ("OS_TENANT_NAME", "auth.project_name", False),
    ("OS_PROJECT_ID", "auth.project_id", False),
    ("OS_TENANT_ID", "auth.project_id", False),
    ("OS_USER_DOMAIN_NAME", "auth.user_domain_name", False),
    ("OS_USER_DOMAIN_ID", "auth.user_domain_id", False),
    ("OS_PROJECT_DOMAIN_NAME", "auth.project_domain_name", False),
    ("OS_PROJECT_DOMAIN_ID", "auth.project_domain_id", False),
    ("OS_REGION_NAME", "region_name", False),
    ("OS_INTERFACE", "interface", False),
    ("OS_IDENTITY_API_VERSION", "identity_api_version", False),
)


@check(NAME)
def source(ctx: Context) -> Check:
    """Which source the settings come from; FAIL when they cannot work
    (what osops.cloud.load_config refuses, in its words), WARN when they
    ask for Identity v2.0 or OS_* variables lose to a cloud."""
    from osops.cloud import MissingSettings
    from osops.identity_v2 import legacy_v2, written
    from osops.settings import describe_origins, describe_source, origins, source_of

    try:
        region = ctx.connect().config
    except UsageError:  # the command line, not the cloud's settings: run_one lets it end the doctor
        raise
    except Exception as exc:
        ctx.draft = draft(ctx.cloud, ctx.options)
        ctx.incomplete = isinstance(exc, MissingSettings)
        return Check(NAME, FAIL, *found_and_fix(exc))
    origin, in_env = describe_source(region, ctx.cloud, ctx.given_as)
    settings = written(region, ctx.options)
    auth = region.config.get("auth") or {}
    shown = ", ".join(f"{k} {auth[k]}" for k in ("username", "user_id", "project_name", "project_id")
                      if auth.get(k))
    found = f"{origin}: {shown} at {settings.url or '?'}" if shown else origin
    each = describe_origins(origins(region, ctx.options), source_of(region))
    found += f" ({each})" if each else ""
    notes, fixes = [], []
    legacy = legacy_v2(settings)
    if legacy:
        notes.append(f"{legacy[0]}, which current Keystone no longer serves (osops moves to v3 by itself; "
                     "other clients fail)")
        fixes.append(legacy[1])
    ignored = contradictions(region, ctx.options) if not in_env else []
    if ignored:
        notes.append(f"ignored because cloud {region.name!r} wins: " + "; ".join(t for _, t in ignored))
        fixes.append(f"unset {' '.join(v for v, _ in ignored)} (or unset OS_CLOUD and drop --os-cloud to use "
                     "the variables)")
    if notes:
        return Check(NAME, WARN, f"{found}; {'; '.join(notes)}", "; ".join(fixes))
    return Check(NAME, OK, found)


def contradictions(region: CloudRegion, options: dict | None = None) -> list[tuple[str, str]]:
    """OS_* variables that are set but lose to the chosen cloud: a list of
    (variable, description); secrets are named, never shown."""
    options = options or {}
    out = []
    for var, path, secret in ENV_KEYS:
        value = os.environ.get(var)
        if value in (None, "") or path.split(".")[-1] in options:
            continue
        current = _lookup(region.config, path)
        if _same(value, current):
            continue
        if secret:
            out.append((var, f"{var} differs"))
        else:
            shown = "unset" if current in (None, "") else one_line(current)
            out.append((var, f"{var}={value} (cloud: {shown})"))
    return out


def _lookup(config, path):
    node = config
    for part in path.split("."):
        if not isinstance(node, dict):
            return None
        node = node.get(part)
    return node


def _same(env_value, current):
    if current is None:
        return False
    return str(env_value).strip().rstrip("/") == str(current).strip().rstrip("/")


def draft(cloud: str | None, options: dict | None) -> CloudRegion | None:
    """The unvalidated ``CloudRegion`` openstacksdk's loader makes of
    *cloud* and *options*; None when even that fails."""
    from osops.settings import draft_region

    try:
        return draft_region(cloud, **(options or {}))
    except Exception:
        return None
