"""image/flavor/server list and show through the real entry point."""

import csv
import io
import re

import pytest
import yaml

from osops.cli.server import SHOW_FIELDS
from tests.unit.conftest import cassette


def test_image_list_marks_bootable_images(cli):
    r = cli("image-list", "image", "list", "-f", "json")
    assert r.code == 0, r.err
    rows = {row["Name"]: row for row in r.json()}
    assert rows["cirros-0.6.2-x86_64-disk"]["Bootable"] is True
    assert rows["cirros-0.3.4-x86_64-uec"]["Bootable"] is True
    assert rows["cirros-0.3.4-x86_64-uec-kernel"]["Bootable"] is False
    assert rows["cirros-0.3.4-x86_64-uec-ramdisk"]["Container Format"] == "ari"


def test_flavor_list_has_nova_flavor_lists_shape(cli):
    r = cli("flavor-list", "flavor", "list")
    assert r.code == 0, r.err
    header = r.out.splitlines()[1]
    assert [c.strip() for c in header.strip("|").split("|")] == [
        "ID", "Name", "Memory_MB", "Disk", "Ephemeral", "Swap", "VCPUs", "RXTX_Factor", "Is_Public"]
    rows = [[c.strip() for c in line.strip("|").split("|")] for line in r.out.splitlines()[3:-1]]
    assert ["42", "m1.nano", "64", "0", "0", "", "1", "1.0", "True"] in rows
    # for machines, no swap is the number 0 (as openstack gives it), not ""
    nano = {f["Name"]: f for f in cli("flavor-list", "flavor", "list", "-f", "json").json()}["m1.nano"]
    assert nano["Swap"] == 0 and nano["Memory_MB"] == 64 and nano["Is_Public"] is True


def test_every_formatter_and_column_selection(cli):
    value = cli("flavor-list", "flavor", "list", "-f", "value", "-c", "ID", "-c", "Name").out.split("\n")
    assert "1 m1.tiny" in value and "84 m1.micro" in value
    rows = list(csv.DictReader(io.StringIO(cli("flavor-list", "flavor", "list", "-f", "csv").out)))
    assert {r["Name"]: r["Memory_MB"] for r in rows}["m1.small"] == "2048"
    data = yaml.safe_load(cli("flavor-list", "flavor", "list", "-f", "yaml").out)
    assert {r["Name"]: r["VCPUs"] for r in data}["m1.medium"] == 2


def test_list_commands_make_one_request_per_page(cli):
    r = cli("image-list", "image", "list")
    images = [c for c in r.calls if "/v2/images" in c]
    assert images == ["GET http://image.osops.invalid/v2/images?limit=1000"]  # Glance's largest page


def test_server_list_shows_networks_like_nova_list_in_a_table(cli):
    r = cli("server-list", "server", "list", "-f", "table")
    assert r.code == 0, r.err
    [row] = [line for line in r.out.splitlines() if " demo-1 " in line]
    cells = [c.strip() for c in row.strip("|").split("|")]
    assert cells[2:5] == ["ACTIVE", "-", "Running"]
    assert cells[5].startswith("private=10.0.0.")


def test_server_list_json_has_openstacks_shapes(cli):
    r = cli("server-list", "server", "list", "-f", "json")
    assert r.code == 0, r.err
    (server,) = [s for s in r.json() if s["Name"] == "demo-1"]
    assert server["Status"] == "ACTIVE" and server["Power State"] == "Running"
    assert server["Task State"] is None
    [address] = server["Networks"]["private"]
    assert address.startswith("10.0.0.")


def _with_image_list(name):
    """The recorded session *name* with the image list of the recorded
    image-list session answering too (derived: its Glance interactions
    appended; both recordings come from the same cloud)."""
    data = cassette(name)
    data["interactions"] += [i for i in cassette("image-list")["interactions"]
                             if i["request"]["url"].startswith("{image}")]
    return data


def _image_list():
    [listing] = [i for i in cassette("image-list")["interactions"] if i["request"]["url"].endswith("/v2/images")]
    return {i["id"]: i["name"] for i in listing["response"]["json"]["images"]}


def test_server_show_says_when_its_image_was_deleted(cli):
    # Derived: the recorded Glance GET of the server's image answers 404, as for an image deleted since the boot.
    data = cassette("server-show")
    [get] = [i for i in data["interactions"] if "/v2/images/" in i["request"]["url"]]
    get["response"] = {"status": 404, "headers": {"Content-Type": "text/plain"}, "text": "404 Not Found"}
    r = cli(data, "server", "show", "demo-1", "-f", "json")
    assert r.code == 0, r.err
    shown = r.json()
    assert shown["image"] == f"{shown['image_id']} (deleted)"


def test_server_list_long_adds_image_flavor_zone_host_and_more(cli):
    r = cli(_with_image_list("server-list"), "server", "list", "--long", "-f", "json")
    assert r.code == 0, r.err
    (server,) = [s for s in r.json() if s["Name"] == "demo-1"]
    assert list(server) == ["ID", "Name", "Status", "Task State", "Power State", "Networks", "Image Name",
                            "Image ID", "Flavor Name", "Availability Zone", "Host", "Key Name",
                            "Security Groups", "Created", "Properties"]
    assert server["Image Name"] == _image_list()[server["Image ID"]]
    assert server["Flavor Name"] == "m1.tiny" and server["Availability Zone"] == "nova"
    assert server["Host"] == "devcloud" and server["Key Name"] is None
    assert server["Security Groups"] == ["default"] and list(server["Properties"]) == ["osops-boot"]  # its boot's tag
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", server["Created"])
    assert len([c for c in r.calls if c.split("?")[0].endswith("/v2/images")]) == 1
    table = cli(_with_image_list("server-list"), "server", "list", "--long", "-c", "Key Name", "-c",
                "Security Groups", "-f", "table")
    assert "| -        | default         |" in table.out


