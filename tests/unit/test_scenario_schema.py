"""Scenario files: validation before anything runs, every error at file:line."""

import re
import textwrap

import pytest
import yaml
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from osops.errors import UsageError
from osops.scenario import bundled, load_file, load_text, parse_vars
from osops.scenario.schema import STEP_KEYS
from osops.scenario.steps import ACTIONS

ERROR_LINE = re.compile(r"^lab\.yaml:\d+: \S")


def errors(text, overrides=None):
    with pytest.raises(UsageError) as info:
        load_text(textwrap.dedent(text), "lab.yaml", overrides)
    for line in str(info.value).splitlines():
        assert ERROR_LINE.match(line), line
    return str(info.value).splitlines()


def test_bundled_examples_are_valid():
    assert {"smoke", "lab-demo"} <= set(bundled.names())
    smoke = load_file(bundled.path("smoke"))
    assert [s.name for s in smoke.steps] == [
        "token", "catalog", "compute-services", "image", "flavor", "network", "keypair", "boot", "address",
        "floating_ip", "ping", "ssh", "suspend", "resume", "delete"]
    (fip,) = [s for s in smoke.steps if s.action == "floating_ip"]
    assert fip.args["optional"] is True
    lab = load_file(bundled.path("lab-demo"))
    (boot,) = [s for s in lab.steps if s.name == "boot"]
    assert boot.count == 3 and boot.expect == {"status": "ACTIVE", "servers": 3}
    (console,) = [s for s in lab.steps if s.action == "console"]
    assert console.args["contains"] == "login:"  # the guest is up: then SSH
    assert {"keypair", "console", "ssh"} <= {s.action for s in lab.steps}
    assert [s.action for s in lab.steps].count("ping") == 2
    assert "bridge" in [s.action for s in lab.steps]


def test_etc_scenarios_are_the_bundled_ones():
    import pathlib

    etc = pathlib.Path(__file__).parents[2] / "etc" / "scenarios"
    for name in bundled.names():
        assert (etc / f"{name}.yaml").read_text() == pathlib.Path(bundled.path(name)).read_text()


def test_variables_are_filled_and_saved_results_kept_for_later():
    s = load_text(textwrap.dedent("""\
        name: lab
        vars: {image: cirros, count: 3}
        steps:
          - say: "{{ count }} x {{ image }}"
          - boot: {name: web, image: "{{ image }}", flavor: m1.tiny}
            count: "{{ count }}"
            save: web
          - ping: web
          - say: "addresses: {{ web.addresses }}"
        """), "lab.yaml", {"count": "2", "image": "cirros-0.6.2"})
    say, boot, ping, say2 = s.steps
    assert say.args["text"] == "2 x cirros-0.6.2"
    assert boot.args["image"] == "cirros-0.6.2" and boot.count == 2  # filled in and converted
    assert ping.args["servers"] == "{{ web }}" and ping.needs == ("web",)  # a bare saved name
    assert say2.args["text"] == "addresses: {{ web.addresses }}" and say2.name == "say-2"


def test_a_variables_value_is_data_never_a_reference():
    """A --var value with braces in it is text: it does not read a saved
    result, and nothing reads it for references again at run time."""
    s = load_text(textwrap.dedent("""\
        vars: {image: cirros, flavor: m1.tiny, note: hi}
        steps:
          - boot: {name: web, image: "{{ image }}", flavor: "{{ flavor }}"}
            save: web
          - say: "{{ note }} on {{ web.0.name }}"
          - say: "{{ note }}"
        """), "lab.yaml", {"image": "{{ x }}", "flavor": "{{ web.0.name }}", "note": "{{ x"})
    boot, say, say2 = s.steps
    assert (boot.args["image"], boot.args["flavor"]) == ("{{ x }}", "{{ web.0.name }}")
    assert boot.needs == boot.later == ()  # final: the run takes them as they are
    assert say.args["text"] == "{{ note }} on {{ web.0.name }}"  # as written: filled in once, at run time
    assert (say.needs, say.later) == (("web",), ("text",))
    assert say2.args["text"] == "{{ x" and say2.later == ()


