"""osops doctor: one row per check, exit status 1 when any FAILed."""

from cliff.lister import Lister

from osops.cli.base import CloudCommand

COLUMNS = ("Check", "Result", "Found", "Fix")


class Doctor(CloudCommand, Lister):
    """Diagnose the classic post-install failures: credentials, proxy,
    Keystone, catalog, services, resources and this host."""

    columns = COLUMNS

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument("--no-host", action="store_true",
                            help="leave out the checks of this machine (Open vSwitch, sysctls)")
        parser.add_argument("--interface", choices=("public", "internal", "admin"),
                            help="endpoint interface to check (default: --os-interface, else public)")
        return parser

    def take_action(self, parsed_args):
        from osops import doctor

        self.results = doctor.run(lambda: self.app.cloud, interface=parsed_args.interface,
                                  host=not parsed_args.no_host, cloud=self.app.options.os_cloud,
                                  options=self.app.cloud_options(), given_as="--os-* options")
        return self.columns, [c.row() for c in self.results]

    def run(self, parsed_args):
        from osops.doctor import DoctorFailed, failed

        code = super().run(parsed_args)
        bad = failed(getattr(self, "results", []))
        if bad:
            names = ", ".join(dict.fromkeys(c.name for c in bad))
            raise DoctorFailed(f"doctor: {len(bad)} check{'s' if len(bad) > 1 else ''} failed: {names}")
        return code
