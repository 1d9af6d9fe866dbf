"""boot's options (--network, --nic, --security-group, --key-name,
--user-data, --availability-zone, --config-drive): each reaches Nova's
create body, on the boot-options recording; bad input is one line, exit 2,
before any call; the parsers of --nic and --availability-zone take any
text to a value or a clean error."""

import base64
import ipaddress
import pathlib

import pytest
from hypothesis import given
from hypothesis import strategies as st

from osops import boot_options
from osops.boot_options import Nic, parse_nic, parse_zone
from osops.errors import UsageError
from osops.recordings import USER_DATA, find
from tests.unit.conftest import cassette

ROOT = pathlib.Path(__file__).resolve().parents[2]
ARGV = find("boot-options").argv  # boot h4-opts ... as recorded


def _listed(data, path):
    [item] = [i for i in data["interactions"] if i["request"]["method"] == "GET" and i["request"]["url"].endswith(path)]
    return item["response"]["json"]


def _create(result):
    [body] = [b for c, b in zip(result.calls, result.bodies, strict=True)
              if c.startswith("POST") and c.endswith("/servers")]
    return body["server"]


def _project_id(data):
    [token] = [i for i in data["interactions"] if i["request"]["url"].endswith("/v3/auth/tokens")]
    return token["response"]["json"]["token"]["project"]["id"]


def test_every_option_reaches_novas_create_body(cli, monkeypatch):
    monkeypatch.chdir(ROOT)  # the user-data file is named as recorded, from the checkout
    data = cassette("boot-options")
    r = cli(data, *ARGV, "-f", "json")
    assert r.code == 0, r.err
    [private] = [n["id"] for n in _listed(data, "/v2.0/networks")["networks"] if n["name"] == "private"]
    # admin sees every project's default group; the project's own is taken
    [default] = [g["id"] for g in _listed(data, "/v2.0/security-groups")["security_groups"]
                 if g["name"] == "default" and g["project_id"] == _project_id(data)]
    server = _create(r)
    assert server["networks"] == [{"uuid": private}, {"uuid": private, "fixed_ip": "10.0.0.60"}]
    assert server["security_groups"] == [{"name": default}]
    assert base64.b64decode(server["user_data"]) == (ROOT / USER_DATA).read_bytes()
    assert (server["availability_zone"], server["config_drive"]) == ("nova", True)
    [shown] = r.json()
    assert "10.0.0.60" in shown["Networks"]["private"] and len(shown["Networks"]["private"]) == 2


def test_the_python_api_takes_the_same_options(clean_env, osops_replay, zero_poll_waits):
    import osops
    from osops import servers

    data = cassette("boot-options")
    player = osops_replay(data)
    conn = osops.connect(auth_url=player.auth_url, username="admin", password="pw", project_name="admin",
                         user_domain_id="default", project_domain_id="default")
    (server,) = servers.boot(conn, "h4-opts", image="cirros-0.6", flavor="m1.tiny", networks=["private"],
                             nics=[Nic(net_id="private", v4_fixed_ip="10.0.0.60")], security_groups=["default"],
                             user_data=(ROOT / USER_DATA).read_text(), availability_zone="nova", config_drive=True,
                             name_taken="warn")
    assert server.status == "ACTIVE" and "10.0.0.60" in server.ips()
    [body] = [b for c, b in zip(player.calls, player.bodies, strict=True) if c.endswith("/servers")]
    assert body["server"]["config_drive"] is True and body["server"]["networks"][1]["fixed_ip"] == "10.0.0.60"


def _with_security_group(data, name):
    """Derived: a group *name* of the project added to the recorded group list."""
    groups = _listed(data, "/v2.0/security-groups")["security_groups"]
    [own] = [g for g in groups if g["name"] == "default" and g["project_id"] == _project_id(data)]
    groups.append({**own, "id": "0000aaaa-0000-4000-8000-000000000001", "name": name})
    return data


def test_an_ambiguous_group_lists_the_candidates_and_boots_nothing(cli, monkeypatch):
    monkeypatch.chdir(ROOT)
    data = _with_security_group(cassette("boot-options"), "default-web")
    r = cli(data, "boot", "h4-opts", "--flavor", "m1.tiny", "--image", "cirros-0.6", "--security-group", "def")
    assert r.code == 1 and r.err.count("\n") == 1 and "Traceback" not in r.err
    assert r.err.startswith("security group 'def' is ambiguous: it matches ")
    assert "default-web (0000aaaa-" in r.err and "default (" in r.err
    assert not [c for c in r.calls if c.startswith("POST") and c.endswith("/servers")]


