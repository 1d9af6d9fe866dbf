"""Check a whole scenario file before anything runs, and turn it into
steps (:mod:`osops.scenario.schema` says what a scenario is).

Every problem found is reported at once as ``file:line: message``, with
the closest valid action or key suggested.  A value that reads only
variables is filled in and converted here, once: what a variable holds is
never read for references again.  A value that reads a saved result is
kept as written and filled in (variables too) when the step runs, but its
references are checked here against what the saving action gives
(``Action.gives``): ``{{ img.nmae }}`` fails validation, not the run.
"""

import collections.abc
import os

from osops.errors import UsageError
from osops.scenario import loader, template
from osops.scenario.kinds import COUNT, EXPECT_KINDS, TIMEOUT, fill
from osops.scenario.loader import Mapping, Sequence, shown
from osops.scenario.schema import (
    IDENT,
    MAX_STEPS,
    ON_FAILURE,
    SCALARS,
    STEP_KEYS,
    STEP_NAME,
    TOP_KEYS,
    Scenario,
    ScenarioError,
    Step,
    suggest,
)
from osops.scenario.steps import ACTIONS


def load_file(path: str, overrides: collections.abc.Mapping[str, object] | None = None) -> Scenario:
    """The validated :class:`Scenario` in file *path*; *overrides* are
    ``--var`` values (name -> text)."""
    from osops.files import read_limited

    try:
        data = read_limited(path, "scenario")
    except OSError as exc:
        raise UsageError(f"cannot read {path}: {exc.strerror or exc}") from None
    return load_text(data, path, overrides)


def load_text(text: str | bytes, path: str = "<text>",
              overrides: collections.abc.Mapping[str, object] | None = None) -> Scenario:
    """The validated :class:`Scenario` in *text* (str or bytes), read from
    *path* (for the messages); *overrides* as for :func:`load_file`."""
    doc = loader.load(text, path)
    return _Checker(path, overrides or {}).scenario(doc)