def test_unknown_action_suggests_the_closest():
    (line,) = errors("""\
        steps:
          - token
          - bot: {image: cirros, flavor: m1.tiny}
        """)
    assert line.startswith("lab.yaml:3: unknown action 'bot' (did you mean 'boot'?)")


def test_unknown_step_key_argument_and_top_level_key():
    lines = errors("""\
        name: lab
        step: []
        steps:
          - boot: {imag: cirros, flavor: m1.tiny}
            on_failur: stop
        """)
    assert "lab.yaml:2: unknown key 'step' (did you mean 'steps'?)" in lines[0]
    assert any(line.startswith("lab.yaml:4: boot has no argument 'imag' (did you mean 'image'?)") for line in lines)
    assert any(line.startswith("lab.yaml:4: boot needs image") for line in lines)
    assert any(line.startswith("lab.yaml:5: unknown key 'on_failur' (did you mean 'on_failure'?)") for line in lines)
    assert lines == sorted(lines, key=lambda text: int(text.split(":")[1]))


def test_references_to_unknown_or_later_results():
    lines = errors("""\
        vars: {image: cirros}
        steps:
          - ping: "{{ webb.addresses }}"
          - say: "{{ imag }}"
          - show: "{{ db.0 }}"
          - boot: {name: db, image: "{{ image }}", flavor: m1.tiny}
            save: db
          - boot: {name: web, image: "{{ image }}", flavor: m1.tiny}
            save: web
        """)
    assert "lab.yaml:3: ping servers: {{ webb.addresses }} names no variable or saved result 'webb' " \
           "(did you mean 'web'?)" not in lines  # web is saved later: no false hint of a usable name
    assert lines[0].startswith("lab.yaml:3: ping servers: {{ webb.addresses }} names no variable")
    assert lines[1] == "lab.yaml:4: say text: {{ imag }} names no variable or saved result 'imag' " \
                       "(did you mean 'image'?)"
    assert lines[2] == "lab.yaml:5: show server: {{ db.0 }} reads 'db', which is saved only later (line 6)"


def test_fields_of_saved_results_are_checked_before_the_run():
    lines = errors("""\
        steps:
          - image: cirros
            save: img
          - say: "{{ img.nmae }}"
          - boot: {image: "{{ img }}", flavor: m1.tiny}
            count: 2
            save: lab
          - ping: "{{ lab.adresses }}"
          - say: "{{ lab.0.name.first }}"
          - token:
            save: tok
          - say: "{{ tok.rolez }}"
          - say: "{{ lab.addresses }} {{ lab.1.fixed.0 }} {{ lab.count }} {{ tok.roles.0 }} {{ img.size }}"
          - say: "{{ lab.0.metadata.anything }}"
        """)
    assert lines == [
        "lab.yaml:4: say text: img has no 'nmae' (did you mean img.name?); it has id, name, status, "
        "disk_format, container_format, size, visibility",
        "lab.yaml:8: ping servers: lab has no 'adresses' (did you mean lab.addresses?); it has id, name, status, "
        "task_state, power_state, addresses, flavor, image, fault, metadata, created, key_name, project_id, "
        "image_id, availability_zone, host, hypervisor, vm_state, security_groups, volumes, ...",
        "lab.yaml:9: say text: lab.0.name is a single value, which has no .first",
        "lab.yaml:12: say text: tok has no 'rolez' (did you mean tok.roles?); it has user, project, project_id, roles"]


