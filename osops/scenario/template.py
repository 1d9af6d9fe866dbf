"""``{{ name.path }}`` substitution: a few lines of our own, no template engine.

A reference names a variable or a saved result, then optional ``.parts``:
a mapping key, a list index (``lab.0``), a field of a result (``id``,
``name``, ``status`` ...), or ``count``.  A part on a list applies to
each item (``lab.addresses`` is every address of every server).  Nothing
is evaluated: a reference can only read fields of plain results.

A string that is exactly one reference gives the value itself (a server,
a list ...); references inside other text are replaced by text.

What a saved result holds is known before the run from the action's
*shape* (:data:`ANY`, :data:`VALUE`, a result dataclass, :class:`ListOf`,
:class:`Keys`), so :func:`check` can refuse ``{{ img.nmae }}`` at
validation with the same words the run would use.
"""

import dataclasses
import difflib
import re
import types
import typing
from collections.abc import Callable, Collection, Mapping

from osops.errors import UsageError

REF = re.compile(r"\{\{(.*?)\}\}", re.S)
MAX_SHOWN = 20  # field names listed when a reference names none of them
PATH = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(?:\.(?:[A-Za-z_][A-Za-z0-9_]*|[0-9]+))*")


class TemplateError(UsageError):
    """A reference that is malformed or names nothing."""


@dataclasses.dataclass(frozen=True)
class Ref:
    """One ``{{ ... }}``: the root name and the parts after it."""

    root: str
    parts: tuple
    text: str

    def __str__(self):
        return self.text


def refs(value: object) -> list[Ref]:
    """Every :class:`Ref` in *value* (a string, or lists and mappings of them).

    Raises :class:`TemplateError` for ``{{ }}`` that is not a reference.
    """
    found = []
    _walk_strings(value, lambda s: found.extend(_parse(s)))
    return found


def render(value: object, lookup: Callable[[str], object], keep: Collection[str] = frozenset(),
           kept: Callable[[Ref], str] | None = None) -> object:
    """*value* with every reference replaced through *lookup(root)*, in
    one pass: what a reference gives is never read for references again.

    References whose root is in *keep* stay as written, or become the
    text *kept(ref)*.  A root *lookup* does not know (KeyError) is a
    :class:`TemplateError`.
    """
    if isinstance(value, str):
        return _render_text(value, lookup, keep, kept)
    if isinstance(value, list):
        return [render(v, lookup, keep, kept) for v in value]
    if isinstance(value, dict):
        return {k: render(v, lookup, keep, kept) for k, v in value.items()}
    return value


def resolve(ref: Ref, root_value: object) -> object:
    """The value *ref* names inside *root_value*."""
    value = root_value
    walked = ref.root
    for part in ref.parts:
        value = _step(value, part, walked)
        walked += "." + part
    return value


