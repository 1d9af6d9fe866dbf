"""Resources a first server needs: a bootable image, a flavor, a network."""

from osops.doctor.core import FAIL, OK, WARN, Check, Context, check

IMAGE_FIX = ("upload one: openstack image create --disk-format qcow2 --container-format bare "
             "--public --file cirros-0.6.2-x86_64-disk.img cirros")
FLAVOR_FIX = "create one (admin): openstack flavor create --ram 512 --disk 1 --vcpus 1 m1.tiny"
NETWORK_FIX = ("create one: openstack network create private && openstack subnet create "
               "--network private --subnet-range 10.0.0.0/24 private-subnet")


def _names(items, limit=5):
    names = [i.name or i.id for i in items]
    more = f" and {len(names) - limit} more" if len(names) > limit else ""
    return ", ".join(names[:limit]) + more


@check("Images")
def images(ctx: Context) -> Check:
    from osops.images import list_images

    ctx.require_service("image", "images")
    found = list_images(ctx.conn)
    bootable = [i for i in found if i.bootable]
    if not bootable:
        what = (f"{len(found)} images, none bootable (active and not a kernel or ramdisk): {_names(found)}"
                if found else "no images")
        return Check("Images", FAIL, what, IMAGE_FIX)
    return Check("Images", OK, f"{len(bootable)} bootable of {len(found)}: {_names(bootable)}")


@check("Flavors")
def flavors(ctx: Context) -> Check:
    from osops.flavors import list_flavors, smallest_flavor

    ctx.require_service("compute", "flavors")
    found = list_flavors(ctx.conn)
    if not found:
        return Check("Flavors", FAIL, "no flavors visible to this project", FLAVOR_FIX)
    small = smallest_flavor(found)
    assert small is not None  # with no minimum, every flavor fits
    return Check("Flavors", OK, f"{len(found)} flavors; smallest {small.name} ({small.ram} MB RAM, "
                 f"{small.vcpus} vCPU, {small.disk} GB disk)")


@check("Networks")
def networks(ctx: Context) -> Check:
    from osops.networks import list_networks, usable_networks

    ctx.require_service("network", "networks")
    conn = ctx.conn
    usable = usable_networks(list_networks(conn), conn.current_project_id)
    if not usable:
        return Check("Networks", WARN, "no usable network (active, not external, this project's or "
                     "shared): servers would boot without one", NETWORK_FIX)
    with_subnet = [n for n in usable if n.subnet_ids]
    if not with_subnet:
        return Check("Networks", WARN, f"usable networks have no subnet, so Nova refuses them: {_names(usable)}",
                     "add a subnet: openstack subnet create --network NAME --subnet-range 10.0.0.0/24 NAME-subnet")
    note = "; several, so boot needs --network" if len(with_subnet) > 1 else ""
    return Check("Networks", OK, f"usable: {_names(with_subnet)}{note}")
