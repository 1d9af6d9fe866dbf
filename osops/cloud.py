"""Connect to a cloud from an openrc's OS_* variables or clouds.yaml.

All configuration goes through openstacksdk's own loader; osops only adds
a check of the settings a login cannot do without, the fix for legacy
Identity v2.0 settings (:mod:`osops.identity_v2`), and (with
``cache=True``) the token and discovery cache (:mod:`osops.token_cache`).
"""

from __future__ import annotations

import atexit
import logging
import os
import sys
import weakref
from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Any

from osops import token_cache
from osops.errors import OsopsError, printable
from osops.identity_v2 import v3_fix, written
from osops.settings import (
    AUTH_KEYS,
    CLOUDS_YAML_EXAMPLE,
    auth_summary,
    cloud_names,
    describe_source,
    draft_region,
    nest_auth,
    source_of,
)

if TYPE_CHECKING:
    from openstack.config.cloud_region import CloudRegion
    from openstack.connection import Connection

    from osops.testing.recorder import Recorder

LOG = logging.getLogger("osops")
# What a password login cannot do without, each with the settings any of
# which will do (clouds.yaml's names; OS_NAME and --os-name alike); and for
# Identity v3 the domain of a user or project given by name.
NEEDED = {"auth_url": ("auth_url",), "username": ("username", "user_id"), "password": ("password",)}
DOMAIN_OF = {"user_domain_name": ("username", ("user_domain_name", "user_domain_id")),
             "project_domain_name": ("project_name", ("project_domain_name", "project_domain_id"))}
DOMAINS = ("domain_id", "domain_name", "default_domain_id", "default_domain_name")  # for user and project alike


def connect(cloud: str | None = None, *, warn: Callable[[str], None] | None = None, session: Any = None,
            cache: bool = False, only_options: bool = False, **options: Any) -> Connection:
    """Return an ``openstack.connection.Connection``.

    *cloud* names a cloud in clouds.yaml (``OS_CLOUD`` when None); *options*
    are the usual auth settings without the ``os_`` prefix (``auth_url``,
    ``username``, ``password``, ``project_name``, ``region_name`` ...) and
    win over the environment.  *warn* receives one-line warnings (stderr
    by default).  *session* is a ``requests.Session`` to send HTTP through
    (recording and replay mount their adapters on it).  With no *session*
    and ``OSOPS_RECORD=FILE`` set, the session is recorded to FILE at exit.

    With *cache* true (and no *session*), a token and the services'
    version discovery cached by an earlier run for the same identity are
    reused, and this run's are written back by :func:`osops.token_cache.save` (called
    at exit, or by the CLI after each command).

    With *only_options* true the configuration is *options* alone: neither
    clouds.yaml nor the OS_* variables are read.
    """
    from openstack import connection

    if session is None and os.environ.get("OSOPS_RECORD"):
        session = _recorded_session(os.environ["OSOPS_RECORD"])
    region = load_config(cloud, warn=warn, session=session, only_options=only_options, **options)
    cached = token_cache.TokenCache.attach(region, warn or _stderr) if cache and session is None else None
    conn = connection.Connection(config=region)
    if cached is not None:
        conn._osops_cache = cached  # type: ignore[attr-defined]  # read by token_cache.save
        atexit.register(_save_at_exit, weakref.ref(conn))
    return conn


def _save_at_exit(ref: weakref.ref[Connection]) -> None:
    conn = ref()
    if conn is not None:
        token_cache.save(conn)


