"""A cloud's settings as the user gave them, before openstacksdk validates
them: the draft region, where its settings come from (OS_* variables, a
clouds.yaml cloud, or options), and the auth settings safe to show."""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from osops.errors import printable

if TYPE_CHECKING:
    from openstack.config.cloud_region import CloudRegion
    from openstack.config.loader import OpenStackConfig

# An example clouds.yaml, installed with osops (package data).
CLOUDS_YAML_EXAMPLE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "clouds.yaml.example")
AUTH_KEYS = ("auth_url", "username", "user_id", "project_name", "project_id",
             "user_domain_name", "user_domain_id", "project_domain_name",
             "project_domain_id", "domain_name", "domain_id", "system_scope",
             "application_credential_id", "application_credential_name")
SECRETS = ("password", "token", "application_credential_secret")  # auth settings never shown
# Every setting a user gives, by its clouds.yaml name, with its OS_* twins:
# the variable of the same name first, then the legacy ones
# python-openstackclient also reads.
SETTINGS: dict[str, tuple[str, ...]] = {key: (f"OS_{key.upper()}",) for key in (
    "auth_type", *AUTH_KEYS, *SECRETS, "region_name", "interface", "cacert", "cert", "key",
    "insecure", "identity_api_version")}
SETTINGS.update(project_name=("OS_PROJECT_NAME", "OS_TENANT_NAME"), project_id=("OS_PROJECT_ID", "OS_TENANT_ID"))


def nest_auth(options: dict[str, Any]) -> dict[str, Any]:
    """Put auth settings under "auth", where they win over clouds.yaml."""
    auth = dict(options.pop("auth", {}))
    for key in AUTH_KEYS + SECRETS:
        if key in options:
            auth[key] = options.pop(key)
    if auth:
        options["auth"] = auth
    return options


def draft_auth(config: Mapping[str, Any]) -> dict[str, Any]:
    """Auth settings of an unvalidated config (some are still top-level)."""
    auth = {k: v for k, v in config.items() if k in AUTH_KEYS + SECRETS}
    auth.update(config.get("auth") or {})
    return auth


def draft_region(cloud: str | None = None, loader: OpenStackConfig | None = None, **options: Any) -> CloudRegion:
    """The ``CloudRegion`` openstacksdk's loader makes of *cloud* and
    *options* without validating it (nothing is sent), with every auth
    setting under ``config["auth"]``."""
    if loader is None:
        from openstack import config as sdk_config

        loader = sdk_config.OpenStackConfig(app_name="osops")
    region = loader.get_one(cloud=cloud, validate=False, **nest_auth(dict(options)))
    region.config["auth"] = draft_auth(region.config)
    return region


def describe_source(region: CloudRegion, cloud: str | None = None,
                    given_as: str = "settings passed to connect()") -> tuple[str, bool]:
    """(where *region*'s settings come from, in words; True when that is
    the OS_* variables).  *cloud* is the name asked for with --os-cloud;
    *given_as* names settings that came neither from OS_* nor clouds.yaml
    ("--os-* options" on the command line)."""
    source = source_of(region)
    if source == "env":
        return "OS_* environment variables", True
    if source == "cloud":
        if cloud == region.name:
            how = "--os-cloud"
        elif os.environ.get("OS_CLOUD") == region.name:
            how = "OS_CLOUD"
        else:
            how = "the only cloud there"
        file = config_file(region)
        return f"clouds.yaml cloud {region.name!r}{f' in {file}' if file else ''} (chosen by {how})", False
    return given_as, False


def source_of(region: CloudRegion) -> str:
    """Where *region*'s settings come from: "env" (openstacksdk's cloud of
    the OS_* variables), "cloud" (an entry of clouds.yaml) or "options"
    (only what connect() or the --os-* options gave)."""
    loader = getattr(region, "_openstack_config", None)
    if loader is not None and region.name == getattr(loader, "envvar_key", "envvars"):
        return "env"
    if loader is not None and region.name in cloud_names(loader):
        return "cloud"
    return "options"


def cloud_names(loader: OpenStackConfig) -> list[str]:
    """The clouds in the clouds.yaml of *loader* (an ``OpenStackConfig``),
    sorted, without the "envvars" and "defaults" clouds openstacksdk adds."""
    own = (getattr(loader, "envvar_key", "envvars"), "envvars", "defaults")
    return sorted(n for n in loader.get_cloud_names() if n not in own)


def config_file(region: CloudRegion) -> str:
    """The clouds.yaml file *region*'s loader read, as a one-line message
    can show it (:func:`osops.errors.printable`), or ''."""
    path = getattr(getattr(region, "_openstack_config", None), "config_filename", None)
    return printable(path) if path else ""


def auth_summary(region: CloudRegion) -> dict[str, Any]:
    """The auth settings of *region* that are safe to show (no secrets)."""
    auth = region.config.get("auth", {})
    return {k: auth[k] for k in AUTH_KEYS if auth.get(k)}


def variable_of(key: str, value: object) -> str | None:
    """The OS_* variable that holds *value* for the setting *key*, or None:
    a value the CLI's --os-* option took from its variable is named as
    that variable, as the user set it."""
    return next((var for var in SETTINGS.get(key, ()) if value is not None
                 and os.environ.get(var) not in (None, "") and os.environ[var] == str(value)), None)


def option_of(key: str) -> str:
    """The command-line option of the setting *key* (``--os-region-name``)."""
    return "--insecure" if key == "insecure" else "--os-" + key.replace("_", "-")


def origins(region: CloudRegion, options: Mapping[str, Any] | None = None) -> dict[str, str]:
    """{setting: where it came from} for every setting *region* has:
    an OS_* variable, an --os-* option (or connect() keyword) in *options*,
    "clouds.yaml" or "default"."""
    options = options or {}
    source = source_of(region)
    loader = getattr(region, "_openstack_config", None)
    raw = ((loader.cloud_config.get("clouds") or {}).get(region.name) or {}) if loader and source == "cloud" else {}
    raw = {k.replace("-", "_"): v for k, v in {**raw, **(raw.get("auth") or {})}.items()}
    config = {**region.config, **draft_auth(region.config)}
    out: dict[str, str] = {}
    for key, variables in SETTINGS.items():
        if config.get(key) in (None, "") and options.get(key) in (None, ""):
            continue
        if options.get(key) not in (None, ""):
            out[key] = variable_of(key, options[key]) or option_of(key)
        elif source == "env":
            out[key] = next((v for v in variables if os.environ.get(v)), "default")
        elif any(raw.get(k) not in (None, "") for k in (key, key.replace("project", "tenant"))):
            out[key] = "clouds.yaml"
        else:
            out[key] = "default"
    return out


def describe_origins(found: Mapping[str, str], source: str | None = None) -> str:
    """*found* ({setting: where}, see :func:`origins`) in a few words:
    ``from OS_*: auth_url, password; from --os-*: region_name; from
    clouds.yaml: username``; a legacy variable is named beside its setting.
    Settings from *source* (:func:`source_of`: where the rest come from)
    and defaults are left out."""
    groups: dict[str, list[str]] = {}
    same = {"env": "OS_*", "cloud": "clouds.yaml", "options": "--os-*"}.get(source or "")
    for key, where in found.items():
        kind = ("OS_*" if where.startswith("OS_") else "--os-*" if where.startswith("--") else where)
        if where == "default" or kind == same:
            continue
        plain = where in (SETTINGS[key][0], option_of(key), "clouds.yaml")
        groups.setdefault(kind, []).append(key if plain else f"{key} ({where})")
    return "; ".join(f"from {kind}: {', '.join(keys)}" for kind, keys in groups.items())
