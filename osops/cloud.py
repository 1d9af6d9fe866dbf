"""Connect to a cloud from an openrc's OS_* variables or clouds.yaml.

All configuration goes through openstacksdk's own loader; osops only adds
the fix for legacy Identity v2.0 auth URLs, which today's Keystone no
longer serves, and (with ``cache=True``) the token and discovery cache of
:mod:`osops.cache`.
"""

import atexit
import logging
import os
import re
import sys
import typing
import weakref

from osops.errors import OsopsError, causes, printable

LOG = logging.getLogger("osops.cache")
# An example clouds.yaml, installed with osops (package data).
CLOUDS_YAML_EXAMPLE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "clouds.yaml.example")

V2_PATH = re.compile(r"/v2\.0/?$")
VERSION_PATH = re.compile(r"/(v2\.0|v3)/?$")
# What a password login cannot do without, each with the settings any of
# which will do (clouds.yaml's names; OS_NAME and --os-name alike); and for
# Identity v3 the domain of a user or project given by name.
NEEDED = {"auth_url": ("auth_url",), "username": ("username", "user_id"), "password": ("password",)}
DOMAIN_OF = {"user_domain_name": ("username", ("user_domain_name", "user_domain_id")),
             "project_domain_name": ("project_name", ("project_domain_name", "project_domain_id"))}
DOMAINS = ("domain_id", "domain_name", "default_domain_id", "default_domain_name")  # for user and project alike
AUTH_KEYS = ("auth_url", "username", "user_id", "project_name", "project_id",
             "user_domain_name", "user_domain_id", "project_domain_name",
             "project_domain_id", "domain_name", "domain_id")


def connect(cloud=None, *, warn=None, session=None, cache=False, only_options=False, **options):
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
    reused, and this run's are written back by :func:`save_cache` (called
    at exit, or by the CLI after each command).

    With *only_options* true the configuration is *options* alone: neither
    clouds.yaml nor the OS_* variables are read.
    """
    from openstack import connection

    if session is None and os.environ.get("OSOPS_RECORD"):
        session = _recorded_session(os.environ["OSOPS_RECORD"])
    region = load_config(cloud, warn=warn, session=session, only_options=only_options, **options)
    cached = _TokenCache.attach(region) if cache and session is None else None
    conn = connection.Connection(config=region)
    if cached is not None:
        conn._osops_cache = cached
        ref = weakref.ref(conn)
        atexit.register(lambda: ref() is not None and save_cache(ref()))
    return conn


def save_cache(conn, error=None):
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


def load_config(cloud=None, *, warn=None, session=None, only_options=False, **options):
    """Return the openstacksdk ``CloudRegion`` for *cloud* and *options*
    (with *only_options*, for *options* alone: clouds.yaml and OS_*
    variables unread).

    Settings a password login cannot do without (see
    :func:`missing_settings`) are checked before anything is sent: one
    :class:`MissingSettings` names all that are missing and where they
    would go (the OS_* variables, the clouds.yaml cloud and its file, or
    the --os-* options).
    """
    from openstack import config as sdk_config

    from osops.config_errors import explained

    warn = warn or _stderr
    loader = None
    with explained(cloud, lambda: loader):
        loader = sdk_config.OpenStackConfig(
            app_name="osops", session_constructor=_session_factory(session),
            load_yaml_config=not only_options, load_envvars=not only_options)
        given = {k: v for k, v in options.items() if v not in (None, "")}
        options = _nest_auth(dict(given))
        draft = draft_region(cloud, loader, **given)
        legacy = _legacy_v2_fix(draft, given)
        missing = missing_settings(_with_fix(draft.config, legacy))
        if missing:
            raise MissingSettings(*_missing_message(loader, draft, cloud, missing), missing=missing)
        if legacy:
            warn(legacy.pop("warning"))
            options = _nest_auth({**options, **legacy})
        region = loader.get_one(cloud=cloud, **options)
        region.osops_written = written(draft, given)  # where its auth URL came from, for error messages
        return region


class MissingSettings(OsopsError):
    """A password login lacks settings it cannot do without (exit status
    1); *missing* names them as clouds.yaml does (``password``)."""

    def __init__(self, problem, fix, missing=()):
        super().__init__(problem, fix)
        self.missing = list(missing)


def missing_settings(config):
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


def draft_region(cloud=None, loader=None, **options):
    """The ``CloudRegion`` openstacksdk's loader makes of *cloud* and
    *options* without validating it (nothing is sent), with every auth
    setting under ``config["auth"]``."""
    if loader is None:
        from openstack import config as sdk_config

        loader = sdk_config.OpenStackConfig(app_name="osops")
    region = loader.get_one(cloud=cloud, validate=False, **_nest_auth(dict(options)))
    region.config["auth"] = _draft_auth(region.config)
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


def error_context(conn):
    """What :func:`osops.errors.explain` can be told of *conn* (a
    connection, or None): ``{"auth": the safe auth settings, "services":
    {endpoint URL: service type}, "url_where": where the auth URL was
    set}``, the services from the catalog that came with its token ({}
    before it has one; nothing is sent)."""
    if conn is None:
        return {}
    try:
        catalog = conn.session.auth.auth_ref.service_catalog.get_endpoints()
    except Exception:  # no session, plugin or token yet
        catalog = {}
    services = {ep["url"]: service_type for service_type, eps in catalog.items()
                for ep in eps if isinstance(ep, dict) and ep.get("url")}
    settings = getattr(conn.config, "osops_written", None)
    return {"auth": auth_summary(conn.config), "services": services,
            "url_where": settings.url_where if settings else ""}


def _nest_auth(options):
    """Put auth settings under "auth", where they win over clouds.yaml."""
    auth = dict(options.pop("auth", {}))
    for key in AUTH_KEYS + ("password",):
        if key in options:
            auth[key] = options.pop(key)
    if auth:
        options["auth"] = auth
    return options


def _draft_auth(config):
    """Auth settings of an unvalidated config (some are still top-level)."""
    auth = {k: v for k, v in config.items() if k in AUTH_KEYS + ("password",)}
    auth.update(config.get("auth") or {})
    return auth


def identity_root(url):
    """The unversioned Identity URL: http://h:5000/v3 -> http://h:5000."""
    return VERSION_PATH.sub("", url.rstrip("/") + "/").rstrip("/") if url else url


