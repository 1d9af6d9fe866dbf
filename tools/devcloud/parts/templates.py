"""Configuration files of the devcloud's services, as templates.

render() returns {path relative to the state dir: text}.  Everything binds or
points to 127.0.0.1; MariaDB is reached through its unix socket only, OVS
and OVN through theirs.  Written at each ``up`` into etc/; ``purge``
deletes them.
"""

DB = ("mysql+pymysql://devcloud:{PW}@localhost/{{db}}"
      "?unix_socket={SOCK}&charset=utf8mb4")
RABBIT = "rabbit://guest:guest@127.0.0.1:5672/"
KS = "http://127.0.0.1:5000"


def _auth(section, user, pw, extra=""):
    return """
[{section}]
auth_type = password
auth_url = {ks}
www_authenticate_uri = {ks}
username = {user}
password = {pw}
project_name = service
user_domain_name = Default
project_domain_name = Default
region_name = RegionOne
{extra}""".format(section=section, ks=KS, user=user, pw=pw, extra=extra)


METADATA_SECRET = "devcloud-metadata-secret"  # Nova's and the metadata agent's shared secret


def render(DIR, VENV, PW, SOCK, NOVA_HOST, mode, virt="fake", ovs_db=None, nb_db=None, sb_db=None):
    db = DB.format(PW=PW, SOCK=SOCK).format
    logs = DIR + "/logs"
    common = """
[DEFAULT]
debug = False
use_stderr = False
transport_url = {rabbit}

[oslo_concurrency]
lock_path = {dir}/data/locks

[oslo_messaging_notifications]
driver = noop

""".format(rabbit=RABBIT, dir=DIR)
    files = {}

    files["etc/keystone/keystone.conf"] = """
[DEFAULT]
log_file = {logs}/keystone-service.log

[database]
connection = {db}

[token]
provider = fernet

[fernet_tokens]
key_repository = {dir}/data/keystone/fernet-keys

[credential]
key_repository = {dir}/data/keystone/credential-keys

[cache]
enabled = true
backend = dogpile.cache.memory

[identity]
password_hash_rounds = 4

[oslo_messaging_notifications]
driver = noop
""".format(logs=logs, db=db(db="keystone"), dir=DIR)

    files["etc/glance/glance-api.conf"] = common + """
[DEFAULT]
log_file = {logs}/glance-service.log
enabled_backends = fs:file
workers = 1

[database]
connection = {db}

[glance_store]
default_backend = fs

[fs]
filesystem_store_datadir = {dir}/data/glance/images

[os_glance_staging_store]
filesystem_store_datadir = {dir}/data/glance/staging

[os_glance_tasks_store]
filesystem_store_datadir = {dir}/data/glance/tasks

[paste_deploy]
flavor = keystone
config_file = {dir}/etc/glance/glance-api-paste.ini
""".format(logs=logs, db=db(db="glance"), dir=DIR) + _auth(
        "keystone_authtoken", "glance", PW)

    files["etc/placement/placement.conf"] = """
[DEFAULT]
log_file = {logs}/placement-service.log

[placement_database]
connection = {db}

[api]
auth_strategy = keystone
""".format(logs=logs, db=db(db="placement")) + _auth(
        "keystone_authtoken", "placement", PW)

    files["etc/neutron/neutron.conf"] = common + """
[DEFAULT]
log_file = {logs}/neutron-service.log
core_plugin = ml2
service_plugins = {plugins}
auth_strategy = keystone
api_paste_config = {dir}/etc/neutron/api-paste.ini
state_path = {dir}/data/neutron
allow_overlapping_ips = True
dhcp_agent_notification = False
notify_nova_on_port_status_changes = True
notify_nova_on_port_data_changes = True
api_workers = 1
rpc_workers = 0
rpc_state_report_workers = 0

[database]
connection = {db}

[agent]
root_helper = {root_helper}
""".format(logs=logs, db=db(db="neutron"), dir=DIR,
           plugins="ovn-router" if mode == "ovn" else "router",
           # the metadata agent's privsep: no sudo here, privsep-helper is on the venv's PATH
           root_helper="env" if mode == "ovn" else "") + _auth(
        "keystone_authtoken", "neutron", PW) + _auth(
        "nova", "nova", PW, "endpoint_type = public\n")

    files["etc/neutron/ml2_conf.ini"] = ml2_ovn(nb_db, sb_db) if mode == "ovn" else ML2_LIGHT
    if mode == "ovn":
        files["etc/neutron/neutron_ovn_metadata_agent.ini"] = """
[DEFAULT]
log_file = {logs}/neutron-ovn-metadata-agent-service.log
nova_metadata_host = 127.0.0.1
nova_metadata_port = 8775
metadata_proxy_shared_secret = {secret}
metadata_workers = 0

[agent]
root_helper = env

[ovs]
ovsdb_connection = {ovs_db}

[ovn]
ovn_sb_connection = {sb_db}
""".format(logs=logs, secret=METADATA_SECRET, ovs_db=ovs_db, sb_db=sb_db)

    nova = common + """
[DEFAULT]
graceful_shutdown_timeout = 5
report_interval = 5
periodic_fuzzy_delay = 0
host = {host}
my_ip = 127.0.0.1
compute_driver = devcloud_virt.NetnsDriver
state_path = {dir}/data/nova
instances_path = {dir}/data/nova/instances
vif_plugging_is_fatal = False
vif_plugging_timeout = 0
enabled_apis = osapi_compute
osapi_compute_workers = 1
osapi_compute_listen = 127.0.0.1
metadata_listen = 127.0.0.1

[api]
auth_strategy = keystone

[wsgi]
api_paste_config = {dir}/etc/nova/api-paste.ini

[conductor]
workers = 1

[scheduler]
workers = 1
discover_hosts_in_cells_interval = 2

[quota]
instances = 20
cores = 40

[vnc]
enabled = False

[glance]
region_name = RegionOne
""".format(host=NOVA_HOST, dir=DIR) + _auth(
        "keystone_authtoken", "nova", PW) + _auth(
        # a service token beside the user's, as devstack sends: Neutron lets
        # only a service delete a server's port
        "service_user", "nova", PW, "send_service_user_token = True\n") + _auth(
        "placement", "placement", PW, "valid_interfaces = public\n") + _auth(
        "neutron", "neutron", PW, "valid_interfaces = public\n" + (
            "service_metadata_proxy = True\nmetadata_proxy_shared_secret = %s\n" % METADATA_SECRET
            if mode == "ovn" else "service_metadata_proxy = False\n"))
    # nova-compute gets no database access (as in devstack's nova-cpu.conf)
    files["etc/nova/nova-cpu.conf"] = nova + (libvirt(virt, ovs_db) if virt != "fake" else "")
    files["etc/nova/nova.conf"] = nova + """
[api_database]
connection = {api_db}

[database]
connection = {cell_db}
""".format(api_db=db(db="nova_api"), cell_db=db(db="nova"))

    files["etc/rabbitmq/rabbitmq.conf"] = """
listeners.tcp.default = 127.0.0.1:5672
loopback_users.guest = true
log.console = false
log.file.level = warning
"""
    files["etc/rabbitmq/enabled_plugins"] = "[].\n"
    files["etc/rabbitmq/rabbitmq-env.conf"] = "# devcloud: all set in env\n"

    # An entry point for the ML2 driver in lib/devcloud_ml2.py, found by
    # stevedore through this dist-info on the services' PYTHONPATH.
    files["pylib/devcloud_ml2-1.0.dist-info/METADATA"] = (
        "Metadata-Version: 2.1\nName: devcloud-ml2\nVersion: 1.0\n")
    files["pylib/devcloud_ml2-1.0.dist-info/entry_points.txt"] = (
        "[neutron.ml2.mechanism_drivers]\n"
        "devcloud = devcloud_ml2:BindAllMechanismDriver\n")
    for d in ("data/locks", "data/keystone", "data/glance/images",
              "data/glance/staging", "data/glance/tasks", "data/neutron",
              "data/nova/instances", "data/tmp"):
        files[d + "/.keep"] = ""
    return files


