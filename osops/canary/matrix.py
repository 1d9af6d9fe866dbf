"""The cloud x step matrix of one round: a row per step, a column per cloud."""


def rows(reports: dict) -> tuple[list, list]:
    """(headers, rows) of {cloud: Report}: each cell ``PASS 3.5`` (status
    and seconds), ``-`` for a step that cloud's run did not have; the last
    row is each run's verdict."""
    clouds = list(reports)
    order = []
    cells = {}
    for cloud, report in reports.items():
        for r in report.counted:
            if r.name not in order:
                order.append(r.name)
            cells[cloud, r.name] = f"{r.status} {r.duration:.1f}" if r.ran else r.status
    table = [[step] + [cells.get((cloud, step), "-") for cloud in clouds] for step in order]
    table.append(["verdict"] + [_verdict(reports[cloud]) for cloud in clouds])
    return ["step"] + clouds, table


def _verdict(report):
    if report.interrupted:
        return f"{report.status} ({report.interrupted})"
    return report.status


def render(reports: dict) -> str:
    """The matrix as a plain-text table."""
    from tabulate import tabulate

    headers, table = rows(reports)
    return tabulate(table, headers=headers, tablefmt="simple")
