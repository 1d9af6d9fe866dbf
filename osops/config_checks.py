"""Checks before and around openstacksdk's config loader, so that a config
mistake is reported as what it is.

openstacksdk skips a clouds.yaml it cannot open or parse (and an empty
one) and then reports no cloud at all; these checks look at the file it
would read (its own list of places) before it does, without parsing it,
and at the draft settings it made (a URL that is not one, a token left
in ``OS_TOKEN`` beside a password).
"""

from __future__ import annotations

import os
import urllib.parse
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from osops.errors import OsopsError, printable
from osops.files import read_limited

if TYPE_CHECKING:
    from openstack.config.cloud_region import CloudRegion


def config_files() -> list[str]:
    """The clouds.yaml files openstacksdk would look at, in its order."""
    from openstack.config import loader

    override = os.environ.get("OS_CLIENT_CONFIG_FILE")
    return ([override] if override else []) + list(loader.CONFIG_FILES)


def check_files(cloud: str | None) -> None:
    """Before the loader runs for the cloud named *cloud* (or OS_CLOUD):
    OsopsError for no clouds.yaml anywhere (listing where it looked), or
    for the one it would read being a directory, unreadable, empty or too
    big.  Nothing is checked when no cloud is named."""
    from osops.settings import CLOUDS_YAML_EXAMPLE

    name = cloud or os.environ.get("OS_CLOUD")
    if not name:
        return
    files = config_files()
    path = next((p for p in files if os.path.lexists(p)), None)
    if path is None:
        places = ", ".join(dict.fromkeys(printable(os.path.dirname(os.path.abspath(p))) for p in files))
        instead = "" if cloud else ", or unset OS_CLOUD and source an openrc"
        raise OsopsError(f"no clouds.yaml (or .yml, .json) to find cloud {printable(name)} in; looked in {places}",
                         f"write one (see {CLOUDS_YAML_EXAMPLE}) or set OS_CLIENT_CONFIG_FILE to yours{instead}")
    shown = printable(path)
    if os.path.isdir(path):
        raise OsopsError(f"{shown} is a directory, not a clouds.yaml", f"put a clouds.yaml file there instead "
                         f"(see {CLOUDS_YAML_EXAMPLE})")
    if not os.path.isfile(path):
        raise OsopsError(f"{shown} is not a regular file (a device, FIFO, socket or broken link)",
                         "point OS_CLIENT_CONFIG_FILE at a clouds.yaml file")
    try:
        text = read_limited(path, "clouds.yaml")
    except OSError as exc:
        raise OsopsError(f"cannot read {shown}: {exc.strerror or exc}",
                         "fix its permissions (it is only read)") from None
    if not text.strip():
        raise OsopsError(f"{shown} is empty: it has no clouds", f"write cloud {printable(name)} in it "
                         f"(see {CLOUDS_YAML_EXAMPLE})")


def check_draft(draft: CloudRegion, url_where: str) -> None:
    """Around the loader: OsopsError for an auth URL that is not a URL (it
    is named as *url_where* says: OS_AUTH_URL ...) and for a token left in
    OS_TOKEN while the auth type wants a password."""
    from osops.proxy import masked

    config = draft.config
    auth = config.get("auth") or {}
    url = auth.get("auth_url")
    if url:
        split = urllib.parse.urlsplit(str(url))
        if split.scheme not in ("http", "https") or not split.hostname:
            raise OsopsError(f"{url_where} is not a URL: {printable(masked(url))}",
                             "write it as http://HOST:5000/v3 or https://HOST/identity/v3")
    auth_type = str(config.get("auth_type") or "password")
    if auth.get("token") and "password" in auth_type:
        left = "OS_TOKEN is set" if os.environ.get("OS_TOKEN") else "a token is given"
        raise OsopsError(f"{left} while the auth type is {auth_type} (a user and password)",
                         "unset OS_TOKEN (left over from another openrc?), or use the token alone "
                         "(OS_AUTH_TYPE=token, without OS_USERNAME and OS_PASSWORD)")


def unscoped(auth: Mapping[str, Any] | None) -> tuple[str, str] | None:
    """(problem, fix) when the safe auth settings *auth* name no project
    (nor domain), so the token is unscoped and has no catalog; else None."""
    if not auth or any(auth.get(k) for k in ("project_name", "project_id", "domain_name", "domain_id")):
        return None
    return ("no project given: the token is unscoped and carries no service catalog",
            "set OS_PROJECT_NAME (and OS_PROJECT_DOMAIN_ID=default), pass --os-project-name, or add project_name "
            "to the cloud in clouds.yaml")
