"""What osops smoke adds for watching: --every (the canary), many clouds,
and metrics for Prometheus.  The logic lives in osops/canary."""

import argparse
import json
import os

from osops.cli.history import duration


def add_options(parser):
    """--every, --jitter, --rounds, --metrics-*, --all-clouds (the global
    --os-cloud, given several times, names several clouds)."""
    from osops.cli.types import whole

    group = parser.add_argument_group("watching (a canary) and many clouds")
    group.add_argument("--every", metavar="DURATION", type=duration,
                       help="run again every DURATION (30s, 5m, 1h) until SIGTERM or Ctrl-C, one run at a time, "
                            "cleaning up after each")
    group.add_argument("--jitter", action="store_true",
                       help="with --every, wait up to a tenth of DURATION more at random each time")
    group.add_argument("--rounds", metavar="N", type=whole(1), help="with --every, stop after N rounds")
    group.add_argument("--metrics-textfile", metavar="FILE",
                       help="write Prometheus metrics to FILE after each run (node_exporter's textfile collector; "
                            "written atomically)")
    group.add_argument("--metrics-listen", metavar="HOST:PORT", type=_address,
                       help="serve Prometheus metrics at http://HOST:PORT/metrics (e.g. 127.0.0.1:9464)")
    group.add_argument("--all-clouds", action="store_true",
                       help="run on every cloud of clouds.yaml at once (or name several: --os-cloud A --os-cloud B)")


def _address(text):
    from osops.canary import listen

    try:
        return listen.parse(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def wanted(a, app) -> bool:
    """True when the options ask for more than one plain run."""
    return bool(a.every or a.jitter or a.rounds or a.all_clouds or a.metrics_textfile or a.metrics_listen
                or several_clouds(app))


def several_clouds(app) -> list:
    """The clouds named by --os-cloud given more than once (else [])."""
    named = list(dict.fromkeys(getattr(app.options, "os_clouds", None) or []))
    return named if len(named) > 1 else []


def cloud_names(app, a) -> list:
    """The clouds to run on: --os-cloud's, every one of clouds.yaml, or the one chosen as usual."""
    from osops.errors import UsageError

    if a.all_clouds:
        if getattr(app.options, "os_clouds", None):
            raise UsageError("--all-clouds runs on every cloud already; leave out --os-cloud")
        from openstack import config as sdk_config

        names = sorted(sdk_config.OpenStackConfig().get_cloud_names())
        if not names:
            raise UsageError("--all-clouds: clouds.yaml defines no cloud; name one with --os-cloud")
        return names
    named = several_clouds(app)
    if named:
        from openstack import config as sdk_config

        from osops import demo

        known = sdk_config.OpenStackConfig().get_cloud_names()
        unknown = [n for n in named if n not in known and not demo.is_demo(n)]
        if unknown:
            raise UsageError(f"no cloud {', '.join(unknown)} in clouds.yaml; it has: {', '.join(known) or 'none'}")
        return named
    return [app.options.os_cloud or os.environ.get("OS_CLOUD") or ""]


def connector(app):
    """A function of a cloud name ('' for the OS_* variables) making a new connection to it."""

    def connect(name):
        from osops import demo, regions
        from osops.cloud import connect as connect_to

        if demo.is_demo(name):
            return demo.connect("smoke", app.warn)
        conn = connect_to(name or None, warn=app.warn, cache=not app.options.no_cache, **app.cloud_options())
        regions.check(conn, app.cloud_options())
        return conn

    return connect


def run(cmd, scenario, a) -> int:
    """Run *scenario* as the options say: rounds, clouds, metrics; the exit status."""
    from osops import demo
    from osops.canary.loop import Canary
    from osops.canary.rounds import ENV_CLOUD, Rounds
    from osops.cli.scenario import _names
    from osops.errors import UsageError
    from osops.history import chosen_path, open_history
    from osops.scenario import engine, text

    only, skip = _names(a.only), _names(a.skip)
    engine.select(scenario, only, skip)  # bad step names and run ids fail before any round
    if a.run_id:
        engine.check_run_id(a.run_id)

    app = cmd.app
    if app.options.record:
        raise UsageError("--record records one run; leave it out with --every or several clouds")
    if (a.jitter or a.rounds) and not a.every:
        raise UsageError("--jitter and --rounds go with --every")
    if a.keep and a.every:
        raise UsageError("--keep with --every would pile up servers every round; leave one of them out")
    if a.junit:
        raise UsageError("--junit writes the report of one run on one cloud; leave it out here "
                         "(osops history keeps every run)")
    if a.metrics_textfile and not os.path.isdir(os.path.dirname(os.path.abspath(a.metrics_textfile))):
        raise UsageError(f"--metrics-textfile {a.metrics_textfile}: there is no such directory; "
                         "name a file in node_exporter's textfile directory")
    clouds = cloud_names(app, a)
    labels = {c: c or ENV_CLOUD for c in clouds}
    history = None
    if not a.no_history:
        open_history(a.history).close()  # an unusable history fails now
        path = chosen_path(a.history)
        history = lambda: open_history(str(path))  # noqa: E731 (one Store per run: threads)
    metrics = _metrics(a)
    width = text.width_for(scenario)
    err, out = app.stderr, app.stdout
    several = len(clouds) > 1

    def live(cloud, result):
        prefix = f"{labels[cloud]}: " if several else ""
        err.write("".join(f"{prefix}{line}\n" for line in text.live_lines(result, width)))
        err.flush()

    rounds = Rounds(scenario, clouds, connector(app), history=history, metrics=metrics, notify=app.warn,
                    on_result=live, run_id=lambda conn: demo.run_id(conn, scenario.name, a.run_id),
                    keep=a.keep, only=only, skip=skip, timeout=a.timeout)

    def after(number, reports):
        if a.format == "json":
            out.write(json.dumps({labels[c]: r.to_dict() for c, r in reports.items()}) + "\n")
        else:
            if several:
                from osops.canary.matrix import render

                out.write(render({labels[c]: r for c, r in reports.items()}) + "\n")
            for cloud, r in reports.items():
                t = r.totals()
                out.write(f"round {number} {labels[cloud]}: {r.status} run {r.run_id}: {t['PASS']} PASS, "
                          f"{t['SKIP']} SKIP, {t['FAIL']} FAILED in {r.duration:.1f} s\n")
        out.flush()
        if a.metrics_textfile:
            try:
                metrics.write_textfile(a.metrics_textfile)
            except Exception as exc:  # the canary goes on; the file's reader sees it stale
                app.warn(str(exc))

    try:
        if a.metrics_listen:
            host, port = a.metrics_listen
            metrics.listen(host, port)
        canary = Canary(rounds, a.every or 0, jitter=a.jitter, rounds=a.rounds if a.every else 1,
                        after_round=after, notify=app.warn)
        return canary.run()
    finally:
        if metrics is not None:
            metrics.close()


def _metrics(a):
    if not (a.metrics_textfile or a.metrics_listen):
        return None
    from osops.canary.metrics import Metrics

    return Metrics()
