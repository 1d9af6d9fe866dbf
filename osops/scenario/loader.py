"""Read YAML into plain values that remember the line each came from.

Mappings become :class:`Mapping` (a dict with ``line``, ``key_lines`` and
``value_lines``), sequences :class:`Sequence` (a list with ``line`` and
``item_lines``); scalars are what PyYAML's safe loader makes of them.
Anything that is not a usable document raises :class:`SourceError` naming
the file and line: a syntax error, several documents, an unknown tag, a
duplicate key, a key that is not a single value, nesting or aliases that
expand beyond reason.  Lines count from 1.
"""

from typing import Any

import yaml

from osops.errors import UsageError

MAX_VALUES = 20000  # values after expanding aliases (a "billion laughs" stops here)
MAX_DEPTH = 40
MAP_TAG = "tag:yaml.org,2002:map"
SEQ_TAG = "tag:yaml.org,2002:seq"


class SourceError(UsageError):
    """A file that cannot be read as a scenario; the message starts with file:line."""

    def __init__(self, path: str, line: int, message: str) -> None:
        super().__init__(f"{path}:{line}: {message}")
        self.path, self.line, self.message = path, line, message


class Mapping(dict):
    """A dict that knows the line of itself, of each key and of each value."""

    line = 1

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.key_lines: dict[str, int] = {}
        self.value_lines: dict[str, int] = {}

    def line_of(self, key: str) -> int:
        return self.key_lines.get(key, self.line)

    def value_line(self, key: str) -> int:
        return self.value_lines.get(key, self.line_of(key))


class Sequence(list):
    """A list that knows the line of itself and of each item."""

    line = 1

    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        self.item_lines: list[int] = []

    def line_of(self, index: int) -> int:
        return self.item_lines[index] if 0 <= index < len(self.item_lines) else self.line


class _Loader(yaml.SafeLoader):
    """PyYAML's safe loader; only used to compose nodes and build scalars."""


def load(text: str | bytes, path: str = "<text>") -> object:
    """The document in *text* as line-aware plain values.

    *text* is a str (or UTF-8 bytes).  An empty document is None.
    """
    if isinstance(text, bytes):
        raw = text
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise SourceError(path, raw[:exc.start].count(b"\n") + 1, "not UTF-8 text") from None
    loader = None
    try:
        loader = _Loader(text)  # the reader already refuses some characters
        node = loader.get_single_node()
        if node is None:
            return None
        return _Builder(loader, path).build(node, 0)
    except SourceError:
        raise
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 1
        message = _yaml_message(exc)
        if exc.context_mark and exc.problem_mark and exc.context_mark.line != exc.problem_mark.line:
            message += f" (it began at line {exc.context_mark.line + 1})"
        raise SourceError(path, line, message) from None
    except yaml.YAMLError as exc:  # ReaderError: a character YAML does not allow
        position = getattr(exc, "position", 0) or 0
        line = text[:position].count("\n") + 1
        reason = getattr(exc, "reason", "") or "unreadable"
        char = getattr(exc, "character", None)
        shown = f" (U+{char:04X})" if isinstance(char, int) else ""
        raise SourceError(path, line, f"not YAML text: {reason}{shown}") from None
    except RecursionError:
        raise SourceError(path, 1, f"nested more than {MAX_DEPTH} levels deep") from None
    finally:
        if loader is not None:
            loader.dispose()


def _yaml_message(exc):
    parts = [exc.context, exc.problem]
    text = ", ".join(p for p in parts if p)
    return f"not valid YAML: {text or 'unreadable'}"


class _Builder:
    def __init__(self, loader, path):
        self.loader = loader
        self.path = path
        self.left = MAX_VALUES

    def error(self, node, message):
        return SourceError(self.path, node.start_mark.line + 1, message)

    def build(self, node, depth):
        self.left -= 1
        if self.left < 0:
            raise self.error(node, f"more than {MAX_VALUES} values (aliases expanding?)")
        if depth > MAX_DEPTH:
            raise self.error(node, f"nested more than {MAX_DEPTH} levels deep")
        if isinstance(node, yaml.ScalarNode):
            return self.scalar(node)
        if isinstance(node, yaml.SequenceNode):
            if node.tag != SEQ_TAG:
                raise self.error(node, f"unsupported tag {node.tag} on a list")
            out = Sequence()
            out.line = node.start_mark.line + 1
            for item in node.value:
                out.append(self.build(item, depth + 1))
                out.item_lines.append(item.start_mark.line + 1)
            return out
        if isinstance(node, yaml.MappingNode):
            if node.tag != MAP_TAG:
                raise self.error(node, f"unsupported tag {node.tag} on a mapping")
            self.loader.flatten_mapping(node)  # merge keys (<<: *defaults)
            mapping = Mapping()
            mapping.line = node.start_mark.line + 1
            for key_node, value_node in node.value:
                key = self.build(key_node, depth + 1)
                if isinstance(key, (dict, list)):
                    raise self.error(key_node, "a key must be a single value, not a list or mapping"
                                     + _braces_hint(node, key_node))
                try:
                    hash(key)
                except TypeError:
                    raise self.error(key_node, "a key must be a single value") from None
                if key in mapping:
                    raise self.error(key_node, f"duplicate key {shown(key)} (first at line {mapping.key_lines[key]})")
                mapping[key] = self.build(value_node, depth + 1)
                mapping.key_lines[key] = key_node.start_mark.line + 1
                mapping.value_lines[key] = value_node.start_mark.line + 1
            return mapping
        raise self.error(node, "unreadable value")  # pragma: no cover - PyYAML has no other nodes

    def scalar(self, node):
        try:
            return self.loader.construct_object(node, deep=True)
        except yaml.MarkedYAMLError:
            raise
        except Exception as exc:  # e.g. !!int "abc", a date that does not exist
            raise self.error(node, f"cannot read {node.value!r} as {node.tag.rsplit(':', 1)[-1]}: "
                                   f"{' '.join(str(exc).split())[:200]}") from None


def _braces_hint(node, key_node):
    """A hint for ``say: {{ x }}``: YAML reads unquoted braces as a mapping."""
    if not (node.flow_style and isinstance(key_node, yaml.MappingNode) and key_node.flow_style):
        return ""
    mark = node.start_mark
    written = mark.buffer[mark.index:node.end_mark.index] if isinstance(mark.buffer, str) else ""
    example = f'"{written}"' if written.startswith("{{") and "\n" not in written else '"{{ name }}"'
    return f"; a value that starts with {{{{ must be quoted: write {example}"


def shown(value: object) -> str:
    """*value* as a message quotes it: 'text', or its repr (also for text
    with a line break or another unprintable character: a message stays one
    line)."""
    return f"'{value}'" if isinstance(value, str) and value.isprintable() else repr(value)