def test_groups_are_resolved_by_the_name_rule_with_one_list_call(cli):
    data = _with_security_group(cassette("boot-options"), "web-in")
    r = cli(data, "boot", "h4-opts", "--flavor", "m1.tiny", "--image", "cirros-0.6", "--network", "private",
            "--security-group", "WEB", "--security-group", "default")
    assert len([c for c in r.calls if c.endswith("/v2.0/security-groups")]) == 1
    assert _create(r)["security_groups"][0] == {"name": "0000aaaa-0000-4000-8000-000000000001"}
    assert len(_create(r)["security_groups"]) == 2


def test_an_unknown_group_is_named_with_the_closest(cli):
    r = cli("boot-options", "boot", "x", "--flavor", "m1.tiny", "--image", "cirros-0.6",
            "--security-group", "defualt")
    assert (r.code, r.out) == (1, "")
    assert r.err.startswith("no security group 'defualt'; closest: default")


def _with_keypairs(data, names):
    """Derived: Nova's keypair list (GET /os-keypairs, its shape: each
    entry wrapped in "keypair") answering *names*, before the group list
    (where the boot asks it)."""
    at = next(n for n, i in enumerate(data["interactions"]) if i["request"]["url"].endswith("/security-groups"))
    listing = {"request": {"method": "GET", "url": "{compute}/v2.1/os-keypairs", "query": {}, "body": None},
               "response": {"status": 200, "headers": {"Content-Type": "application/json"},
                            "json": {"keypairs": [{"keypair": {"name": n, "type": "ssh", "fingerprint": "fp",
                                                               "public_key": "ssh-ed25519 AAAA"}} for n in names]}}}
    data["interactions"].insert(at, listing)
    return data


def test_a_keypair_is_resolved_and_reaches_the_body(cli, monkeypatch):
    monkeypatch.chdir(ROOT)
    r = cli(_with_keypairs(cassette("boot-options"), ["h4-key", "lab"]), *ARGV, "--key-name", "h4-k")
    assert r.code == 0, r.err
    assert _create(r)["key_name"] == "h4-key"


def test_a_missing_keypair_names_it_and_the_command_that_lists_them(cli, monkeypatch):
    monkeypatch.chdir(ROOT)
    r = cli(_with_keypairs(cassette("boot-options"), ["lab"]), *ARGV, "--key-name", "h4-key")
    assert (r.code, r.out) == (1, "")
    assert r.err == "no keypair 'h4-key'; there are: lab; see the keypairs with: osops keypair list\n"
    assert not [c for c in r.calls if c.startswith("POST") and c.endswith("/servers")]


@pytest.mark.parametrize(("args", "message"), [
    (["--nic", "net-id=private,mac=x"], "--nic net-id=private,mac=x: unknown key mac (the keys are "),
    (["--nic", "net-id=private,port-id=p1"], "--nic net-id=private,port-id=p1: net-id and port-id exclude"),
    (["--nic", "net-id=private,v4-fixed-ip=10.0.0.300"], "v4-fixed-ip=10.0.0.300 is not an IPv4 address"),
    (["--nic", "net-id=private,v6-fixed-ip=10.0.0.3"], "v6-fixed-ip=10.0.0.3 is not an IPv6 address"),
    (["--nic", "v4-fixed-ip=10.0.0.3"], "--nic v4-fixed-ip=10.0.0.3: needs net-id or port-id"),
    (["--nic", "port-id=p1,v4-fixed-ip=10.0.0.3"], "a fixed IP goes with net-id, not port-id"),
    (["--nic", "net-id=a,net-id=b"], "--nic net-id=a,net-id=b: net-id given twice"),
    (["--nic", "net-id="], "--nic net-id=: net-id needs a value"),
    (["--availability-zone", "nova:"], "--availability-zone nova:: the host is empty"),
    (["--availability-zone", ":host"], "--availability-zone :host: the zone is empty"),
    (["--availability-zone", "a:b:c"], "--availability-zone a:b:c: one colon at most"),
    (["--user-data", "/nonexistent/h4-ud"], "--user-data /nonexistent/h4-ud: cannot read it (No such file"),
    (["--user-data", "/"], "--user-data /: cannot read it (Is a directory)"),
])
def test_bad_input_is_one_line_exit_2_before_any_call(cli, args, message):
    r = cli("boot-options", "boot", "x", "--flavor", "m1.tiny", "--image", "cirros-0.6", *args)
    assert (r.code, r.out, r.calls) == (2, "", [])
    assert message in r.err and r.err.count("\n") == 1 and "Traceback" not in r.err


def test_user_data_over_novas_limit_is_refused_before_any_call(cli, tmp_path):
    fits, over = tmp_path / "fits", tmp_path / "over"
    fits.write_bytes(b"x" * boot_options.USER_DATA_BYTES)
    over.write_bytes(b"x" * (boot_options.USER_DATA_BYTES + 1))
    assert len(boot_options.encode_user_data(boot_options.read_user_data(str(fits)))) <= 65535
    r = cli("boot-options", "boot", "x", "--flavor", "m1.tiny", "--image", "cirros-0.6", "--user-data", str(over))
    assert (r.code, r.out, r.calls) == (2, "", [])
    assert r.err == (f"--user-data {over} is over 49149 bytes, over Nova's limit of 65535 characters in base64 "
                     "(49149 bytes); make it smaller (cloud-init also reads gzipped user data)\n")
    with pytest.raises(UsageError, match="^the user data is 49150 bytes, over"):
        boot_options.encode_user_data("x" * 49150)


