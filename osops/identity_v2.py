"""Legacy Identity v2.0 settings (an old openrc's OS_AUTH_URL=.../v2.0, or
OS_IDENTITY_API_VERSION=2): today's Keystone serves only v3, so osops
authenticates with v3 at the root and says what to change."""

from __future__ import annotations

import os
import re
import typing
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from osops.settings import config_file, draft_auth, source_of, variable_of

if TYPE_CHECKING:
    from openstack.config.cloud_region import CloudRegion

V2_PATH = re.compile(r"/v2\.0/?$")
VERSION_PATH = re.compile(r"/(v2\.0|v3)/?$")


def identity_root(url: str) -> str:
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
    def url_where(self) -> str:
        """Where the auth URL was set, in the words of that place."""
        return {"env": "OS_AUTH_URL", "option": "--os-auth-url",
                "cloud": f"auth_url of cloud {self.cloud!r}"}.get(self.url_from, "the auth URL")


def written(region: CloudRegion, options: Mapping[str, Any] | None = None) -> Written:
    """The :class:`Written` settings of *region* (validated or a draft);
    *options* are what connect() or the --os-* options were given."""
    options = options or {}
    source = source_of(region)
    from_env, in_yaml = source == "env", source == "cloud"
    loader = getattr(region, "_openstack_config", None)
    raw = ((loader.cloud_config.get("clouds") or {}).get(region.name) or {}) if loader and in_yaml else {}
    raw_auth = draft_auth(raw)
    auth = draft_auth(region.config)
    given_url = (options.get("auth") or {}).get("auth_url") or options.get("auth_url")
    given_version = options.get("identity_api_version")
    url_sources = ((given_url, "env" if variable_of("auth_url", given_url) else "option"),
                   (os.environ.get("OS_AUTH_URL") if from_env else None, "env"),
                   (raw_auth.get("auth_url"), "cloud"), (auth.get("auth_url"), ""))
    version_sources = ((given_version, "env" if variable_of("identity_api_version", given_version) else "option"),
                       (os.environ.get("OS_IDENTITY_API_VERSION") if from_env else None, "env"),
                       (raw.get("identity_api_version"), "cloud"), (region.config.get("identity_api_version"), ""))
    url, url_from = next(((str(v), w) for v, w in url_sources if v), ("", ""))
    version, version_from = next(((str(v), w) for v, w in version_sources if v not in (None, "")), ("", ""))
    return Written(url, url_from, version, version_from, region.name if in_yaml else "",
                   config_file(region) if in_yaml else "")


def legacy_v2(settings: Written) -> tuple[str, str] | None:
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


def v3_fix(draft: CloudRegion, options: Mapping[str, Any]) -> dict[str, str] | None:
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