ML2_LIGHT = """
[ml2]
type_drivers = flat,vlan,vxlan
tenant_network_types = vxlan
mechanism_drivers = devcloud
extension_drivers = port_security

[ml2_type_vxlan]
vni_ranges = 1:1000

[ml2_type_flat]
flat_networks = public

[securitygroup]
enable_security_group = True
"""


def ml2_ovn(nb_db, sb_db):
    """ML2/OVN as devstack sets it: geneve tenant networks, the flat
    external network ``public``, OVN's DHCP and metadata.  DNS servers
    0.0.0.0: OVN's DHCP hands out none (not the host's resolver)."""
    return """
[ml2]
type_drivers = local,flat,vlan,geneve
tenant_network_types = geneve
mechanism_drivers = ovn
extension_drivers = port_security
overlay_ip_version = 4

[ml2_type_geneve]
vni_ranges = 1:65536
max_header_size = 38

[ml2_type_flat]
flat_networks = public

[securitygroup]
enable_security_group = True

[ovn]
ovn_nb_connection = {nb}
ovn_sb_connection = {sb}
ovn_l3_scheduler = leastloaded
ovn_metadata_enabled = True
enable_distributed_floating_ip = False
dns_servers = 0.0.0.0
""".format(nb=nb_db, sb=sb_db)


def libvirt(virt, ovs_db):
    """nova-compute with the libvirt driver: *virt* "kvm" or "qemu" (TCG).
    Ports are plugged by os-vif into br-int through the OVS database's unix
    socket (nothing serves TCP 6640); a boot waits for Neutron to say its
    port is up; guests that ran before a restart are started again; CPUs
    overcommitted 16 times (2 host cores, many tiny guests)."""
    return """
[DEFAULT]
compute_driver = libvirt.LibvirtDriver
vif_plugging_is_fatal = True
vif_plugging_timeout = 120
resume_guests_state_on_host_boot = True
initial_cpu_allocation_ratio = 16.0

[libvirt]
virt_type = {virt}
connection_uri = qemu:///system
cpu_mode = {cpu_mode}

[os_vif_ovs]
ovsdb_connection = {ovs_db}
""".format(virt=virt, cpu_mode="host-passthrough" if virt == "kvm" else "none", ovs_db=ovs_db)
