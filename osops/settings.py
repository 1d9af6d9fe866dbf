"""A cloud's settings as the user gave them, before openstacksdk validates
them: the draft region, where its settings come from (OS_* variables, a
clouds.yaml cloud, or options), and the auth settings safe to show."""

import os

from osops.errors import printable

# An example clouds.yaml, installed with osops (package data).
CLOUDS_YAML_EXAMPLE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "clouds.yaml.example")
AUTH_KEYS = ("auth_url", "username", "user_id", "project_name", "project_id",
             "user_domain_name", "user_domain_id", "project_domain_name",
             "project_domain_id", "domain_name", "domain_id")


def nest_auth(options):
    """Put auth settings under "auth", where they win over clouds.yaml."""
    auth = dict(options.pop("auth", {}))
    for key in AUTH_KEYS + ("password",):
        if key in options:
            auth[key] = options.pop(key)
    if auth:
        options["auth"] = auth
    return options


def draft_auth(config):
    """Auth settings of an unvalidated config (some are still top-level)."""
    auth = {k: v for k, v in config.items() if k in AUTH_KEYS + ("password",)}
    auth.update(config.get("auth") or {})
    return auth


def draft_region(cloud=None, loader=None, **options):
    """The ``CloudRegion`` openstacksdk's loader makes of *cloud* and
    *options* without validating it (nothing is sent), with every auth
    setting under ``config["auth"]``."""
    if loader is None:
        from openstack import config as sdk_config

        loader = sdk_config.OpenStackConfig(app_name="osops")
    region = loader.get_one(cloud=cloud, validate=False, **nest_auth(dict(options)))
    region.config["auth"] = draft_auth(region.config)
    return region


def describe_source(region, cloud=None, given_as="settings passed to connect()"):
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


def source_of(region):
    """Where *region*'s settings come from: "env" (openstacksdk's cloud of
    the OS_* variables), "cloud" (an entry of clouds.yaml) or "options"
    (only what connect() or the --os-* options gave)."""
    loader = getattr(region, "_openstack_config", None)
    if loader is not None and region.name == getattr(loader, "envvar_key", "envvars"):
        return "env"
    if loader is not None and region.name in cloud_names(loader):
        return "cloud"
    return "options"


def cloud_names(loader):
    """The clouds in the clouds.yaml of *loader* (an ``OpenStackConfig``),
    sorted, without the "envvars" and "defaults" clouds openstacksdk adds."""
    own = (getattr(loader, "envvar_key", "envvars"), "envvars", "defaults")
    return sorted(n for n in loader.get_cloud_names() if n not in own)


def config_file(region):
    """The clouds.yaml file *region*'s loader read, as a one-line message
    can show it (:func:`osops.errors.printable`), or ''."""
    path = getattr(getattr(region, "_openstack_config", None), "config_filename", None)
    return printable(path) if path else ""


def auth_summary(region):
    """The auth settings of *region* that are safe to show (no secrets)."""
    auth = region.config.get("auth", {})
    return {k: auth[k] for k in AUTH_KEYS if auth.get(k)}
