"""Config: where the credentials come from, what is missing, and OS_*
variables that a chosen clouds.yaml cloud silently overrides."""

import os

from osops.doctor.core import FAIL, OK, WARN, Check, check, found_and_fix, one_line

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
# Settings a password login needs: alternatives, in the variables' names.
NEEDED = (
    (("auth_url",), "OS_AUTH_URL"),
    (("username", "user_id"), "OS_USERNAME"),
    (("password",), "OS_PASSWORD"),
    (("project_name", "project_id", "domain_name", "domain_id"), "OS_PROJECT_NAME"),
)
NO_CREDENTIALS_FIX = ("source an openrc (. openrc admin admin) or pass --os-cloud NAME "
                      "for a cloud in clouds.yaml")


@check(NAME)
def source(ctx):
    """Which source the settings come from; FAIL when something is missing."""
    try:
        conn = ctx.connect()
    except Exception as exc:
        ctx.draft = draft(ctx.cloud, ctx.options)
        found, fix = found_and_fix(exc)
        return Check(NAME, FAIL, found, fix or NO_CREDENTIALS_FIX + _clouds_found())
    region = conn.config
    origin, in_env = describe(region, ctx)
    auth = region.config.get("auth") or {}
    shown = ", ".join(f"{k} {auth[k]}" for k in ("username", "user_id", "project_name", "project_id")
                      if auth.get(k))
    found = f"{origin}: {shown} at {auth.get('auth_url', '?')}" if shown else origin
    missing = missing_settings(region.config)
    if missing:
        ctx.incomplete = True
        names = missing if in_env else [m[3:].lower() for m in missing]
        where = (f"export {' '.join(n + '=...' for n in names)}" if in_env
                 else f"add {', '.join(names)} under auth: of cloud {region.name!r}"
                 f"{_file(region)}")
        return Check(NAME, FAIL, f"{found}; missing {', '.join(names)}", where)
    ignored = contradictions(region, ctx.options) if not in_env else []
    if ignored:
        names = " ".join(v for v, _ in ignored)
        text = "; ".join(t for _, t in ignored)
        return Check(NAME, WARN, f"{found}; ignored because cloud {region.name!r} wins: {text}",
                     f"unset {names} (or unset OS_CLOUD and drop --os-cloud to use the variables)")
    return Check(NAME, OK, found)


def _clouds_found():
    from openstack import config as sdk_config

    try:
        names = sdk_config.OpenStackConfig(app_name="osops").get_cloud_names()
    except Exception:
        return ""
    names = sorted(n for n in names if n not in ("envvars", "defaults"))
    return f" (clouds found: {', '.join(names)})" if names else ""


def describe(region, ctx):
    """(where the settings come from, in words; True when from OS_* variables)."""
    loader = getattr(region, "_openstack_config", None)
    name = region.name
    if loader is not None and name == getattr(loader, "envvar_key", "envvars"):
        return "OS_* environment variables", True
    names = set(loader.get_cloud_names()) if loader is not None else set()
    if name in names and name not in ("defaults",):
        if ctx.cloud == name:
            how = "--os-cloud"
        elif os.environ.get("OS_CLOUD") == name:
            how = "OS_CLOUD"
        else:
            how = "the only cloud there"
        return f"clouds.yaml cloud {name!r}{_file(region)} (chosen by {how})", False
    return "settings passed to connect()", False


def _file(region):
    path = getattr(getattr(region, "_openstack_config", None), "config_filename", None)
    return f" in {path}" if path else ""


def missing_settings(config):
    """Settings a password login lacks (as OS_* names), [] for other auth types."""
    if "password" not in (config.get("auth_type") or "password"):
        return []
    auth = config.get("auth") or {}
    missing = [name for keys, name in NEEDED if not any(auth.get(k) for k in keys)]
    if str(config.get("identity_api_version", "3")).startswith("3"):
        any_domain = auth.get("domain_id") or auth.get("domain_name")
        if auth.get("username") and not (auth.get("user_domain_name") or auth.get("user_domain_id") or any_domain):
            missing.append("OS_USER_DOMAIN_NAME")
        if auth.get("project_name") and not (auth.get("project_domain_name") or auth.get("project_domain_id")
                                             or any_domain):
            missing.append("OS_PROJECT_DOMAIN_NAME")
    return missing


def contradictions(region, options=None):
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


def draft(cloud, options):
    """(cloud name, config) as openstacksdk's loader reads it, unvalidated;
    None when even that fails."""
    from openstack import config as sdk_config

    from osops.cloud import _draft_auth, _nest_auth

    try:
        loader = sdk_config.OpenStackConfig(app_name="osops")
        region = loader.get_one(cloud=cloud, validate=False, **_nest_auth(dict(options or {})))
    except Exception:
        return None
    config = dict(region.config)
    config["auth"] = _draft_auth(config)
    return region.name, config
