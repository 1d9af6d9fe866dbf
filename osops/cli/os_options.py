"""The global --os-* options, python-openstackclient's names and their OS_*
twins.

As in python-openstackclient, each option's default is its OS_* variable,
and openstacksdk's loader lets every value given win over the clouds.yaml
cloud: an option beats its variable, and both beat the cloud.
"""

import argparse
import os

from osops.settings import SETTINGS, option_of

# setting (clouds.yaml's name) -> help; the option is --os-NAME (--insecure).
OS_OPTIONS = {
    "auth_type": "auth plugin: password, token, v3applicationcredential ...",
    "auth_url": "Keystone URL",
    "username": "user name",
    "user_id": "user id",
    "password": "password",
    "token": "a token (with --os-auth-type token)",
    "application_credential_id": "application credential id",
    "application_credential_name": "application credential name (with the user)",
    "application_credential_secret": "application credential secret",
    "project_name": "project name (OS_TENANT_NAME works too)",
    "project_id": "project id (OS_TENANT_ID works too)",
    "system_scope": "system scope, e.g. all (instead of a project)",
    "user_domain_name": "user's domain",
    "user_domain_id": "user's domain id",
    "project_domain_name": "project's domain",
    "project_domain_id": "project's domain id",
    "domain_name": "domain name (a domain-scoped token, or both domains at once)",
    "domain_id": "domain id (a domain-scoped token, or both domains at once)",
    "region_name": "region",
    "interface": "endpoint interface: public, internal or admin",
    "identity_api_version": "Identity API version",
    "cacert": "CA bundle for TLS",
    "cert": "client certificate for TLS",
    "key": "client certificate's key",
    "insecure": "do not verify TLS certificates (labs only)",
}


def env(*names):
    """The first of the variables *names* that is set and not empty, or None."""
    return next((os.environ[n] for n in names if os.environ.get(n)), None)


class Clouds(argparse.Action):
    """--os-cloud: the last one given is *os_cloud*; every one, in order, *os_clouds* (osops smoke runs them all)."""

    def __call__(self, parser, namespace, values, option_string=None):
        setattr(namespace, self.dest, values)
        namespace.os_clouds = [*(getattr(namespace, "os_clouds", None) or []), values]


def add_to(parser):
    """Add --os-cloud, the OS_OPTIONS and --os-api-timeout to *parser*,
    each defaulting to its variable as python-openstackclient's do."""
    # None when not given: openstacksdk's loader reads OS_CLOUD itself, and
    # messages say which of the two chose the cloud.
    parser.add_argument("--os-cloud", metavar="CLOUD", action=Clouds,
                        help="cloud name in clouds.yaml (env OS_CLOUD); 'demo' replays the built-in demo cloud; "
                             "osops smoke takes several")
    for key, text in OS_OPTIONS.items():
        names = SETTINGS[key]
        help_ = f"{text} (env {names[0]})"
        if key == "insecure":
            parser.add_argument("--insecure", action="store_const", const=True, dest="os_insecure",
                                default=env(*names), help=help_)
            continue
        parser.add_argument(option_of(key), metavar=key.split("_")[-1].upper(), dest=f"os_{key}",
                            default=env(*names), help=help_)
    for legacy in ("project_name", "project_id"):  # python-openstackclient's hidden aliases
        parser.add_argument(f"--os-tenant-{legacy.split('_')[1]}", dest=f"os_{legacy}", help=argparse.SUPPRESS)
    parser.add_argument("--os-api-timeout", metavar="TIMEOUT", help="seconds each request may take to connect and "
                        "to answer (env OSOPS_API_TIMEOUT; default 60)")


def values(options):
    """The settings of the parsed *options* as openstacksdk config keys
    (the ``os_`` prefix stripped, as its loader does with argparse values)."""
    return {key: getattr(options, f"os_{key}") for key in (*OS_OPTIONS, "api_timeout")}
