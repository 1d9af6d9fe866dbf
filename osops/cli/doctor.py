"""osops doctor: one line per check on a terminal, else one row per check;
exit status 1 when any FAILed."""

from cliff.lister import Lister

from osops.cli.base import CloudCommand

COLUMNS = ("Check", "Result", "Found", "Fix")


class Doctor(CloudCommand, Lister):
    """Diagnose the classic post-install failures: credentials, proxy,
    Keystone, catalog, services, resources and this host."""

    columns = COLUMNS
    for_people = False  # lines for a terminal instead of the table (-f not given)

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument("--no-host", action="store_true",
                            help="leave out the checks of this machine (Open vSwitch, sysctls)")
        parser.add_argument("--interface", choices=("public", "internal", "admin"),
                            help="endpoint interface to check (default: --os-interface, else public)")
        for action in parser._actions:  # -f not given: lines for people on a terminal, else the table
            if action.dest == "formatter":
                action.default = "auto"
                action.help = "the output format (default: one line per check on a terminal, else table)"
        return parser

    def produce_output(self, parsed_args, column_names, data):
        if not self.for_people:
            return super().produce_output(parsed_args, column_names, data)
        import os
        import shutil

        from osops.cli.doctor_report import render

        colour = not os.environ.get("NO_COLOR")
        for line in render(self.results, shutil.get_terminal_size().columns, colour):
            self.app.stdout.write(line + "\n")
        return 0

    def take_action(self, parsed_args):
        from osops import doctor

        self.results = doctor.run(lambda: self.app.cloud, interface=parsed_args.interface,
                                  host=not parsed_args.no_host, cloud=self.app.options.os_cloud,
                                  options=self.app.cloud_options(), given_as="--os-* options")
        return self.columns, [c.row() for c in self.results]

    def run(self, parsed_args):
        from osops.doctor import DoctorFailed, failed

        if parsed_args.formatter == "auto":
            self.for_people = getattr(self.app.stdout, "isatty", lambda: False)() and not parsed_args.columns
            parsed_args.formatter = "table"
        code = super().run(parsed_args)
        bad = failed(getattr(self, "results", []))
        if bad:
            names = ", ".join(dict.fromkeys(c.name for c in bad))
            raise DoctorFailed(f"doctor: {len(bad)} check{'s' if len(bad) > 1 else ''} failed: {names}")
        return code
