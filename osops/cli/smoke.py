"""osops smoke: the post-install check, step by step, with cleanup."""

from osops.cli import canary
from osops.cli.scenario import RunCommand


class Smoke(RunCommand):
    """Check a freshly installed cloud: token, catalog, compute services, an
    image, a flavor and a network; boot a server, check its address, ping
    it, suspend, resume and delete it.  Exit 1 when a step FAILED."""

    def get_parser(self, prog_name):
        from osops.scenario import bundled
        from osops.scenario.checker import load_file

        parser = super().get_parser(prog_name)
        steps = ", ".join(s.name for s in load_file(bundled.path("smoke")).steps)
        parser.epilog = f"Steps (for --only and --skip): {steps}."
        parser.add_argument("--image", help="image name or id (default: cirros, newest first)")
        parser.add_argument("--flavor", help="flavor name or id (default: m1.tiny, else the smallest that fits)")
        parser.add_argument("--network", help="network name or id (default: the only usable one)")
        canary.add_options(parser)
        return parser

    def take_action(self, parsed_args):
        from osops.scenario import bundled
        from osops.scenario.checker import load_file

        a = parsed_args
        overrides = {k: v for k, v in (("image", a.image), ("flavor", a.flavor), ("network", a.network)) if v}
        scenario = load_file(bundled.path("smoke"), overrides)
        if canary.wanted(a, self.app):  # --every, several clouds, metrics: osops/cli/canary.py
            return canary.run(self, scenario, a)
        return self.run_scenario(scenario, a)