# --nic: any text is a Nic or one clean error; a Nic's text parses back to it
KEYS = st.sampled_from([*boot_options.NIC_KEYS, "mac", "tag", "NET-ID", ""])
VALUES = st.one_of(st.text(max_size=8), st.ip_addresses().map(str), st.sampled_from(["private", "p1", " x", "a=b"]))
NIC_TEXT = st.one_of(st.text(max_size=40),
                     st.lists(st.tuples(KEYS, VALUES), min_size=1, max_size=4).map(
                         lambda parts: ",".join(f"{k}={v}" for k, v in parts)))


@given(NIC_TEXT)
def test_any_nic_text_is_a_nic_or_one_line_naming_it(text):
    try:
        nic = parse_nic(text)
    except UsageError as exc:
        assert str(exc).startswith("--nic ") and "\n" not in str(exc) and "write it as net-id=" in str(exc)
    else:
        assert (nic.net_id is None) != (nic.port_id is None)
        assert not (nic.v4_fixed_ip and nic.v6_fixed_ip) and not (nic.port_id and (nic.v4_fixed_ip or nic.v6_fixed_ip))
        assert nic.v4_fixed_ip is None or ipaddress.ip_address(nic.v4_fixed_ip).version == 4
        assert nic.v6_fixed_ip is None or ipaddress.ip_address(nic.v6_fixed_ip).version == 6
        assert parse_nic(nic.text) == nic


NAME = st.text(st.characters(categories=["L", "N", "Pd"], include_characters="._"), min_size=1, max_size=12)
VALID_NIC = st.one_of(
    st.builds(Nic, port_id=NAME),
    st.builds(Nic, net_id=NAME, v4_fixed_ip=st.one_of(st.none(), st.ip_addresses(v=4).map(str))),
    st.builds(Nic, net_id=NAME, v6_fixed_ip=st.ip_addresses(v=6).map(str)))


@given(VALID_NIC)
def test_every_well_formed_nic_parses_back_from_its_text(nic):
    assert parse_nic(nic.text) == nic


@given(st.one_of(st.text(max_size=30), st.tuples(NAME, st.text(max_size=8)).map(":".join)))
def test_any_zone_text_is_a_zone_and_host_or_one_line_naming_it(text):
    try:
        zone, host = parse_zone(text)
    except UsageError as exc:
        assert str(exc).startswith("--availability-zone ") and "write it as ZONE or ZONE:HOST" in str(exc)
        assert "\n" not in str(exc)
    else:
        assert zone and ":" not in zone and (host is None or (host and ":" not in host))
        assert text == (f"{zone}:{host}" if host is not None else zone)


@given(NAME, st.one_of(st.none(), NAME))
def test_a_zone_and_host_parse_back(zone, host):
    assert parse_zone(f"{zone}:{host}" if host else zone) == (zone, host)


def test_a_scenario_boot_step_takes_the_options(cli, tmp_path):
    lab = tmp_path / "opts.yaml"
    lab.write_text('name: opts\nsteps:\n  - boot: {name: opts, image: cirros-0.6, flavor: m1.tiny, networks: '
                   '[private, private], security_groups: [default], user_data: "#!/bin/sh\\necho hi\\n", '
                   'availability_zone: nova, config_drive: true}\n')
    r = cli("boot-options", "scenario", "run", str(lab), "--keep", "--run-id", "h4opts1")
    assert r.code == 0, r.err
    server = _create(r)
    assert server["name"] == "osops-h4opts1-opts" and server["metadata"] == {"osops-run": "h4opts1"}
    assert len(server["networks"]) == 2 and server["networks"][0] == server["networks"][1]
    assert base64.b64decode(server["user_data"]) == b"#!/bin/sh\necho hi\n"
    assert (server["availability_zone"], server["config_drive"], len(server["security_groups"])) == ("nova", True, 1)


@pytest.mark.parametrize("options", [
    {"nics": ["net-id=a,port-id=b"]}, {"nics": [Nic(port_id="p", v4_fixed_ip="10.0.0.1")]},
    {"availability_zone": "nova:"}, {"user_data": b"x" * 49150}])
def test_the_python_api_refuses_bad_input_before_any_call(options):
    from osops import servers

    with pytest.raises(UsageError):
        servers.boot(None, "web", image="cirros", flavor="m1.tiny", **options)  # no connection is touched
