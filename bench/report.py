"""The tables: each row's tools against each other and against the floor,
and how the waiting rows see the cloud; RESULTS.md and the README's rows."""

import statistics

from bench.tools import ROOT

README_START, README_END = "<!-- bench:start -->", "<!-- bench:end -->"
TOOLS = ("osops", "osc")


def fmt(seconds):
    if abs(seconds) >= 1:
        return f"{seconds:.2f}"
    return f"{seconds * 1000:.0f} ms"


def spread(times):
    return f"{fmt(statistics.median(times))} ({fmt(min(times))}–{fmt(max(times))})"


def table(results):
    """The main table: floor, both tools, their ratios, overheads, calls and memory."""
    lines = ["| Row | floor | osops | OSC | osops / floor | osops / OSC | over the floor: osops / OSC "
             "| calls osops / OSC / floor | peak RSS MiB osops / OSC |",
             "|---|---|---|---|---|---|---|---|---|"]
    for r in results:
        mo, mc, mf = r.median("osops"), r.median("osc"), r.floor_median()
        floor_calls = "–" if r.floor_calls is None else r.floor_calls
        lines.append(
            f"| {r.row.title} | {spread(r.floor)} | {spread([x.wall for x in r.runs['osops']])} "
            f"| {spread([x.wall for x in r.runs['osc']])} | {mo / mf:.2f} | **{mo / mc:.2f}** "
            f"| {fmt(r.over_floor('osops'))} / {fmt(r.over_floor('osc'))} "
            f"| {len(r.calls['osops'])} / {len(r.calls['osc'])} / {floor_calls} "
            f"| {r.rss_mib('osops'):.0f} / {r.rss_mib('osc'):.0f} |")
    return "\n".join(lines)


def waiting_table(results):
    """Per boot and delete step: the cloud's own time, how late each tool
    saw its end (median), and how the counted run polled."""
    lines = ["| Row | step | the cloud's own time | osops sees it after | OSC sees it after "
             "| polls osops: lists / GETs of one | polls OSC: lists / GETs of one |",
             "|---|---|---|---|---|---|---|"]
    for r in results:
        if r.row.kind != "boot" or r.row.ssh:
            continue
        for phase in ("boot", "delete"):
            took = [p.took for runs in r.phases.values() for ps in runs for p in ps if p.name == phase]
            if not took:
                continue
            precise = all(p.precise for runs in r.phases.values() for ps in runs for p in ps)
            polls = [r.polls(t, phase) for t in TOOLS]
            lines.append(f"| {r.row.title} | {phase} | {spread(took)}{'' if precise else ' ±1 s'} "
                         f"| {fmt(r.late('osops', phase))} | {fmt(r.late('osc', phase))} "
                         f"| {polls[0][0]} / {polls[0][1]} | {polls[1][0]} / {polls[1][1]} |")
    return "\n".join(lines) if len(lines) > 2 else ""


def how_rows_run(results):
    """One line per row: its commands."""
    lines = []
    for r in results:
        osops = " && ".join(s.shown("osops") for s in r.row.osops("NAME"))
        osc = " && ".join(s.shown("openstack") for s in r.row.osc("NAME"))
        for count in (50, 10, 5):  # the longest first: NAME-1 … NAME-5 begins NAME-1 … NAME-10
            names = [f"NAME-{i}" for i in range(1, count + 1)]
            for sep in (" ", ", "):
                osops = osops.replace(sep.join(names), f"NAME-1 … NAME-{count}")
                osc = osc.replace(sep.join(names), f"NAME-1 … NAME-{count}")
        note = f" ({r.row.note})" if r.row.note else ""
        lines.append(f"- {r.row.title}{note}: `{osops}` vs `{osc}`")
    return lines


FLOOR_NOTE = (
    "The floor: for a list row, one process that imports only urllib and json and sends the "
    "GET requests osops sent (its counted run's, without the token and discovery calls) with a "
    "token taken beforehand; for `--help` and `--version`, Python starting with nothing to do; "
    "for a row that boots or deletes servers, the cloud's own time: from the first create call "
    "Nova received to the last server ACTIVE, plus from the first delete call to the last server "
    "gone, read after each run from Nova's records (its API, to the second; nova-api's and "
    "nova-compute's logs, to the millisecond, where they have the events). \"Over the floor\" is "
    "the median of each run's time less its floor. Peak RSS: the largest `ru_maxrss` of the "
    "run's tool processes (os.wait4).")
WAIT_NOTE = (
    "Waiting: how long after the cloud's last event (the last ACTIVE or the last server gone, "
    "as above) each tool's step ended (the median of the timed runs), and the polls of the "
    "counted run during that step: list calls (`GET /servers/detail`) and GETs of one server. "
    "\"±1 s\": some events only had Nova's whole-second records.")


STARTUP_NOTE = (
    "Start-up, measured for issue 17 (a warm `image list`, token cached): of 350–490 ms, importing "
    "openstacksdk takes 216–337 ms, cliff about 55 ms, the token cache's key derivation 24 ms "
    "(PBKDF2, kept: fewer rounds would make a stolen cache file easier to attack), loading the "
    "configuration 7–21 ms and osops's own models about 8 ms; building openstacksdk's `Connection` "
    "about 1 ms and the compute proxy about 4 ms. Decision: osops keeps the full `Connection` "
    "(skipping it would save about 1%). Building openstacksdk Resource objects cost 0.86 ms per "
    "image, 0.41 ms per flavor and 2.85 ms per server against 0.002–0.03 ms for reading the JSON, "
    "so lists and name resolution read the JSON (osops/raw_list.py), with openstacksdk still "
    "doing auth, discovery and microversions.")


def write(path, header, results, extra=()):
    """RESULTS.md-style text: *header*, the tables, how rows run, the notes."""
    waiting = waiting_table(results)
    parts = [*header, table(results), "", "Times in seconds unless marked ms.", ""]
    if waiting:
        parts += [waiting, ""]
    parts += ["How each row runs (`NAME` is fresh for every run):", "", *how_rows_run(results), "",
              FLOOR_NOTE, "", WAIT_NOTE, "", *extra]
    path.write_text("\n".join(parts).rstrip() + "\n")


def update_readme(results):
    """Put the main table between the README's bench markers."""
    readme = ROOT / "README.md"
    before, start, rest = readme.read_text().partition(README_START)
    _, end, after = rest.partition(README_END)
    if start and end:
        readme.write_text(f"{before}{start}\n{table(results)}\n{end}{after}")