def test_expect_on_failure_count_and_save_are_checked():
    lines = errors("""\
        vars: {n: 2}
        steps:
          - boot: {image: cirros, flavor: m1.tiny}
            count: 0
            expect: {state: ACTIVE, servers: "{{ n }}"}
            on_failure: stpo
            save: n
          - ping: 10.0.0.5
            count: 2
            expect: {ping: maybe}
          - suspend: 10.0.0.5
            expect: {status: SUSPENDD}
          - token:
            save: t
          - say: hi
            save: s
        """)
    text = "\n".join(lines)
    assert "lab.yaml:4: boot count: must be at least 1, not 0" in text
    assert "lab.yaml:5: boot cannot expect 'state' (did you mean 'status'?)" in text
    assert "lab.yaml:6: on_failure is continue or stop, not 'stpo' (did you mean 'stop'?)" in text
    assert "lab.yaml:7: save n: there is a variable called n too" in text
    assert "lab.yaml:9: count only applies to boot, not ping" in text
    assert "lab.yaml:10: expect ping: ping is expected to pass or fail, not 'maybe'" in text
    assert "lab.yaml:12: expect status: not a server status: 'SUSPENDD'" in text
    assert "lab.yaml:16: say gives nothing to save" in text
    assert "lab.yaml:14" not in text  # token can save its result


def test_argument_values_are_checked_once_variables_are_in():
    lines = errors("""\
        vars: {packets: many}
        steps:
          - ping: {servers: web, packets: "{{ packets }}"}
          - sleep: -1
          - boot: {image: [a, b], flavor: m1.tiny}
        """)
    assert lines == ["lab.yaml:3: ping packets: expected a whole number, not 'many'",
                     "lab.yaml:4: sleep seconds: must be at least 0, not -1",
                     "lab.yaml:5: boot image: expected a image name or id, not a list"]


def test_yaml_problems_name_the_line():
    (line,) = errors("steps:\n  - token\n  - boot: {image: cirros\n")
    assert line.startswith("lab.yaml:4: not valid YAML") and line.endswith("(it began at line 3)")
    (line,) = errors("steps:\n  - token\nsteps:\n  - catalog\n")
    assert line == "lab.yaml:3: duplicate key 'steps' (first at line 1)"
    (line,) = errors("steps:\n  - !!python/object:os.system {}\n")
    assert line.startswith("lab.yaml:2: unsupported tag")
    (line,) = errors("")
    assert line == "lab.yaml:1: the file is empty: a scenario needs steps"
    (line,) = errors("- token\n")
    assert line.startswith("lab.yaml:1: a scenario is a mapping")
    (line,) = errors("steps: &s\n  - token\nx: [*s, *s]\n")
    assert line.startswith("lab.yaml:3: unknown key 'x'")


def test_alias_bombs_stop_with_a_line():
    lol = ["a: &a [x, x, x, x, x, x, x, x, x, x]"]
    for n in range(1, 8):
        lol.append(f"{'b' * n}: &{'b' * n} [{', '.join(['*' + ('b' * (n - 1) if n > 1 else 'a')] * 10)}]")
    (line,) = errors("\n".join(lol) + "\nsteps: [token]\n")
    assert "more than" in line and "values" in line


def test_var_overrides_must_name_a_variable():
    (line,) = errors("vars: {image: cirros}\nsteps: [token]\n", {"imge": "x"})
    assert line == "lab.yaml:1: --var imge: the scenario has no variable imge (did you mean 'image'?) " \
                   "(variables: image)"
    assert parse_vars(["a=1", "b=x=y"]) == {"a": "1", "b": "x=y"}
    with pytest.raises(UsageError):
        parse_vars(["no-equals"])


def test_errors_from_a_var_value_say_so():
    lines = errors("""\
        vars: {count: 3, packets: 2}
        steps:
          - boot: {image: cirros, flavor: m1.tiny}
            count: "{{ count }}"
            expect: {servers: "{{ count }}"}
          - ping: {servers: 10.0.0.5, packets: "{{ packets }}"}
        """, {"count": "abc", "packets": "1"})
    assert lines == ["lab.yaml:4: boot count: expected a whole number, not 'abc' (from --var count)",
                     "lab.yaml:5: expect servers: expected a whole number, not 'abc' (from --var count)"]
    (line,) = errors("vars: {count: x}\nsteps:\n  - boot: {image: c, flavor: f}\n    count: '{{ count }}'\n")
    assert line == "lab.yaml:4: boot count: expected a whole number, not 'x'"  # the file's own value


