"""tools/devcloud's warning that bridged pings are dropped: br_netfilter
hands bridged traffic to iptables (its proc switch is 1) and the FORWARD
policy is DROP.  The switch is a file here; iptables a stand-in script
printing the policy line as ``iptables -S FORWARD`` prints it."""

import pytest

from tests.devcloud_tool import part


@pytest.fixture
def devcloud():
    return part("netnode")


def files(tmp_path, switch, policy):
    nf_call = tmp_path / "bridge-nf-call-iptables"
    if switch is not None:
        nf_call.write_text(f"{switch}\n")
    iptables = tmp_path / "iptables"
    iptables.write_text(f"#!/bin/sh\necho '-P FORWARD {policy}'\necho '-A FORWARD -j DOCKER-USER'\n")
    iptables.chmod(0o755)
    return str(nf_call), str(iptables)


def test_warns_in_one_line_when_bridged_traffic_meets_a_drop_policy(devcloud, tmp_path):
    warning = devcloud.netfilter_warning(*files(tmp_path, 1, "DROP"))
    assert warning.startswith("warning: br_netfilter passes bridged traffic through iptables, whose FORWARD policy "
                              "is DROP") and "\n" not in warning


@pytest.mark.parametrize("switch, policy", [(1, "ACCEPT"), (0, "DROP"), (None, "DROP")])  # None: no br_netfilter
def test_silent_otherwise(devcloud, tmp_path, switch, policy):
    assert devcloud.netfilter_warning(*files(tmp_path, switch, policy)) is None
