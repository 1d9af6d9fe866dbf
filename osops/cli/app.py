"""The cliff application: global options, the command table, exit codes."""

import importlib
import logging
import os
import sys

import cliff.command
from cliff.app import App
from cliff.commandmanager import CommandManager

import osops
from osops.cli import logs, os_options, usage

# Command name -> "module:Class".  A static table, loaded on first use, so
# start-up scans no entry points and imports no command it does not run.
COMMANDS = {
    "image list": "osops.cli.image:ListImages",
    "flavor list": "osops.cli.flavor:ListFlavors",
    "server list": "osops.cli.server:ListServers",
    "server show": "osops.cli.server:ShowServer",
    "server create": "osops.cli.server:CreateServer",
    "server suspend": "osops.cli.server:SuspendServer",
    "server resume": "osops.cli.server:ResumeServer",
    "server delete": "osops.cli.server:DeleteServer",
    "boot": "osops.cli.server:CreateServer",
    "suspend": "osops.cli.server:SuspendServer",
    "resume": "osops.cli.server:ResumeServer",
    "delete": "osops.cli.server:DeleteServer",
    "ping": "osops.cli.ping:Ping",
    "ssh": "osops.cli.ssh:Ssh",
    "bridge list": "osops.cli.bridge:ListBridges",
    "bridge show": "osops.cli.bridge:ShowBridge",
    "smoke": "osops.cli.smoke:Smoke",
    "scenario run": "osops.cli.scenario:RunScenario",
    "scenario validate": "osops.cli.scenario:ValidateScenario",
    "scenario list": "osops.cli.scenario:ListScenarios",
    "cleanup": "osops.cli.cleanup:Cleanup",
    "cache clear": "osops.cli.cache:ClearCache",
    "keypair create": "osops.cli.keypair:CreateKeypair",
    "keypair list": "osops.cli.keypair:ListKeypairs",
    "keypair delete": "osops.cli.keypair:DeleteKeypair",
    "security group list": "osops.cli.security_group:ListGroups",
    "security group show": "osops.cli.security_group:ShowGroup",
    "security group create": "osops.cli.security_group:CreateGroup",
    "security group delete": "osops.cli.security_group:DeleteGroup",
    "security group allow": "osops.cli.security_group:AllowRule",
    "security group deny": "osops.cli.security_group:DenyRule",
    "doctor": "osops.cli.doctor:Doctor",
    "diagnose": "osops.cli.diagnose:Diagnose",
    "floating ip list": "osops.cli.floating_ip:ListFloatingIPs",
    "floating ip add": "osops.cli.floating_ip:AddFloatingIP",
    "floating ip remove": "osops.cli.floating_ip:RemoveFloatingIP",
    "floating ip delete": "osops.cli.floating_ip:DeleteFloatingIPs",
    "console log": "osops.cli.console:ConsoleLog",
    "console url": "osops.cli.console:ConsoleURL",
    "history list": "osops.cli.history:ListHistory",
    "history show": "osops.cli.history:ShowHistory",
    "history prune": "osops.cli.history:PruneHistory",
    "history report": "osops.cli.history:ReportHistory",
}

# cliff's Command.get_epilog maps every installed distribution to its
# modules (importlib.metadata.packages_distributions: ~65 ms per command
# run or help) only to name the plugin a command comes from; osops has none.
if getattr(cliff.command, "_dists_by_mods", {}) is None:
    cliff.command._dists_by_mods = {}  # type: ignore[assignment]  # cliff hints None: the cache not built

class LazyCommand:
    """A command table entry that imports its class only when asked."""

    def __init__(self, name, target):
        self.name = name
        self.value = target

    def load(self):
        module, _, cls = self.value.partition(":")
        return getattr(importlib.import_module(module), cls)


class Commands(CommandManager):
    """osops's commands from a static table; an unknown one raises a
    one-line :class:`~osops.cli.usage.UnknownCommand`."""

    def __init__(self, table):
        super().__init__(None)
        self.commands = {name: LazyCommand(name, target) for name, target in table.items()}

    def find_command(self, argv):
        try:
            return super().find_command(argv)
        except ValueError:
            raise usage.unknown_command(OsopsApp.NAME, argv, list(self.commands)) from None


