"""Compute and network: Nova services up and hypervisors registered,
Neutron agents alive.  Both need admin; without it they SKIP with the reason."""

from osops.doctor.core import ADMIN_FIX, FAIL, OK, WARN, Check, Context, Skip, check, forbidden

LOG_FIX = ("see the service's log; a service that reports down while running often means a clock "
           "skew or a broken message queue")


def _admin_only(exc, service):
    if forbidden(exc):
        raise Skip(f"needs admin: {service} answered HTTP 403 (forbidden) to this user", ADMIN_FIX) from exc
    raise exc


@check("Compute services")
def compute(ctx: Context) -> Check:
    """nova-* services up or down, and how many hypervisors registered."""
    ctx.require_service("compute", "Nova services")
    conn = ctx.conn
    try:
        services = list(conn.compute.services())
    except Exception as exc:
        _admin_only(exc, "Nova")
    try:
        hypervisors = len(list(conn.compute.hypervisors()))
    except Exception as exc:
        _admin_only(exc, "Nova")
    enabled = [s for s in services if (s.status or "enabled") == "enabled"]
    down = [s for s in enabled if s.state != "up"]
    disabled = [s for s in services if s not in enabled]
    listed = ", ".join(f"{s.binary}@{s.host} {s.state}" for s in services) or "none"
    found = f"{listed}; {hypervisors} hypervisor{'s' if hypervisors != 1 else ''}"
    if disabled:
        found += "; disabled: " + ", ".join(
            f"{s.binary}@{s.host}" + (f" ({s.disabled_reason})" if s.disabled_reason else "") for s in disabled)
    if down:
        names = ", ".join(f"{s.binary} on {s.host}" for s in down)
        return Check("Compute services", FAIL, f"{names} down: {found}",
                     f"start them or read why they stopped ({LOG_FIX})")
    if not any(s.binary == "nova-compute" for s in enabled):
        return Check("Compute services", FAIL, f"no enabled nova-compute: {found}",
                     "start nova-compute on a compute host (or enable it: openstack compute service set --enable)")
    if not hypervisors:
        return Check("Compute services", FAIL, f"no hypervisor registered: {found}",
                     "map the compute host into a cell: nova-manage cell_v2 discover_hosts --verbose")
    return Check("Compute services", OK, found)


@check("Neutron agents")
def agents(ctx: Context) -> Check:
    """Every Neutron agent alive; WARN when there are none at all."""
    ctx.require_service("network", "Neutron agents")
    try:
        found_agents = ctx.agents()
    except Exception as exc:
        if (getattr(exc, "status_code", None) or getattr(exc, "http_status", None)) == 404:
            raise Skip("this Neutron has no agents API (no agent extension)") from exc
        _admin_only(exc, "Neutron")
    if not found_agents and not ctx.is_admin:
        raise Skip("needs admin: Neutron lists agents only to admins (an empty list for this user)", ADMIN_FIX)
    if not found_agents:
        return Check("Neutron agents", WARN, "no agents registered: ports get addresses but nothing wires "
                     "them up (no L2, DHCP or L3 agent)",
                     "start the agents (neutron-openvswitch-agent, neutron-dhcp-agent, neutron-l3-agent, "
                     "neutron-metadata-agent) or ovn-controller, unless this cloud is API-only on purpose")
    # Neutron lists agents in no set order: by type, then host, so the row reads the same each time
    found_agents = sorted(found_agents, key=lambda a: (a.agent_type or "", a.host or ""))
    dead = [a for a in found_agents if not a.is_alive]
    off = [a for a in found_agents if a.is_alive and a.is_admin_state_up is False]
    listed = ", ".join(f"{a.agent_type}@{a.host}" for a in found_agents)
    if dead:
        names = ", ".join(f"{a.binary or a.agent_type} on {a.host}" for a in dead)
        return Check("Neutron agents", FAIL, f"not alive: {names} (of {len(found_agents)}: {listed})",
                     f"start them or read why they stopped ({LOG_FIX})")
    if off:
        names = ", ".join(f"{a.agent_type} on {a.host}" for a in off)
        return Check("Neutron agents", WARN, f"administratively down: {names}",
                     "openstack network agent set --enable <agent id>")
    return Check("Neutron agents", OK, f"{len(found_agents)} alive: {listed}")