def test_unquoted_braces_and_stray_keys_get_a_hint():
    (line,) = errors("steps:\n  - say: {{ x }}\n")
    assert line == 'lab.yaml:2: a key must be a single value, not a list or mapping; a value that starts ' \
                   'with {{ must be quoted: write "{{ x }}"'
    (line,) = errors("steps:\n  - token:\n    colour: red\n")
    assert line == "lab.yaml:3: unknown key 'colour'; besides its action a step takes name, count, expect, " \
                   "save, on_failure, timeout"
    (line,) = errors("steps:\n  - boot:\n    image: cirros\n    flavor: m1.tiny\n")
    assert line == "lab.yaml:3: image and flavor are arguments of boot: indent them under boot:"


def test_arguments_to_an_action_that_takes_none_are_one_error():
    (line,) = errors("steps:\n  - token: {x: 1, y: 2}\n")
    assert line == "lab.yaml:2: token takes no arguments"


@pytest.mark.parametrize("step, actions", [
    ("- image: cirros\n    flavor: m1.tiny", "image and flavor"),  # a missing dash, not flavor's argument
    ("- ping: web\n    servers: web", "ping and servers"),
])
def test_two_actions_with_values_are_two_steps_not_an_indent_slip(step, actions):
    (line,) = errors(f"steps:\n  {step}\n")
    assert line == f"lab.yaml:2: one action per step, not {actions}: split them into steps"


def test_missing_file_is_a_usage_error(tmp_path):
    with pytest.raises(UsageError, match="cannot read"):
        load_file(str(tmp_path / "nope.yaml"))
    bad = tmp_path / "bad.yaml"
    bad.write_bytes(b"steps:\n  - say: \xff\n")
    with pytest.raises(UsageError, match=r"bad\.yaml:2: not UTF-8 text"):
        load_file(str(bad))


# -- properties: any text gives a scenario or a clean error, never a crash ----

def _check_any(text):
    try:
        scenario = load_text(text, "any.yaml")
    except UsageError as exc:
        assert exc.exit_code == 2
        for line in str(exc).splitlines():
            assert re.match(r"^any\.yaml:\d+: ", line), line
    else:
        assert scenario.steps


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(max_size=300))
def test_any_text_gives_a_scenario_or_a_clean_error(text):
    _check_any(text)


KEYS = st.sampled_from(list(ACTIONS) + list(STEP_KEYS) + ["servers", "image", "flavor", "bogus", "count"])
SCALAR = st.one_of(st.none(), st.booleans(), st.integers(-5, 60), st.floats(allow_nan=True),
                   st.text(max_size=12), st.sampled_from(["{{ x }}", "{{ web.0.name }}", "{{", "web",
                                                          "ACTIVE", "stop", "10.0.0.5", "{{ n }}",
                                                          "{{ web.nmae }}", "{{ web.addresses.0.x }}",
                                                          "{{ web.count }}", "{{ web.roles.0 }}"]))
VALUE = st.recursive(SCALAR, lambda inner: st.one_of(st.lists(inner, max_size=3),
                                                     st.dictionaries(KEYS, inner, max_size=3)), max_leaves=8)
STEP = st.one_of(st.sampled_from(list(ACTIONS) + ["bot"]), st.dictionaries(KEYS, VALUE, max_size=4))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.dictionaries(st.sampled_from(["name", "description", "vars", "steps", "stpes"]),
                       st.one_of(VALUE, st.lists(STEP, max_size=6),
                                 st.dictionaries(st.sampled_from(["x", "n", "web", "1a"]), SCALAR)),
                       max_size=4))
@example({"steps": ["0\r0"]})  # a line break inside a quoted action name
def test_any_scenario_shaped_yaml_gives_a_scenario_or_a_clean_error(doc):
    _check_any(yaml.safe_dump(doc, allow_unicode=True))