def text(value: object) -> str:
    """A value as it reads inside a line of text."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (list, tuple)):
        return ", ".join(text(v) for v in value)
    if isinstance(value, dict):
        return ", ".join(f"{k}={text(v)}" for k, v in value.items())
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        for name in ("name", "address", "addr", "id"):
            if hasattr(value, name) and getattr(value, name):
                return str(getattr(value, name))
    return str(value)


def _walk_strings(value, visit):
    if isinstance(value, str):
        visit(value)
    elif isinstance(value, list):
        for v in value:
            _walk_strings(v, visit)
    elif isinstance(value, dict):
        for v in value.values():
            _walk_strings(v, visit)


def _parse(s):
    out = []
    for m in REF.finditer(s):
        inner = m.group(1).strip()
        if not PATH.fullmatch(inner):
            raise TemplateError(f"{m.group(0)!r} is not a reference: write {{{{ name }}}} or "
                                "{{ name.field }} (a variable or a saved result, then fields)")
        root, *parts = inner.split(".")
        out.append(Ref(root, tuple(parts), m.group(0)))
    rest = REF.sub("", s)
    if "{{" in rest or "}}" in rest:
        raise TemplateError(f"unbalanced braces in {s!r}: a reference is {{{{ name }}}}")
    return out


def _render_text(s, lookup, keep, kept):
    found = _parse(s)
    if not found:
        return s
    whole = REF.fullmatch(s.strip())
    if whole and len(found) == 1 and found[0].root not in keep:
        return _read(found[0], lookup)
    pieces = iter(found)

    def replace(m):
        ref = next(pieces)
        if ref.root in keep:
            return kept(ref) if kept else m.group(0)
        return text(_read(ref, lookup))

    return REF.sub(replace, s)


def _read(ref, lookup):
    try:
        root = lookup(ref.root)
    except KeyError:
        raise TemplateError(f"{ref} names no variable or saved result {ref.root!r}") from None
    return resolve(ref, root)


# -- shapes: what a saved result holds, known before the run --------------------

ANY = "any"  # not known: every part is allowed
VALUE = "value"  # text, a number, true/false or nothing: no parts


@dataclasses.dataclass(frozen=True)
class ListOf:
    """A list whose items have shape *item*."""

    item: object


@dataclasses.dataclass(frozen=True)
class Keys:
    """A mapping with these keys (name -> shape)."""

    keys: dict


def shape_of(kind: object) -> object:
    """The shape of a dataclass field annotated *kind*."""
    if isinstance(kind, type) and dataclasses.is_dataclass(kind):
        return kind
    origin = typing.get_origin(kind)
    if kind in (tuple, list) or origin in (tuple, list):
        args = [a for a in typing.get_args(kind) if a is not Ellipsis]
        return ListOf(shape_of(args[0]) if args else ANY)
    if kind in (str, int, float, bool, type(None)):
        return VALUE
    if origin in (types.UnionType, typing.Union):
        return VALUE if all(shape_of(a) == VALUE for a in typing.get_args(kind)) else ANY
    return ANY


# Fields a reference may read beyond a result's own dataclass fields:
# name -> (shape, how to read it).
EXTRAS = {"Server": {
    "address": (VALUE, lambda server: (server.ips() or [""])[0]),
    "addresses": (ListOf(VALUE), lambda server: server.ips()),
    "fixed": (ListOf(VALUE), lambda server: server.ips("fixed")),
    "floating": (ListOf(VALUE), lambda server: server.ips("floating")),
}}


def _fields(value):
    """The readable fields of a result: its dataclass fields and extras."""
    names = {f.name: getattr(value, f.name) for f in dataclasses.fields(value)}
    names.update({name: read(value) for name, (_shape, read) in EXTRAS.get(type(value).__name__, {}).items()})
    return names


def _field_shapes(cls):
    names = {f.name: shape_of(f.type) for f in dataclasses.fields(cls)}
    names.update({name: shape for name, (shape, _read) in EXTRAS.get(cls.__name__, {}).items()})
    return names


def describe(shape: object) -> str:
    """*shape* in words: ``list of Server``, ``Image``, ``user, project ...``."""
    if isinstance(shape, ListOf):
        return f"list of {describe(shape.item)}"
    if isinstance(shape, Keys):
        return ", ".join(shape.keys)
    if isinstance(shape, type):
        return shape.__name__
    return "text" if shape == VALUE else "anything"


def check(ref: Ref, shape: object) -> str:
    """'' when *ref*'s parts can be read from a result of *shape*, else
    why not (the words the run would fail with, closest field suggested)."""
    walked = ref.root
    for part in ref.parts:
        shape, problem = _step_shape(shape, part, walked)
        if problem:
            return problem
        walked += "." + part
    return ""


def _step_shape(shape, part, walked):
    """The shape of *part* of a value of *shape*, and '' or a problem."""
    if shape == ANY:
        return ANY, ""
    if isinstance(shape, Keys):
        if part in shape.keys:
            return shape.keys[part], ""
        return None, _missing(walked, part, list(shape.keys))
    if isinstance(shape, ListOf):
        if part.isdigit():
            return shape.item, ""
        if part == "count":
            return VALUE, ""
        item, problem = _step_shape(shape.item, part, walked)
        return (item if isinstance(item, ListOf) else ListOf(item)), problem
    if isinstance(shape, type) and dataclasses.is_dataclass(shape):
        fields = _field_shapes(shape)
        if part in fields:
            return fields[part], ""
        return None, _missing(walked, part, list(fields))
    return None, f"{walked} is a single value, which has no .{part}"


def _step(value, part, walked):
    if isinstance(value, dict):
        if part in value:
            return value[part]
        raise TemplateError(_missing(walked, part, list(value)))
    if isinstance(value, (list, tuple)):
        if part.isdigit():
            index = int(part)
            if index >= len(value):
                raise TemplateError(f"{walked} has {len(value)} item(s): there is no {walked}.{part}")
            return value[index]
        if part == "count":
            return len(value)
        out: list[object] = []
        for item in value:
            got = _step(item, part, walked)
            out.extend(got if isinstance(got, (list, tuple)) else [got])
        return out
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        fields = _fields(value)
        if part in fields:
            found = fields[part]
            return list(found) if isinstance(found, tuple) else found
        raise TemplateError(_missing(walked, part, list(fields)))
    raise TemplateError(f"{walked} is {text(value)!r}, which has no .{part}")


def _missing(walked, part, names):
    close = difflib.get_close_matches(part, [str(n) for n in names], n=1, cutoff=0.6)
    hint = f" (did you mean {walked}.{close[0]}?)" if close else ""
    shown = ", ".join(str(n) for n in names[:MAX_SHOWN]) + (", ..." if len(names) > MAX_SHOWN else "")
    return f"{walked} has no {part!r}{hint}; it has {shown or 'nothing'}"


def placeholders(value: object, variables: Mapping[str, object] | None = None) -> object:
    """*value* with *variables* (name -> value) filled in and every other
    reference shown as ``<name.field>`` (for dry runs)."""
    variables = variables or {}
    others = {r.root for r in refs(value)} - set(variables)
    return render(value, variables.__getitem__, others, lambda ref: "<" + ".".join((ref.root, *ref.parts)) + ">")
