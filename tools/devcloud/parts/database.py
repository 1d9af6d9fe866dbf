"""MariaDB and RabbitMQ, and each service's database schema.

MariaDB listens on a unix socket only (``run/mysqld.sock``), its data in
``data/mysql``; RabbitMQ (and its epmd) on 127.0.0.1, its data in
``data/rabbitmq``.  ``down`` stops both by their recorded PIDs; ``purge``
deletes their data.  Schemas are made once per state directory, each
service's marker in ``state/db-<service>``.
"""

import json
import os
import shutil
import socket
import subprocess

from parts.paths import DATA, ETC, HOST, LOGS, PW, RUN, SOCK, STATE, log
from parts.procs import clean_env, pidof, port_busy, spawn, stop, wait_for

DATABASES = ["keystone", "glance", "placement", "neutron", "nova_api", "nova", "nova_cell0"]
DB_URL = "mysql+pymysql://devcloud:%s@localhost/%%s?unix_socket=%s&charset=utf8mb4" % (PW, SOCK)


def sql(query, db=None):
    """The tab-separated result of *query*, as root over the socket."""
    argv = ["mariadb", "--no-defaults", "--socket=" + SOCK, "-uroot", "-N", "-B", "-e", query]
    r = subprocess.run(argv + ([db] if db else []), capture_output=True, text=True, timeout=30)
    if r.returncode:
        raise RuntimeError("SQL failed: %s: %s" % (query, r.stderr.strip()))
    return r.stdout.strip()


def mariadb_ok():
    return subprocess.run(["mariadb-admin", "--no-defaults", "--socket=" + SOCK, "-uroot",
                           "--connect-timeout=2", "ping"], capture_output=True).returncode == 0


def amqp_ok(port=5672, timeout=3):
    try:
        with socket.create_connection((HOST, port), timeout=timeout) as s:
            s.sendall(b"AMQP\x00\x00\x09\x01")
            return s.recv(1) == b"\x01"  # a Connection.Start method frame
    except OSError:
        return False


def start_mariadb():
    if pidof("mariadb"):
        return
    datadir = os.path.join(DATA, "mysql")
    if not os.path.isdir(os.path.join(datadir, "mysql")):
        shutil.rmtree(datadir, ignore_errors=True)
        with open(os.path.join(LOGS, "mariadb-install-db.log"), "ab") as o:
            subprocess.run(["mariadb-install-db", "--no-defaults", "--datadir=" + datadir, "--user=root",
                            "--auth-root-authentication-method=socket", "--skip-test-db"],
                           stdout=o, stderr=subprocess.STDOUT, check=True)
    spawn("mariadb", [
        "mariadbd", "--no-defaults", "--user=root", "--datadir=" + datadir,
        "--socket=" + SOCK, "--skip-networking", "--skip-name-resolve",
        "--pid-file=" + os.path.join(RUN, "mariadbd.pid"),
        "--log-error=" + os.path.join(LOGS, "mariadb.log"),
        "--tmpdir=" + RUN, "--max-connections=1000",
        "--character-set-server=utf8mb4", "--collation-server=utf8mb4_general_ci",
        "--innodb-buffer-pool-size=256M", "--innodb-flush-log-at-trx-commit=0",
        "--innodb-doublewrite=0", "--skip-log-bin"])
    wait_for("mariadb", mariadb_ok, 60, ["mariadb"])
    sql("".join("CREATE DATABASE IF NOT EXISTS %s;" % d for d in DATABASES) +
        "CREATE USER IF NOT EXISTS 'devcloud'@'localhost' IDENTIFIED BY '%s';"
        "GRANT ALL PRIVILEGES ON *.* TO 'devcloud'@'localhost';" % PW)


