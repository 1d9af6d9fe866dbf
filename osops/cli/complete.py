"""osops complete: cliff's bash completion, which also completes
--os-cloud with the clouds of clouds.yaml (and the built-in demo)."""

import io

from cliff.complete import CompleteCommand

# Inserted after the function's first lines: the word after --os-cloud is a cloud.
CLOUD_HOOK = """  if [[ ${prev} == --os-cloud ]] ; then
    COMPREPLY=( $(compgen -W "$(%(name)s complete --clouds 2>/dev/null)" -- "${cur}") )
    return 0
  fi
"""
AFTER = "_get_comp_words_by_ref -n : cur prev words\n"


class Complete(CompleteCommand):
    """Print bash completion: commands, their options and --os-cloud's clouds."""

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument("--clouds", action="store_true",
                            help="print the cloud names --os-cloud takes (clouds.yaml's, and demo)")
        return parser

    def take_action(self, parsed_args):
        if parsed_args.clouds:
            for name in cloud_names():
                self.app.stdout.write(name + "\n")
            return 0
        if parsed_args.shell != "bash":
            return super().take_action(parsed_args)
        out, self.app.stdout = self.app.stdout, io.StringIO()
        try:
            code = super().take_action(parsed_args)
            script = self.app.stdout.getvalue()
        finally:
            self.app.stdout = out
        hook = CLOUD_HOOK % {"name": parsed_args.name or self.app.NAME}
        out.write(script.replace(AFTER, AFTER + hook, 1))
        return code


def cloud_names():
    """The clouds in the clouds.yaml openstacksdk reads, then "demo"; [] and
    no error when there is none or it cannot be read (completion stays quiet)."""
    from openstack.config import OpenStackConfig

    from osops.settings import cloud_names as names_in

    try:
        found = names_in(OpenStackConfig())
    except Exception:  # an unreadable clouds.yaml: nothing to offer
        found = []
    return found + ([] if "demo" in found else ["demo"])