class Written(typing.NamedTuple):
    """The auth URL and identity API version as the user wrote them, before
    osops's /v2.0 fix, and where each came from: "env" (OS_*), "option"
    (--os-* or connect()), "cloud" (the clouds.yaml entry) or ""."""

    url: str
    url_from: str
    version: str
    version_from: str
    cloud: str
    file: str

    @property
    def url_where(self):
        """Where the auth URL was set, in the words of that place."""
        return {"env": "OS_AUTH_URL", "option": "--os-auth-url",
                "cloud": f"auth_url of cloud {self.cloud!r}"}.get(self.url_from, "the auth URL")


def written(region, options=None):
    """The :class:`Written` settings of *region* (validated or a draft);
    *options* are what connect() or the --os-* options were given."""
    options = options or {}
    source = source_of(region)
    from_env, in_yaml = source == "env", source == "cloud"
    loader = getattr(region, "_openstack_config", None)
    raw = ((loader.cloud_config.get("clouds") or {}).get(region.name) or {}) if in_yaml else {}
    raw_auth = _draft_auth(raw)
    auth = _draft_auth(region.config)
    url_sources = (((options.get("auth") or {}).get("auth_url") or options.get("auth_url"), "option"),
                   (os.environ.get("OS_AUTH_URL") if from_env else None, "env"),
                   (raw_auth.get("auth_url"), "cloud"), (auth.get("auth_url"), ""))
    version_sources = ((options.get("identity_api_version"), "option"),
                       (os.environ.get("OS_IDENTITY_API_VERSION") if from_env else None, "env"),
                       (raw.get("identity_api_version"), "cloud"), (region.config.get("identity_api_version"), ""))
    url, url_from = next(((str(v), w) for v, w in url_sources if v), ("", ""))
    version, version_from = next(((str(v), w) for v, w in version_sources if v not in (None, "")), ("", ""))
    return Written(url, url_from, version, version_from, region.name if in_yaml else "",
                   config_file(region) if in_yaml else "")