def start_rabbitmq():
    env = {
        "HOME": os.path.join(DATA, "rabbitmq"),
        "ERL_EPMD_ADDRESS": HOST, "ERL_EPMD_PORT": "4369",
        "RABBITMQ_NODENAME": "devcloud@localhost",
        "RABBITMQ_NODE_IP_ADDRESS": HOST, "RABBITMQ_NODE_PORT": "5672",
        "RABBITMQ_DIST_PORT": "25672",
        "RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS": "-kernel inet_dist_use_interface {127,0,0,1}",
        "RABBITMQ_MNESIA_BASE": os.path.join(DATA, "rabbitmq", "mnesia"),
        "RABBITMQ_LOG_BASE": os.path.join(LOGS, "rabbitmq"),
        "RABBITMQ_CONFIG_FILE": ETC + "/rabbitmq/rabbitmq.conf",
        "RABBITMQ_ENABLED_PLUGINS_FILE": ETC + "/rabbitmq/enabled_plugins",
        "RABBITMQ_CONF_ENV_FILE": ETC + "/rabbitmq/rabbitmq-env.conf",
        "RABBITMQ_PID_FILE": os.path.join(RUN, "rabbitmq-beam.pid"),
    }
    os.makedirs(env["HOME"], exist_ok=True)
    if not pidof("epmd"):
        if port_busy(4369):
            raise RuntimeError("port 4369 (epmd) is taken by a process devcloud did not start")
        spawn("epmd", ["epmd", "-address", HOST, "-port", "4369"], env)
        wait_for("epmd", lambda: port_busy(4369), 20, ["epmd"])
    if not pidof("rabbitmq"):
        spawn("rabbitmq", ["/usr/lib/rabbitmq/bin/rabbitmq-server"], env)


def stop_all():
    """Stop RabbitMQ, epmd and MariaDB, in that order; the names that were running."""
    return stop(["rabbitmq"]) + stop(["epmd"]) + stop(["mariadb"], 60)


def schema_steps(venv):
    """{service: [argv, ...]}: what makes each service's schema."""
    b = venv + "/bin/"
    k = [b + "keystone-manage", "--config-file", ETC + "/keystone/keystone.conf"]
    n = [b + "nova-manage", "--config-file", ETC + "/nova/nova.conf"]
    url = "http://%s:5000/v3" % HOST
    return {
        "keystone": [
            k + ["db_sync"],
            k + ["fernet_setup", "--keystone-user", "root", "--keystone-group", "root"],
            k + ["credential_setup", "--keystone-user", "root", "--keystone-group", "root"],
            k + ["bootstrap", "--bootstrap-password", PW, "--bootstrap-username", "admin",
                 "--bootstrap-project-name", "admin", "--bootstrap-role-name", "admin",
                 "--bootstrap-service-name", "keystone", "--bootstrap-region-id", "RegionOne",
                 "--bootstrap-admin-url", url, "--bootstrap-internal-url", url,
                 "--bootstrap-public-url", url]],
        "glance": [[b + "glance-manage", "--config-file", ETC + "/glance/glance-api.conf", "db_sync"]],
        "placement": [[b + "placement-manage", "--config-file", ETC + "/placement/placement.conf",
                       "db", "sync"]],
        "neutron": [[b + "neutron-db-manage", "--config-file", ETC + "/neutron/neutron.conf",
                     "--config-file", ETC + "/neutron/ml2_conf.ini", "upgrade", "heads"]],
        "nova": [
            n + ["api_db", "sync"],
            n + ["cell_v2", "map_cell0", "--database_connection", DB_URL % "nova_cell0"],
            n + ["cell_v2", "create_cell", "--name", "cell1"],
            n + ["db", "sync"]],
    }


def init_schemas(venv, env):
    """Schema and bootstrap, once per state dir; the services in parallel."""
    todo = {s: v for s, v in schema_steps(venv).items()
            if not os.path.exists(os.path.join(STATE, "db-" + s))}
    if not todo:
        return
    log("initialising databases: %s" % ", ".join(todo))
    script = ("import subprocess,sys,json\n"
              "for a in json.loads(sys.argv[1]):\n"
              "    print('$', *a, flush=True)\n"
              "    r = subprocess.run(a)\n"
              "    if r.returncode: sys.exit(r.returncode)\n")
    procs = {}
    for svc, cmds in todo.items():
        out = open(os.path.join(LOGS, "init-%s.log" % svc), "ab")
        procs[svc] = subprocess.Popen([venv + "/bin/python", "-c", script, json.dumps(cmds)],
                                      stdout=out, stderr=subprocess.STDOUT, env=clean_env(env))
        out.close()
    failed = [s for s, p in procs.items() if p.wait()]
    for s in procs:
        if s not in failed:
            open(os.path.join(STATE, "db-" + s), "w").close()
    if failed:
        raise RuntimeError("database init failed for %s; see %s/init-*.log" % (", ".join(failed), LOGS))
