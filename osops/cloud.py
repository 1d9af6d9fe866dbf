"""Connect to a cloud from an openrc's OS_* variables or clouds.yaml.

All configuration goes through openstacksdk's own loader; osops only adds
the fix for legacy Identity v2.0 auth URLs, which today's Keystone no
longer serves.
"""

import atexit
import os
import re
import sys

V2_PATH = re.compile(r"/v2\.0/?$")
AUTH_KEYS = ("auth_url", "username", "user_id", "project_name", "project_id",
             "user_domain_name", "user_domain_id", "project_domain_name",
             "project_domain_id", "domain_name", "domain_id")


def connect(cloud=None, *, warn=None, session=None, **options):
    """Return an ``openstack.connection.Connection``.

    *cloud* names a cloud in clouds.yaml (``OS_CLOUD`` when None); *options*
    are the usual auth settings without the ``os_`` prefix (``auth_url``,
    ``username``, ``password``, ``project_name``, ``region_name`` ...) and
    win over the environment.  *warn* receives one-line warnings (stderr
    by default).  *session* is a ``requests.Session`` to send HTTP through
    (recording and replay mount their adapters on it).  With no *session*
    and ``OSOPS_RECORD=FILE`` set, the session is recorded to FILE at exit.
    """
    from openstack import connection

    if session is None and os.environ.get("OSOPS_RECORD"):
        session = _recorded_session(os.environ["OSOPS_RECORD"])
    region = load_config(cloud, warn=warn, session=session, **options)
    return connection.Connection(config=region)


def load_config(cloud=None, *, warn=None, session=None, **options):
    """Return the openstacksdk ``CloudRegion`` for *cloud* and *options*."""
    from openstack import config as sdk_config

    from osops.config_errors import explained

    warn = warn or _stderr
    loader = None
    with explained(cloud, lambda: loader):
        loader = sdk_config.OpenStackConfig(
            app_name="osops", session_constructor=_session_factory(session))
        options = _nest_auth({k: v for k, v in options.items() if v not in (None, "")})
        draft = loader.get_one(cloud=cloud, validate=False, **options).config
        auth = _draft_auth(draft)
        if not auth.get("auth_url") and "password" in str(draft.get("auth_type", "password")):
            from osops.errors import OsopsError

            raise OsopsError(_no_credentials(loader))
        legacy = _legacy_v2_fix(auth, draft.get("identity_api_version"))
        if legacy:
            warn(legacy.pop("warning"))
            options = _nest_auth({**options, **legacy})
        return loader.get_one(cloud=cloud, **options)


def auth_summary(region):
    """The auth settings of *region* that are safe to show (no secrets)."""
    auth = region.config.get("auth", {})
    return {k: auth[k] for k in AUTH_KEYS if auth.get(k)}


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
    auth = {k: v for k, v in config.items() if k in AUTH_KEYS}
    auth.update(config.get("auth") or {})
    return auth


def _legacy_v2_fix(auth, api_version):
    """Settings that turn a /v2.0 auth URL into a v3 one, or None."""
    url = str(auth.get("auth_url", ""))
    if not V2_PATH.search(url) and str(api_version) not in ("2", "2.0"):
        return None
    root = V2_PATH.sub("", url)
    fix = {"auth_url": root, "identity_api_version": "3",
           "warning": (f"warning: {url} is Identity v2.0, which Keystone no "
                       f"longer serves; using v3 at {root} (to silence this: "
                       f"export OS_AUTH_URL={root}/v3 OS_IDENTITY_API_VERSION=3 "
                       "OS_PROJECT_NAME=<OS_TENANT_NAME> OS_USER_DOMAIN_NAME=Default "
                       "OS_PROJECT_DOMAIN_NAME=Default)")}
    if not any(auth.get(k) for k in ("user_domain_id", "user_domain_name", "domain_id", "domain_name")):
        fix["user_domain_id"] = "default"
    if not any(auth.get(k) for k in ("project_domain_id", "project_domain_name", "domain_id", "domain_name")):
        fix["project_domain_id"] = "default"
    return fix


def _no_credentials(loader):
    names = [n for n in loader.get_cloud_names() if n not in ("envvars", "defaults")]
    clouds = (f"--os-cloud NAME (clouds found: {', '.join(sorted(names))})"
              if names else "--os-cloud NAME with a clouds.yaml "
              "(see etc/clouds.yaml.example), or --os-cloud demo for the "
              "built-in offline demo")
    return ("no credentials: OS_AUTH_URL is not set and no cloud was chosen; "
            f"source an openrc (. openrc admin admin) or pass {clouds}")


def _session_factory(requests_session):
    if requests_session is None:
        return None
    from keystoneauth1 import session as ksa_session

    def make(**kwargs):
        return ksa_session.Session(session=requests_session, **kwargs)

    return make


def _recorded_session(path):
    from osops.testing.recorder import Recorder

    recorder = Recorder()
    atexit.register(recorder.save, path, "python api")
    return recorder.session()


def _stderr(line):
    print(line, file=sys.stderr)