def load_config(cloud: str | None = None, *, warn: Callable[[str], None] | None = None, session: Any = None,
                only_options: bool = False, **options: Any) -> CloudRegion:
    """Return the openstacksdk ``CloudRegion`` for *cloud* and *options*
    (with *only_options*, for *options* alone: clouds.yaml and OS_*
    variables unread).  *warn* and *session* are as for :func:`connect`.

    Settings a password login cannot do without (see
    :func:`missing_settings`) are checked before anything is sent: one
    :class:`MissingSettings` names all that are missing and where they
    would go (the OS_* variables, the clouds.yaml cloud and its file, or
    the --os-* options).
    """
    from openstack import config as sdk_config

    from osops import config_checks, retry
    from osops.config_errors import explained

    warn = warn or _stderr
    loader = None
    if not only_options:
        config_checks.check_files(cloud)
    with explained(cloud, lambda: loader):
        loader = sdk_config.OpenStackConfig(  # a factory where openstacksdk's hints say a class: it only calls it
            app_name="osops", session_constructor=retry.session_constructor(session),  # type: ignore[arg-type]
            load_yaml_config=not only_options, load_envvars=not only_options)
        given = {k: v for k, v in options.items() if v not in (None, "")}
        if given.get("token") and not any(given.get(k) for k in ("auth_type", "username", "user_id", "password")):
            given["auth_type"] = "token"  # a token alone: python-openstackclient's choice of plugin
        if "api_timeout" in given or os.environ.get("OSOPS_API_TIMEOUT"):
            given["api_timeout"] = retry.api_timeout(given.get("api_timeout"))
        options = nest_auth(dict(given))
        draft = draft_region(cloud, loader, **given)
        config_checks.check_draft(draft, written(draft, given).url_where)
        legacy = v3_fix(draft, given)
        missing = missing_settings(_with_fix(draft.config, legacy))
        if missing:
            raise MissingSettings(*_missing_message(loader, draft, cloud, missing), missing=missing)
        if legacy:
            warn(legacy.pop("warning"))
            options = nest_auth({**options, **legacy})
        # after the draft, whose checks see every setting given
        loader.auth_config_hook = plugin_settings  # type: ignore[method-assign]
        region = loader.get_one(cloud=cloud, **options)
        settings = written(draft, given)
        region.osops_written = settings  # type: ignore[attr-defined]  # where its auth URL came from, for errors
        LOG.info("settings from %s: %s at %s, region %s, interface %s", describe_source(region, cloud)[0],
                 region.config.get("auth_type"), settings.url or "?", region.region_name or "(any)",
                 region.config.get("interface") or "public")
        return region


def plugin_settings(config: dict[str, Any]) -> dict[str, Any]:
    """*config* (a cloud config before its auth plugin is loaded) without
    the auth settings its plugin does not take, such as an openrc's
    OS_USER_DOMAIN_ID beside --os-token, which keystoneauth would refuse:
    openstacksdk's loader's own hook for this (``auth_config_hook``, as
    python-openstackclient uses it)."""
    from keystoneauth1 import exceptions, loading

    try:
        options = loading.get_plugin_loader(str(config.get("auth_type") or "password")).get_options()
    except exceptions.NoMatchingPlugin:
        return config  # openstacksdk's loader names the plugin that is not there
    taken = {name.replace("-", "_") for o in options
             for name in (o.dest, o.name, *(d.name for d in o.deprecated))}
    config["auth"] = {k: v for k, v in (config.get("auth") or {}).items() if k in taken}
    return config


class MissingSettings(OsopsError):
    """A password login lacks settings it cannot do without (exit status
    1); *missing* names them as clouds.yaml does (``password``)."""

    def __init__(self, problem: str, fix: str, missing: Iterable[str] = ()) -> None:
        super().__init__(problem, fix)
        self.missing = list(missing)


def missing_settings(config: Mapping[str, Any]) -> list[str]:
    """The settings a password login with *config* (a CloudRegion's
    config, the auth settings under "auth") cannot do without and lacks,
    by their clouds.yaml names: the auth URL, the user, the password and,
    for Identity v3, the domains of a user and project given by name.
    [] for other auth types.  No project is fine: the token is unscoped."""
    if "password" not in str(config.get("auth_type") or "password"):
        return []
    auth = config.get("auth") or {}

    def given(*keys):
        return any(auth.get(k) or config.get(k) for k in keys)

    missing = [name for name, keys in NEEDED.items() if not given(*keys)]
    if str(config.get("identity_api_version") or "3").startswith("3"):
        missing += [name for name, (named, keys) in DOMAIN_OF.items()
                    if auth.get(named) and not given(*keys, *DOMAINS)]
    return missing


def _with_fix(config, legacy):
    """*config* as it is once the /v2.0 fix *legacy* (or None) is applied."""
    if not legacy:
        return config
    auth = {**config.get("auth", {}), **{k: v for k, v in legacy.items() if k in AUTH_KEYS}}
    return {**config, "identity_api_version": legacy["identity_api_version"], "auth": auth}


