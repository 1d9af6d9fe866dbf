"""The files a user (and the tests) connect with: ``clouds.yaml`` (clouds
``devstack-admin`` and ``devstack``), ``openrc`` (admin) and
``openrc.demo``, in the state directory.  ``purge`` deletes them.

With ML2/OVN the openrcs also export OVS_RUNDIR and OVN_RUNDIR, so that
``ovs-vsctl``, ``ovn-nbctl`` and ``osops bridge``/``doctor`` find this
cloud's Open vSwitch and OVN.
"""

import os

from parts.paths import DIR, HOST, PW

FILES = ("clouds.yaml", "openrc", "openrc.demo")


def write(extra_env):
    """Write the files; *extra_env* ({name: value}) goes into the openrcs."""
    auth = "http://%s:5000" % HOST

    def cloud(name, user, project):
        return ("  %s:\n    auth:\n      auth_url: %s\n      username: %s\n"
                "      password: %s\n      project_name: %s\n"
                "      user_domain_id: default\n"
                "      project_domain_id: default\n"
                "    region_name: RegionOne\n"
                "    identity_api_version: 3\n" % (name, auth, user, PW,
                                                   project))

    with open(os.path.join(DIR, "clouds.yaml"), "w") as f:
        f.write("# written by osops tools/devcloud\nclouds:\n" +
                cloud("devstack-admin", "admin", "admin") +
                cloud("devstack", "demo", "demo"))
    for fname, user in (("openrc", "admin"), ("openrc.demo", "demo")):
        with open(os.path.join(DIR, fname), "w") as f:
            f.write("# written by osops tools/devcloud\n"
                    "export OS_AUTH_URL=%s/v3\nexport OS_AUTH_TYPE=password\n"
                    "export OS_IDENTITY_API_VERSION=3\n"
                    "export OS_USERNAME=%s\nexport OS_PASSWORD=%s\n"
                    "export OS_PROJECT_NAME=%s\n"
                    "export OS_USER_DOMAIN_ID=default\n"
                    "export OS_PROJECT_DOMAIN_ID=default\n"
                    "export OS_REGION_NAME=RegionOne\n"
                    % (auth, user, PW, user) +
                    "".join("export %s=%s\n" % kv for kv in sorted(extra_env.items())))
