"""CONTRIBUTING.md's lists name files and registries that exist, and the
lint command it gives is the one tox runs, with what the test extra installs."""

import configparser
import re

import pytest

from osops.recordings import TESTS_DIR

ROOT = TESTS_DIR.parent.parent
GUIDE = (ROOT / "CONTRIBUTING.md").read_text()
KINDS = ["a command", "an API function", "a cassette", "a scenario action", "a doctor check"]


def steps(kind):
    """The numbered list under ``## Add KIND``: its items' texts, in order."""
    section = re.search(rf"^## Add {re.escape(kind)}\b.*?$(.*?)(?=^## |\Z)", GUIDE, re.M | re.S)
    assert section, f"no section 'Add {kind}'"
    items = re.findall(r"^(\d+)\. (.*)$", section[1], re.M)
    assert [int(n) for n, _ in items] == list(range(1, len(items) + 1)), f"'Add {kind}' is not numbered 1, 2, ..."
    return [text for _, text in items]


def paths(text):
    """The files an item names (``<noun>`` stands for any name)."""
    named = [t for t in re.findall(r"`([^`\s]+)`", text) if "/" in t or t.endswith((".md", ".py", ".cfg"))]
    found = {}
    for name in named:
        pattern = re.sub(r"<\w+>", "*", name.rstrip("/"))
        found[name] = sorted(ROOT.glob(pattern))
    return found


def registries(text):
    """The tables and functions an item names: ``COMMANDS``, ``checks()``."""
    return [t.removesuffix("()") for t in re.findall(r"`([A-Z][A-Z_]+|\w+\(\))`", text)]


@pytest.mark.parametrize("kind", KINDS)
def test_every_kind_of_change_has_its_numbered_list(kind):
    assert len(steps(kind)) >= 2


@pytest.mark.parametrize("kind", KINDS)
def test_the_files_each_step_names_exist(kind):
    for text in steps(kind):
        missing = [name for name, found in paths(text).items() if not found]
        assert missing == [], f"{text[:60]}...: no {missing}"


@pytest.mark.parametrize("kind", KINDS)
def test_the_registries_each_step_names_are_defined_in_its_files(kind):
    checked = 0
    for text in steps(kind):
        sources = "\n".join(p.read_text() for found in paths(text).values() for p in found if p.suffix == ".py")
        for name in registries(text):
            assert re.search(rf"^\s*(def {name}\b|class {name}\b|{name} = )", sources, re.M), \
                f"{name} is not defined in the files of: {text[:60]}..."
            checked += 1
    assert checked


def test_the_lint_command_is_tox_s_and_ruff_comes_with_the_test_extra():
    tox = configparser.ConfigParser()
    tox.read(ROOT / "tox.ini")
    command = tox["testenv:lint"]["commands"].strip()
    assert command == "ruff check osops tests tools bench"
    assert tox["testenv:lint"]["extras"].strip() == "test"
    setup = configparser.ConfigParser()
    setup.read(ROOT / "setup.cfg")
    extra = [re.split(r"[<>=!\s]", line.strip())[0] for line in setup["options.extras_require"]["test"].splitlines()
             if line.strip() and not line.strip().startswith("#")]
    assert "ruff" in extra
    for doc in ("CONTRIBUTING.md", "README.md"):
        assert f".venv/bin/{command}" in (ROOT / doc).read_text(), doc
