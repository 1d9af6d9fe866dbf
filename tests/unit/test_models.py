from osops.models import Address, Image, Server


def image(disk, container, status="active"):
    return Image("i", "n", status, disk, container, 1, "public")


def test_kernel_ramdisk_and_inactive_images_are_not_bootable():
    assert image("ami", "ami").bootable
    assert image("qcow2", "bare").bootable
    assert not image("aki", "aki").bootable
    assert not image("ari", "ari").bootable
    assert not image("qcow2", "bare", status="queued").bootable


def test_networks_in_novas_shape_and_ips_by_kind():
    s = Server("1", "web", "ACTIVE", None, "Running", addresses=(
        Address("private", "10.0.0.5", 4, "fixed", "fa:16:3e:00:00:01"),
        Address("private", "172.24.4.3", 4, "floating", "fa:16:3e:00:00:01"),
        Address("other", "fd00::5", 6, "fixed", "fa:16:3e:00:00:02")))
    assert s.networks == "private=10.0.0.5, 172.24.4.3; other=fd00::5"
    assert s.ips("floating") == ["172.24.4.3"]
    assert s.ips("fixed") == ["10.0.0.5", "fd00::5"]