def legacy_v2(settings):
    """(what asks for Identity v2.0, what to change) for :class:`Written`
    *settings* that ask for it, else None."""
    url, version = settings.url, settings.version
    root = identity_root(url)
    cloud = f"cloud {settings.cloud!r}" + (f" in {settings.file}" if settings.file else "")
    if V2_PATH.search(url):
        where = settings.url_where
        if settings.url_from == "env":
            fix = f"export OS_AUTH_URL={root}/v3 OS_IDENTITY_API_VERSION=3"
            if os.environ.get("OS_TENANT_NAME") and not os.environ.get("OS_PROJECT_NAME"):
                fix += f" OS_PROJECT_NAME={os.environ['OS_TENANT_NAME']}"
            if not (os.environ.get("OS_USER_DOMAIN_NAME") or os.environ.get("OS_USER_DOMAIN_ID")):
                fix += " OS_USER_DOMAIN_NAME=Default"
            if not (os.environ.get("OS_PROJECT_DOMAIN_NAME") or os.environ.get("OS_PROJECT_DOMAIN_ID")):
                fix += " OS_PROJECT_DOMAIN_NAME=Default"
            fix += " (and the same in the openrc)"
        elif settings.url_from == "cloud":
            fix = (f"set auth_url: {root}/v3 and identity_api_version: 3 for {cloud} "
                   "(with user_domain_name and project_domain_name: Default)")
        else:
            fix = f"use {root}/v3 as the auth URL with identity API version 3"
        return f"{where} {url} asks for Identity v2.0", fix
    if version in ("2", "2.0"):
        where, fix = {
            "env": (f"OS_IDENTITY_API_VERSION={version}",
                    "unset OS_IDENTITY_API_VERSION (or export OS_IDENTITY_API_VERSION=3)"),
            "cloud": (f"identity_api_version: {version} of cloud {settings.cloud!r}",
                      f"set identity_api_version: 3 for {cloud}"),
        }.get(settings.version_from, (f"identity API version {version}", "ask for identity API version 3"))
        return f"{where} asks for Identity v2.0", fix
    return None


def _legacy_v2_fix(draft, options):
    """Settings that move a config asking for Identity v2.0 to v3, with the
    warning to print; None when it asks for v3."""
    legacy = legacy_v2(written(draft, options))
    if legacy is None:
        return None
    cause, change = legacy
    auth = draft.config["auth"]
    url = str(auth.get("auth_url") or "")
    v3_url = identity_root(url) if V2_PATH.search(url) else url
    fix = {"auth_url": v3_url, "identity_api_version": "3",
           "warning": (f"warning: {cause}, which Keystone no longer serves; using v3 at {v3_url}; "
                       f"to silence this: {change}")}
    if not any(auth.get(k) for k in ("user_domain_id", "user_domain_name", "domain_id", "domain_name")):
        fix["user_domain_id"] = "default"
    if not any(auth.get(k) for k in ("project_domain_id", "project_domain_name", "domain_id", "domain_name")):
        fix["project_domain_id"] = "default"
    return fix


def _missing_message(loader, draft, cloud, missing):
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


def _session_factory(requests_session):
    if requests_session is None:
        return None
    from keystoneauth1 import session as ksa_session

    def make(**kwargs):
        return ksa_session.Session(session=requests_session, **kwargs)

    return make


class _TokenCache:
    """The cache entry behind one connection: what was loaded, what to save."""

    AUTH_TYPES = ("password", "v3password", "v3applicationcredential", "applicationcredential")

    def __init__(self, entry, plugin, discovery, reused):
        self.entry = entry
        self.plugin = plugin
        self.discovery = discovery  # the live keystoneauth discovery cache
        self.reused = reused
        self.dropped = False

    @classmethod
    def attach(cls, region):
        """Load *region*'s entry into its auth plugin and session, or None
        when its auth type is not cached (tokens, federation ...)."""
        from osops import cache

        auth_type = region.config.get("auth_type") or "password"
        auth = region.config.get("auth") or {}
        if auth_type not in cls.AUTH_TYPES or not auth.get("auth_url"):
            return None
        entry = cache.Entry(cache.identity(auth_type, auth), cache.secret_of(auth))
        loaded = entry.load()
        plugin = region.get_auth()
        reused = False
        if loaded["auth_state"]:
            try:
                plugin.set_auth_state(loaded["auth_state"])
                reused = plugin.auth_ref is not None
            except (ValueError, KeyError, TypeError) as exc:
                LOG.debug("cached token unreadable: %s", exc)
                plugin.set_auth_state(None)
        discovery = _known_discovery(loaded["discovery"])
        region.set_session_constructor(_with_discovery(discovery))
        if reused:
            LOG.debug("reusing the cached token of %s (expires %s)", entry.path, plugin.auth_ref.expires)
        return cls(entry, plugin, discovery, reused)

    def save(self, error=None):
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
        discovery = {}
        for url, found in self.discovery.items():
            try:
                discovery[url] = found.raw_version_data(
                    allow_experimental=True, allow_deprecated=True, allow_unknown=True)
            except Exception:  # an odd document is simply not cached
                continue
        return self.entry.save(self.plugin.get_auth_state(), expires, discovery)

    def drop(self):
        self.entry.drop()
        self.dropped = True
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


def _with_discovery(discovery):
    """A session constructor whose sessions share *discovery* as their cache."""
    from keystoneauth1 import session as ksa_session

    def make(**kwargs):
        kwargs["discovery_cache"] = discovery
        return ksa_session.Session(**kwargs)

    return make


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


_RECORDERS = {}  # OSOPS_RECORD path -> the one Recorder of this process


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