class _Checker:
    def __init__(self, path, overrides):
        self.path = path
        self.overrides = overrides
        self.errors = []
        self.vars = {}
        self.saved = {}  # name -> line of the step that saves it
        self.shapes = {}  # name -> the shape of what it saves
        self.later = {}  # name -> line, for saves further down
        self.names = {}

    def error(self, line, message):
        self.errors.append((line, f"{self.path}:{line}: {message}"))

    def scenario(self, doc):
        if doc is None:
            self.error(1, "the file is empty: a scenario needs steps")
        elif not isinstance(doc, Mapping):
            self.error(getattr(doc, "line", 1), "a scenario is a mapping with name, description, vars and steps")
        else:
            result = self._document(doc)
            if not self.errors:
                return result
        raise ScenarioError(text for _line, text in sorted(self.errors, key=lambda e: e[0]))

    def _document(self, doc):
        for key in doc:
            if key not in TOP_KEYS:
                self.error(doc.line_of(key), f"unknown key {shown(key)}{suggest(key, TOP_KEYS)}; "
                                             f"a scenario has {', '.join(TOP_KEYS)}")
        name = self._text(doc, "name", default=_stem(self.path))
        description = self._text(doc, "description", default="")
        self._vars(doc)
        steps = doc.get("steps")
        out = []
        if "steps" not in doc:
            self.error(doc.line, "no steps: add 'steps:' with a list of actions")
        elif not isinstance(steps, Sequence) or not steps:
            self.error(doc.value_line("steps"), "steps must be a list with at least one action")
        elif len(steps) > MAX_STEPS:
            self.error(doc.value_line("steps"), f"more than {MAX_STEPS} steps")
        else:
            self.later = self._saves_ahead(steps)
            for index, item in enumerate(steps):
                step = self._step(item, steps.line_of(index))
                if step:
                    out.append(step)
        return Scenario(name=name, description=description, vars=dict(self.vars), steps=out, path=self.path)

    def _text(self, doc, key, default):
        if key not in doc:
            return default
        value = doc[key]
        if not isinstance(value, str) or (key == "name" and not value.strip()):
            self.error(doc.value_line(key), f"{key} must be text")
            return default
        return value.strip()

    def _vars(self, doc):
        given = doc.get("vars")
        line = doc.value_line("vars") if "vars" in doc else doc.line
        if given is None:
            given = Mapping()
        if not isinstance(given, Mapping):
            self.error(line, "vars must be a mapping of names to values")
            given = Mapping()
        for key, value in given.items():
            if not isinstance(key, str) or not IDENT.fullmatch(key):
                self.error(given.line_of(key), f"variable name {shown(key)} is not a name "
                                               "(letters, digits and _, not starting with a digit)")
            elif not (isinstance(value, SCALARS) or isinstance(value, list)
                      and all(isinstance(v, SCALARS) for v in value)):
                self.error(given.value_line(key), f"variable {key} must be a value or a list of values")
            else:
                self.vars[key] = list(value) if isinstance(value, list) else value
        for key, value in self.overrides.items():
            if key not in self.vars:
                self.error(line, f"--var {key}: the scenario has no variable {key}"
                                 f"{suggest(key, self.vars)} (variables: {', '.join(self.vars) or 'none'})")
            else:
                self.vars[key] = value

    def _saves_ahead(self, steps):
        ahead: dict[str, int] = {}
        for index, item in enumerate(steps):
            if isinstance(item, Mapping) and isinstance(item.get("save"), str):
                ahead.setdefault(item["save"], steps.line_of(index))
        return ahead

    # -- one step ------------------------------------------------------------

    def _step(self, item, line):
        if isinstance(item, str):
            action, value, keys = item.strip(), None, Mapping()
            keys.line = line
            action_line = line
        elif isinstance(item, Mapping):
            keys = item
            candidates = [k for k in item if k not in STEP_KEYS]
            if not candidates:
                self.error(line, f"a step needs an action: one of {', '.join(ACTIONS)}")
                return None
            owners = [a for a in candidates if a in ACTIONS and all(k in ACTIONS[a].args for k in candidates if k != a)]
            if len(candidates) > 1 and len(owners) == 1 and item[owners[0]] is None:  # - boot:\n  image: ...
                others = [k for k in candidates if k != owners[0]]
                self.error(item.line_of(others[0]), f"{' and '.join(others)} "
                                                    f"{'is an argument' if len(others) == 1 else 'are arguments'} "
                                                    f"of {owners[0]}: indent {'it' if len(others) == 1 else 'them'} "
                                                    f"under {owners[0]}:")
                return None
            if len(candidates) > 1:
                known = [k for k in candidates if k in ACTIONS]
                for k in candidates:
                    if k not in ACTIONS:
                        self.error(item.line_of(k), f"unknown key {shown(k)}{_step_key_hint(k)}")
                if len(known) > 1:
                    self.error(line, f"one action per step, not {' and '.join(known)}: split them into steps")
                if len(known) != 1:
                    return None
                candidates = known
            action = candidates[0]
            value = item[action]
            action_line = item.line_of(action)
        else:
            self.error(line, "a step is an action name (- token) or a mapping (- boot: {...})")
            return None
        if not isinstance(action, str) or action not in ACTIONS:
            hint = suggest(action, list(ACTIONS) + (list(STEP_KEYS) if keys else []))
            self.error(action_line, f"unknown action {shown(action)}{hint}; actions: {', '.join(ACTIONS)}")
            return None
        spec = ACTIONS[action]
        value_line = keys.value_line(action) if isinstance(item, Mapping) else line
        args, reads = self._args(action, spec, value, value_line)
        step = Step(name="", action=action, args=args, line=line)
        self._step_keys(step, spec, keys, reads)
        step.later = tuple(reads)
        step.needs = tuple(sorted(set().union(*reads.values())))
        if step.save:
            self.saved[step.save] = line
            self.shapes[step.save] = spec.gives
        return step

    def _args(self, action, spec, value, line):
        """The arguments, and name -> the saved results it reads (for
        those that read any)."""
        given, lines, reads = {}, {}, {}
        if value is None:
            pass
        elif isinstance(value, Mapping) and not spec.args:
            self.error(line, f"{action} takes no arguments")
        elif isinstance(value, Mapping):
            for key in value:
                if key not in spec.args:
                    self.error(value.line_of(key), f"{action} has no argument {shown(key)}"
                                                   f"{suggest(key, spec.args)}; it takes {', '.join(spec.args)}")
                else:
                    given[key], lines[key] = value[key], value.value_line(key)
        elif spec.positional:
            given[spec.positional], lines[spec.positional] = value, line
        elif spec.args:
            self.error(line, f"{action} takes its arguments as a mapping: {', '.join(spec.args)}")
        else:
            self.error(line, f"{action} takes no arguments")
        out = {}
        for name, arg in spec.args.items():
            if name not in given:
                if arg.required:
                    self.error(line, f"{action} needs {name}")
                out[name] = list(arg.default) if isinstance(arg.default, list) else arg.default
                continue
            out[name], read = self._value(f"{action} {name}", arg, given[name], lines[name])
            if read:
                reads[name] = read
        return out, reads

    def _value(self, what, arg, value, line, saved=True):
        """*value* and the saved results it reads.  One that reads none
        comes back final: variables filled in, converted to what *arg*
        takes.  One that reads some comes back as written (saved names
        given bare made references), to be filled in when the step runs.
        With *saved* False it may read variables only.  A problem is an
        error at *line*, and *value* comes back as it was."""
        if arg.kind in ("servers", "server"):
            value = self._bare_saves(value)
        try:
            refs = template.refs(value)
        except template.TemplateError as exc:
            self.error(line, f"{what}: {exc}")
            return value, set()
        if not saved:
            other = [r for r in refs if r.root not in self.vars]
            if other:
                self.error(line, f"{what}: {other[0]} is not a variable ({what} reads variables only)"
                                 f"{suggest(other[0].root, self.vars)}")
                return value, set()
        elif not self._known(refs, line, what):
            return value, set()
        read = {r.root for r in refs if r.root in self.saved}
        try:
            if read:  # the variables' parts must be there; the rest waits for the run
                template.render(value, self.vars.__getitem__, keep=read)
                return value, read
            return fill(value, self.vars.__getitem__, arg), read
        except (ValueError, template.TemplateError) as exc:
            given = sorted({r.root for r in refs if r.root in self.overrides})
            origin = f" (from {', '.join(f'--var {name}' for name in given)})" if given else ""
            self.error(line, f"{what}: {exc}{origin}")
            return value, read

    def _bare_saves(self, value):
        if isinstance(value, str) and value.strip() in self.saved:
            return "{{ %s }}" % value.strip()
        if isinstance(value, list):
            return [self._bare_saves(v) if isinstance(v, str) else v for v in value]
        return value

    def _known(self, refs, line, what):
        ok = True
        for ref in refs:
            if ref.root in self.vars:
                continue
            if ref.root in self.saved:
                problem = template.check(ref, self.shapes[ref.root])
                if problem:
                    ok = False
                    self.error(line, f"{what}: {problem}")
                continue
            ok = False
            if ref.root in self.later:
                self.error(line, f"{what}: {ref} reads {ref.root!r}, which is saved only later "
                                 f"(line {self.later[ref.root]})")
            else:
                known = list(self.vars) + list(self.saved)
                self.error(line, f"{what}: {ref} names no variable or saved result {ref.root!r}"
                                 f"{suggest(ref.root, known)}")
        return ok

    def _step_keys(self, step, spec, keys, reads):
        action = step.action
        if "count" in keys:
            line = keys.value_line("count")
            if not spec.count:
                self.error(keys.line_of("count"), f"count only applies to boot, not {action}")
            else:
                step.count, read = self._value(f"{action} count", COUNT, keys["count"], line)
                if read:
                    reads["count"] = read
        if "expect" in keys:
            step.expect = self._expect(action, spec, keys["expect"], keys.value_line("expect"))
        if "save" in keys:
            self._save(step, spec, keys["save"], keys.value_line("save"))
        if "on_failure" in keys:
            value = keys["on_failure"]
            if value not in ON_FAILURE:
                self.error(keys.value_line("on_failure"), f"on_failure is continue or stop, not {shown(value)}"
                                                          f"{suggest(value, ON_FAILURE)}")
            else:
                step.on_failure = value
        if "timeout" in keys:
            step.timeout, _ = self._value(f"{action} timeout", TIMEOUT, keys["timeout"],
                                          keys.value_line("timeout"), saved=False)
        self._name(step, keys)

    def _expect(self, action, spec, value, line):
        out: dict[str, object] = {}
        if not isinstance(value, Mapping):
            example = ", ".join(f"{k}: ..." for k in spec.expect) or "status: ACTIVE"
            self.error(line, f"expect must be a mapping, e.g. expect: {{{example}}}")
            return out
        if not spec.expect:
            self.error(line, f"{action} has nothing to expect")
            return out
        for key in value:
            kline = value.value_line(key)
            if key not in spec.expect:
                self.error(value.line_of(key), f"{action} cannot expect {shown(key)}{suggest(key, spec.expect)}; "
                                               f"it can expect {', '.join(spec.expect)}")
                continue
            out[key], _ = self._value(f"expect {key}", EXPECT_KINDS[key], value[key], kline, saved=False)
        return out

    def _save(self, step, spec, value, line):
        if not spec.saves:
            self.error(line, f"{step.action} gives nothing to save")
        elif not isinstance(value, str) or not IDENT.fullmatch(value):
            self.error(line, f"save takes a name (letters, digits and _), not {shown(value)}")
        elif value in self.vars:
            self.error(line, f"save {value}: there is a variable called {value} too; choose another name")
        elif value in self.saved:
            self.error(line, f"save {value}: already saved by the step at line {self.saved[value]}")
        else:
            step.save = value

    def _name(self, step, keys):
        if "name" in keys:
            value = keys["name"]
            if not isinstance(value, str) or not STEP_NAME.fullmatch(value):
                self.error(keys.value_line("name"), f"a step name is letters, digits, _ . and -, not {shown(value)}")
            elif value in self.names:
                self.error(keys.value_line("name"), f"step name {value} is used twice (line {self.names[value]})")
            else:
                step.name = value
        if not step.name:
            base = step.action
            step.name, n = base, 1
            while step.name in self.names:
                n += 1
                step.name = f"{base}-{n}"
        self.names[step.name] = step.line


def _step_key_hint(key):
    """The closest key to *key* beside a step's action, or the keys a step takes."""
    return suggest(key, list(ACTIONS) + list(STEP_KEYS)) or f"; besides its action a step takes {', '.join(STEP_KEYS)}"


def _stem(path):
    base = os.path.basename(str(path))
    return base.rsplit(".", 1)[0] if "." in base else (base or "scenario")