class OsopsApp(App):
    """osops: check, drive and demo an OpenStack cloud right after install."""

    NAME = "osops"

    def __init__(self):
        super().__init__(description=self.__doc__, version=osops.__version__,
                         command_manager=Commands(COMMANDS), deferred_help=True)
        # cliff's, which also completes --os-cloud
        self.command_manager.commands["complete"] = LazyCommand("complete", "osops.cli.complete:Complete")
        self._cloud = None
        self._error = None
        self._recorder = None
        self._command = []
        self._running = None

    def build_option_parser(self, description, version, argparse_kwargs=None):
        argparse_kwargs = {**(argparse_kwargs or {}), "prog": self.NAME}
        parser = super().build_option_parser(description, version, argparse_kwargs)
        for action in parser._actions:  # cliff names the version after sys.argv[0]
            if action.dest == "version":
                action.version = f"{self.NAME} {version}"
        os_options.add_to(parser)
        parser.add_argument("--record", metavar="FILE", default=os.environ.get("OSOPS_RECORD"),
                            help="record this run's API calls, scrubbed, as a cassette (env OSOPS_RECORD)")
        parser.add_argument("--scrub-names", action="store_true",
                            help="with --record, also replace user and project names")
        parser.add_argument("--no-cache", action="store_true",
                            help="neither reuse nor keep a token and version discovery "
                            "between runs (cache: ~/.cache/osops; 'osops cache clear' empties it)")
        return usage.one_line_errors(parser, f"{self.NAME} --help")

    def initialize_app(self, argv):
        self._command = list(argv)

    def prepare_to_run_command(self, cmd):
        target = f"{type(cmd).__module__}:{type(cmd).__name__}"
        self.command_name = next((n for n, t in COMMANDS.items() if t == target), cmd.cmd_name)
        self._running = cmd

    def run(self, argv):
        try:
            code = super().run(argv)
            if self.interactive_mode:  # see interact()
                code = usage.UnknownCommand.exit_code
        finally:
            saved = self._save_recording()
        return code if saved else (code or 1)

    def _save_recording(self):
        """Write the --record cassette, also after a failed command; False
        (and one line on stderr) when it cannot be written."""
        if self._recorder is None:
            return True
        try:
            self._recorder.save(self.options.record, " ".join(self._command))
        except OSError as exc:
            self.warn(f"osops: cannot write the recording {self.options.record}: {exc.strerror or exc}")
            return False
        return True

    def interact(self):
        """Global options and no command: say so (osops has no interactive shell)."""
        self.stderr.write(f"{usage.unknown_command(self.NAME, [], [])}\n")

    def configure_logging(self):
        root = logging.getLogger()
        for handler in [h for h in root.handlers if getattr(h, "osops", False)]:
            root.removeHandler(handler)  # an earlier run in this process (tests, scripts)
        before = set(root.handlers)
        super().configure_logging()
        ours = set(root.handlers) - before
        for handler in ours:
            handler.osops = True
            handler.setFormatter(_Masked(handler.formatter or logging.Formatter()))
        logs.configure(ours, self.options.verbose_level, self.options.debug)

    @property
    def cloud(self):
        """The connection, made on first use from the global options."""
        if self._cloud is None:
            from osops import demo, regions
            from osops.cloud import connect

            cloud = self.options.os_cloud or os.environ.get("OS_CLOUD")
            if demo.is_demo(cloud):
                from osops.cli import replayed

                _refuse_recording_of_the_demo(self.options)
                self._cloud = demo.connect(self.command_name, self.warn, check=lambda recorded: replayed.check(
                    self.command_manager, self._running, self._command, recorded))
                return self._cloud
            session = None
            if self.options.record:
                from osops.testing.recorder import Recorder

                _check_record_target(self.options.record)
                self._recorder = Recorder(scrub_names=self.options.scrub_names)
                session = self._recorder.session()
            conn = connect(self.options.os_cloud, warn=self.warn, session=session,
                           cache=not self.options.no_cache, **self.cloud_options())
            regions.check(conn, self.cloud_options())
            self._cloud = conn
        return self._cloud

    def cloud_options(self):
        """The --os-* options (defaulting to their OS_* variables) as
        openstacksdk config keys."""
        return os_options.values(self.options)

    def warn(self, line):
        """Print a one-line warning on stderr."""
        self.stderr.write(line + "\n")

    def clean_up(self, cmd, result, err):
        self._error = err
        if self._cloud is not None:
            from osops.token_cache import save as save_cache

            save_cache(self._cloud, err)

    def run_subcommand(self, argv):
        try:
            self.command_manager.find_command(argv)
        except usage.UnknownCommand as exc:
            self.stderr.write(f"{exc}\n")
            return exc.exit_code
        result = super().run_subcommand(argv)
        return getattr(self._error, "exit_code", result) if self._error else result


class _Masked(logging.Formatter):
    """A log formatter that shows the password of every URL (in messages,
    --debug's HTTP log and tracebacks) as ``***``."""

    def __init__(self, inner):
        super().__init__()
        self.inner = inner

    def format(self, record):
        from osops.errors import mask_passwords

        return mask_passwords(self.inner.format(record))


def _refuse_recording_of_the_demo(options):
    """--record and --scrub-names would do nothing on the demo cloud: refuse them."""
    from osops.errors import UsageError

    for option, given in (("--record", options.record), ("--scrub-names", options.scrub_names)):
        if given:
            raise UsageError(f"{option}: the demo cloud only replays; record against a real cloud")


def _check_record_target(path):
    """Refuse --record into a directory that is not there, or over anything
    but a regular file (a device, FIFO, socket, directory, symlink), before
    any call."""
    from osops.errors import UsageError
    from osops.files import not_regular

    directory = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(directory):
        raise UsageError(f"--record {path}: there is no directory {directory}; create it or record elsewhere")
    kind = not_regular(path)
    if kind:
        raise UsageError(f"--record {path}: it is {kind}, not a regular file; record into a new file or a regular one")


SIGPIPE_EXIT = 141  # what a shell reports for a command its pipe's reader left


def main(argv=None):
    """Console entry point; with no arguments, the help (not cliff's shell).
    A closed stdout (``>&-``) is as /dev/null; one whose reader went
    (``| head -1``) ends the run quietly with the shell's status 141."""
    argv = sys.argv[1:] if argv is None else argv
    if sys.stdout is None:
        sys.stdout = open(os.devnull, "w")  # noqa: SIM115 (the process's stdout from now on)
    code = OsopsApp().run(argv or ["--help"])
    if code == SIGPIPE_EXIT:
        _stdout_to_devnull()
    return code


def _stdout_to_devnull():
    """Point stdout's descriptor at /dev/null, so that flushing it at exit
    raises no second BrokenPipeError."""
    try:
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):  # not a real file (a test's stream)
        pass
