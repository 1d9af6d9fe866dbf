"""Starting, watching and stopping the cloud's processes.

Every daemon runs in the foreground in a session of its own, its output in
``logs/<name>.log`` and its PID (with its start time, so that a reused PID
is not mistaken for it) in ``run/<name>.pid``.  ``stop`` ends exactly those
process groups: SIGTERM, then SIGKILL to what is left.
"""

import os
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request

from parts.paths import DIR, HOST, LOGS, RUN, log


def _starttime(pid):
    try:
        with open("/proc/%d/stat" % pid) as f:
            return f.read().rsplit(")", 1)[1].split()[19]
    except (OSError, IndexError):
        return None


def pidof(name):
    """PID recorded for *name* if that very process is still alive."""
    try:
        with open(os.path.join(RUN, name + ".pid")) as f:
            pid, start = f.read().split()
        pid = int(pid)
    except (OSError, ValueError):
        return None
    if _starttime(pid) != start:
        return None
    with open("/proc/%d/stat" % pid) as f:
        if f.read().rsplit(")", 1)[1].split()[0] == "Z":
            return None
    return pid


def clean_env(env=None):
    """This process's environment without OS_* and proxies (everything
    stays on loopback), plus *env*."""
    full = {k: v for k, v in os.environ.items()
            if not k.startswith("OS_") and not k.lower().endswith("_proxy")}
    full.update(env or {})
    return full


def spawn(name, argv, env=None):
    """Start argv in its own session; record its PID (== its group id)."""
    out = open(os.path.join(LOGS, name + ".log"), "ab")
    p = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT,
                         env=clean_env(env), cwd=DIR, start_new_session=True, close_fds=True)
    out.close()
    with open(os.path.join(RUN, name + ".pid"), "w") as f:
        f.write("%d %s\n" % (p.pid, _starttime(p.pid)))
    return p.pid


def _group_alive(pgid):
    """Is any live (non-zombie) process left in process group *pgid*?"""
    try:
        os.waitpid(pgid, os.WNOHANG)  # reap it if it is our own child
    except ChildProcessError:
        pass
    for p in os.listdir("/proc"):
        if p.isdigit():
            try:
                with open("/proc/%s/stat" % p) as f:
                    fields = f.read().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[2]) == pgid and fields[0] != "Z":
                return True
    return False


def stop(names, timeout=20):
    """Stop the process groups started for *names*, by their recorded PIDs:
    SIGTERM to each group, then SIGKILL to what is left after *timeout*.
    Returns the names that were running."""
    pids = {}
    for name in names:
        pid = pidof(name)
        if pid is not None:
            os.killpg(pid, signal.SIGTERM)
            pids[name] = pid
    deadline = time.time() + timeout
    while time.time() < deadline and any(map(_group_alive, pids.values())):
        time.sleep(0.2)
    for name, pid in pids.items():
        if _group_alive(pid):
            log("%s did not stop in %ds; killing its process group %d" % (name, timeout, pid))
            try:
                os.killpg(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
    for name in names:
        if os.path.exists(os.path.join(RUN, name + ".pid")):
            os.unlink(os.path.join(RUN, name + ".pid"))
    return list(pids)


def wait_for(what, check, timeout, pids=()):
    """Poll *check* until it is true; RuntimeError naming the log when one
    of *pids* (names) exits first, or after *timeout* seconds."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        if check():
            return
        for name in pids:
            if pidof(name) is None:
                raise RuntimeError("%s exited while waiting for %s; see %s"
                                   % (name, what, os.path.join(LOGS, name + ".log")))
        time.sleep(0.3)
    raise RuntimeError("timed out after %ds waiting for %s" % (timeout, what))


def run_logged(name, argv, env=None):
    """Run argv to its end, its output appended to logs/init-<name>.log."""
    with open(os.path.join(LOGS, "init-%s.log" % name), "ab") as out:
        out.write(("\n$ %s\n" % " ".join(argv)).encode())
        out.flush()
        r = subprocess.run(argv, stdout=out, stderr=subprocess.STDOUT, env=clean_env(env), cwd=DIR)
    if r.returncode:
        raise RuntimeError("%s failed (exit %d); see %s/init-%s.log"
                           % (" ".join(argv[:3]), r.returncode, LOGS, name))


def http_ok(port, path="/", timeout=3):
    """Does something answer HTTP below 500 on 127.0.0.1:*port*?"""
    try:
        urllib.request.urlopen("http://%s:%d%s" % (HOST, port, path), timeout=timeout).close()
        return True
    except urllib.error.HTTPError as e:
        return e.code < 500
    except (OSError, ValueError):
        return False


def port_busy(port):
    try:
        socket.create_connection((HOST, port), timeout=1).close()
        return True
    except OSError:
        return False