def test_server_list_filters_go_to_nova(cli):
    # Derived: the recorded list, answered only to the filtered query.
    data = cassette("server-list")
    for item in data["interactions"]:
        if item["request"]["url"].endswith("/servers/detail"):
            item["request"]["query"] = {"status": ["ACTIVE"], "name": ["^demo"], "all_tenants": ["True"]}
    r = cli(data, "server", "list", "--status", "active", "--name", "^demo", "--all-projects")
    assert r.code == 0, r.err
    # the unfiltered recording does not answer a filtered query
    assert cli("server-list", "server", "list", "--status", "active", unmatched_ok=True).code == 1


def test_server_show_by_name(cli):
    r = cli("server-show", "server", "show", "demo-1", "-f", "json")
    assert r.code == 0, r.err
    shown = r.json()
    assert shown["name"] == "demo-1" and shown["flavor"] == "m1.tiny"
    [address] = shown["addresses"]["private"]
    assert address.startswith("10.0.0.")


def test_server_show_has_openstacks_fields_with_nulls_lists_and_times(cli):
    r = cli("server-show", "server", "show", "demo-1", "-f", "json")
    shown = r.json()
    assert shown["OS-EXT-STS:task_state"] is None and shown["OS-EXT-STS:power_state"] == "Running"
    assert shown["OS-EXT-STS:vm_state"] == "active" and shown["OS-EXT-AZ:availability_zone"] == "nova"
    assert shown["OS-EXT-SRV-ATTR:host"] == "devcloud" and shown["key_name"] is None
    assert shown["security_groups"] == ["default"] and shown["volumes_attached"] == []
    assert shown["image"] == f"cirros-0.6.2-x86_64-disk ({shown['image_id']})"  # by name and id, one Glance GET
    assert [c for c in r.calls if "/v2/images" in c] == [f"GET http://image.osops.invalid/v2/images/{shown['image_id']}"]
    assert list(shown["properties"]) == ["osops-boot"] and shown["fault"] is None  # the tag of the boot that made it
    for field in ("created", "OS-SRV-USG:launched_at", "updated"):
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", shown[field]), field
    table = cli("server-show", "server", "show", "demo-1", "-f", "table").out
    assert re.search(r"\| OS-EXT-STS:task_state +\| - +\|", table)
    assert re.search(r"\| addresses +\| private=10\.0\.0\.\d+ +\|", table)


IMAGE_COLUMNS = "ID, Name, Status, Disk Format, Container Format, Size, Bootable"


def no_column(command, unknown, columns):
    """The usage error for -c naming no column, in argparse's errors' shape."""
    return f"osops {command}: {unknown}: no such column; the columns are: {columns} (see: osops help {command})\n"


def test_columns_match_like_clis_own(cli):
    r = cli("image-list", "image", "list", "-f", "json", "-c", "name", "-c", "disk_format")
    assert r.code == 0, r.err
    assert set(r.json()[0]) == {"Name", "Disk Format"}


@pytest.mark.parametrize(("argv", "line"), [
    (["-c", "Bogus"], "-c 'Bogus'"),
    (["-c", "Name", "-c", "Bogus"], "-c 'Bogus'"),
    (["-c", "Bogus", "-c", "Nmae"], "-c 'Bogus', -c 'Nmae'"),
])
def test_an_unknown_column_is_a_one_line_usage_error(cli, argv, line):
    r = cli("image-list", "image", "list", "-f", "json", *argv)
    assert (r.code, r.out, r.err) == (2, "", no_column("image list", line, IMAGE_COLUMNS))


def test_an_unknown_column_of_show_and_of_a_command_without_a_cloud(cli):
    r = cli("server-show", "server", "show", "demo-1", "-c", "name", "-c", "Bogus")
    assert r.code == 2 and r.out == ""
    assert r.err == no_column("server show", "-c 'Bogus'", ", ".join(SHOW_FIELDS))
    r = cli("image-list", "scenario", "list", "-c", "Bogus")
    assert (r.code, r.calls) == (2, [])
    assert r.err == no_column("scenario list", "-c 'Bogus'", "Name, Steps, Description, File")


@pytest.mark.parametrize(("name", "argv", "columns"), [
    ("cleanup", ["cleanup", "--run", "keeprec1"], "ID, Name, Run, Status"),
    ("host-ping-all", ["ping", "--all", "--address-type", "floating", "--count", "1"],
     "Server, Address, Sent, Received, Loss %, RTT min/avg/max, Result"),
    ("doctor", ["doctor", "--no-host"], "Check, Result, Found, Fix"),
])
def test_an_unknown_column_is_refused_before_the_command_acts(cli, monkeypatch, name, argv, columns):
    # Before anything is deleted, pinged or checked: not an error printed after the deed.
    for sender in ("_icmplib", "_system"):
        monkeypatch.setattr(f"osops.host.ping.{sender}", lambda *a, **k: pytest.fail("pinged"))
    r = cli(name, *argv, "-c", "Bogus")
    assert (r.code, r.out, r.calls) == (2, "", [])
    assert r.err == no_column(argv[0], "-c 'Bogus'", columns)


def test_ping_has_a_namespace_column_only_with_netns(cli, monkeypatch):
    for sender in ("_icmplib", "_system"):
        monkeypatch.setattr(f"osops.host.ping.{sender}", lambda *a, **k: pytest.fail("pinged"))
    r = cli("host-ping-all", "ping", "--all", "-c", "Namespace")
    assert (r.code, r.calls) == (2, []) and "-c 'Namespace': no such column" in r.err
