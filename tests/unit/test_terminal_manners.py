"""Terminal manners: what -v, -v -v and --log-file show, and a stdout
that went away."""

import sys

import pytest

from osops.cli.app import SIGPIPE_EXIT, main

HTTP = "REQ: curl -g -i -X GET"


def test_default_shows_no_info_nor_http(cli):
    r = cli("flavor-list", "flavor", "list")
    assert r.code == 0 and r.err == ""


def test_v_shows_osops_info_lines_and_no_plugin_noise(cli):
    r = cli("flavor-list", "-v", "flavor", "list")
    assert r.code == 0, r.err
    assert "settings from OS_* environment variables: password at http://identity.osops.invalid" in r.err
    assert "found extension" not in r.err and HTTP not in r.err


def test_v_v_adds_the_http_log(cli):
    r = cli("flavor-list", "-v", "-v", "flavor", "list")
    assert r.code == 0
    assert "settings from OS_*" in r.err and HTTP in r.err and "/flavors/detail" in r.err
    assert "found extension" not in r.err and "secret-pw" not in r.err


def test_log_file_always_has_info_and_http_lines(cli, tmp_path):
    log = tmp_path / "osops.log"
    r = cli("flavor-list", "--log-file", str(log), "flavor", "list")
    assert r.code == 0 and r.err == ""
    text = log.read_text()
    assert "INFO     osops settings from OS_*" in text and HTTP in text
    assert "found extension" not in text and "secret-pw" not in text


class GoneReader:
    """A stdout whose reader went away (``| head -1``)."""

    def write(self, text):
        raise BrokenPipeError(32, "Broken pipe")

    def flush(self):
        pass

    def isatty(self):
        return False


def test_a_stdout_whose_reader_went_ends_quietly_with_the_shells_status(cli, monkeypatch, capsys):
    cli("flavor-list", "flavor", "list")  # the fixture's settings; a warm token cache
    monkeypatch.setattr(sys, "stdout", GoneReader())
    code = main(["--os-cloud", "demo", "flavor", "list"])
    assert code == SIGPIPE_EXIT
    err = capsys.readouterr().err
    assert "Broken pipe" not in err and "Errno" not in err


@pytest.mark.parametrize("argv", [["--os-cloud", "demo", "flavor", "list"], ["--os-cloud", "demo", "image", "list"]])
def test_a_closed_stdout_is_as_dev_null(clean_env, monkeypatch, capsys, argv):
    monkeypatch.setattr(sys, "stdout", None)
    code = main(argv)
    assert code == 0
    assert "Errno" not in capsys.readouterr().err


def test_complete_offers_the_clouds_of_clouds_yaml_after_os_cloud(cli, clean_env, monkeypatch):
    import os
    import subprocess

    from tests.unit.conftest import EMPTY

    path = clean_env / "clouds.yaml"
    path.write_text("clouds:\n  lab: {auth: {auth_url: 'http://h.invalid:5000'}}\n  lab2: {}\n  prod: {}\n")
    monkeypatch.setenv("OS_CLIENT_CONFIG_FILE", str(path))
    assert cli(EMPTY, "complete", "--clouds").out.split() == ["lab", "lab2", "prod", "demo"]
    script = cli(EMPTY, "complete").out
    # bash-completion's helper, as it would set the words for "osops --os-cloud la<TAB>"
    stub = '_get_comp_words_by_ref() { cur="la"; prev="--os-cloud"; words=(osops --os-cloud la); }\n'
    bash = subprocess.run(["bash", "-c", stub + script + '\n_osops; echo "${COMPREPLY[@]}"'],
                          capture_output=True, text=True, timeout=60,
                          env={**os.environ, "PATH": os.path.dirname(sys.executable) + ":" + os.environ["PATH"]})
    assert bash.stdout.split() == ["lab", "lab2"], bash.stderr


class Terminal:
    """A terminal's stderr, kept."""

    def __init__(self):
        self.text = ""

    def write(self, text):
        self.text += text

    def flush(self):
        pass


class Server:
    def __init__(self, name, status):
        self.name, self.status = name, status


def test_progress_shows_at_once_then_each_second_and_each_change():
    from osops.cli.progress import CLEAR, Progress

    now = [100.0]
    term = Terminal()
    progress = Progress(term, "boot", clock=lambda: now[0])
    progress.tick()  # what begin() shows at once
    assert term.text == CLEAR + "boot: waiting 0 s /"
    progress.on_change("id1", Server("demo-1", "BUILD"), None, 0.1)
    now[0] = 103.0
    progress.tick()  # the heartbeat's
    assert term.text.endswith(CLEAR + "boot: waiting (demo-1 BUILD) 3 s -")
    progress.on_change("id1", Server("demo-1", "ACTIVE"), "BUILD", 3.2)
    assert "demo-1: BUILD → ACTIVE in 3.2 s\n" in term.text


def test_progress_begins_on_a_terminal_and_is_cleared_before_the_output(cli, monkeypatch):
    from osops.cli.progress import CLEAR

    monkeypatch.setattr(sys.stderr, "isatty", lambda: True, raising=False)
    r = cli("suspend", "suspend", "demo-1", "--wait")
    assert r.code == 0
    assert r.err.startswith(CLEAR + "server suspend: waiting ")
    assert "demo-1: ACTIVE → SUSPENDED in" in r.err and r.err.endswith(CLEAR)