def error_context(conn: Connection | None) -> dict[str, Any]:
    """What :func:`osops.explain.explain` can be told of *conn* (a
    connection, or None): ``{"auth": the safe auth settings, "services":
    {endpoint URL: service type}, "url_where": where the auth URL was
    set, "timeout": the requests' timeout}``, the services from the catalog that came with its token ({}
    before it has one; nothing is sent)."""
    if conn is None:
        return {}
    try:
        plugin: Any = conn.session.auth
        catalog = plugin.auth_ref.service_catalog.get_endpoints()
    except Exception:  # no session, plugin or token yet
        catalog = {}
    services = {ep["url"]: service_type for service_type, eps in catalog.items()
                for ep in eps if isinstance(ep, dict) and ep.get("url")}
    settings = getattr(conn.config, "osops_written", None)
    return {"auth": auth_summary(conn.config), "services": services,
            "url_where": settings.url_where if settings else "",
            "timeout": _timeout_of(conn)}


def _timeout_of(conn):
    try:
        return conn.session.timeout
    except Exception:  # no session yet
        return None


def _missing_message(loader, draft, cloud, missing) -> tuple[str, str]:
    """(problem, fix) for a password login that lacks the settings
    *missing*, in the words of where they would go."""
    source = source_of(draft)
    variables = ["OS_" + name.upper() for name in missing]
    flags = " ".join(f"--os-{name.replace('_', '-')}" for name in missing)
    if source == "cloud":
        where, _ = describe_source(draft, cloud)
        problem = f"no {', '.join(missing)} in {where}"
        ignored = [f"OS_{key.upper()}" for name in missing for key in NEEDED.get(name) or DOMAIN_OF[name][1]
                   if os.environ.get(f"OS_{key.upper()}")]
        if ignored:
            are = "is" if len(ignored) == 1 else "are"
            problem += f"; {_and(ignored)} {are} set but ignored for a clouds.yaml cloud"
        secure = printable(loader.secure_config_filename) if loader.secure_config_filename else \
            "a secure.yaml beside it"
        there = (f"there or in {secure}" if missing == ["password"] else
                 "there" + (f" (the password may go in {secure} instead)" if "password" in missing else ""))
        example = f" (see {CLOUDS_YAML_EXAMPLE})" if "auth_url" in missing else ""
        return problem, (f"add {', '.join(missing)} under auth: of cloud {draft.name!r} {there}{example}, "
                         f"or pass {flags}")
    if "auth_url" in missing:
        names = cloud_names(loader)
        clouds = (f"--os-cloud NAME (clouds found: {', '.join(names)})"
                  if names else "--os-cloud NAME with a clouds.yaml "
                  f"(see {CLOUDS_YAML_EXAMPLE}), or --os-cloud demo for the "
                  "built-in offline demo")
        return ("no credentials: OS_AUTH_URL is not set and no cloud was chosen",
                f"source an openrc (. openrc admin admin) or pass {clouds}")
    exports = "export " + " ".join(f"{v}=..." for v in variables)
    if source == "env":
        return f"{_and(variables)} {'is' if len(missing) == 1 else 'are'} not set", f"{exports} (or pass {flags})"
    keywords = ", ".join(f"{name}=" for name in missing)
    return f"no {flags} given", f"pass {flags} ({keywords} in Python) or {exports}"


def _and(names):
    return ", ".join(names[:-1]) + f" and {names[-1]}" if len(names) > 1 else names[0]


_RECORDERS: dict[str, Recorder] = {}  # OSOPS_RECORD path -> the one Recorder of this process


def _recorded_session(path, transport=None):
    """A session recorded into *path*: every connection of the process
    shares one recorder, saved once at exit (with a save per connection,
    the last save would leave one connection's calls only).  *transport*
    is the adapter that sends for the recorder the first call makes
    (default: the network)."""
    from osops.testing.recorder import Recorder

    recorder = _RECORDERS.get(path)
    if recorder is None:
        recorder = _RECORDERS[path] = Recorder(transport=transport)
        atexit.register(recorder.save, path, "python api")
    return recorder.session()


def _stderr(line):
    print(line, file=sys.stderr)
