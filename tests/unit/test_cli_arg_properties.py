"""The boot/action argument parsers: any text is a value or an argparse error."""

import argparse
import contextlib
import io
import math

from hypothesis import given
from hypothesis import strategies as st

from osops.cli.app import OsopsApp
from osops.cli.base import seconds
from osops.cli.server import CreateServer, _count, _positive
from osops.cli.usage import guard

# Digits of other scripts (Arabic-Indic, fullwidth, Devanagari ...): int() and
# float() take them, osops must not.
DIGITS = st.text(st.characters(categories=["Nd"]), min_size=1, max_size=4)
TEXT = st.one_of(st.text(max_size=12), DIGITS, st.sampled_from(["١", "١٠", "５", "1١"]))


@given(TEXT)
def test_count_is_a_whole_number_in_ascii_digits_or_an_error(text):
    try:
        value = _count(text)
    except argparse.ArgumentTypeError as exc:
        assert repr(text) in str(exc)
    else:
        assert text.isascii() and text.isdigit()
        assert isinstance(value, int) and value >= 1 and value == int(text)


@given(st.one_of(TEXT, st.sampled_from(["nan", "inf", "-inf", "0", "-1", "1e400", "١٠"])))
def test_timeout_is_finite_positive_and_ascii_or_an_error(text):
    try:
        value = _positive(text)
    except argparse.ArgumentTypeError:
        pass
    else:
        assert text.isascii()
        assert math.isfinite(value) and value > 0


@given(st.one_of(st.text(max_size=12), st.floats(allow_nan=True).map(str),
                 st.sampled_from(["nan", "inf", "0", "1", "86400", "86401", " 5 ", "1e3"])))
def test_run_and_cleanup_timeouts_are_a_second_to_a_day_or_an_error(text):
    """osops smoke/scenario run/cleanup --timeout."""
    try:
        value = seconds(text)
    except argparse.ArgumentTypeError as exc:
        assert str(exc).startswith(("not a number of seconds", "must be from 1 to 86400 seconds"))
    else:
        assert 1 <= value <= 86400 and value == float(text)


@given(st.sampled_from(["--count", "--timeout"]), TEXT)
def test_a_bad_value_is_one_stderr_line(option, text):
    cmd = CreateServer(OsopsApp(), None)
    guard(cmd, "osops")
    parser = cmd.get_parser("osops boot")
    err = io.StringIO()
    with contextlib.redirect_stderr(err):
        try:
            parser.parse_args(["--flavor", "1", "--image", "c", option, text])
        except SystemExit as exc:
            assert exc.code == 2
            assert len(err.getvalue().splitlines()) == 1
            assert err.getvalue().startswith(f"osops boot: argument {option}: ")
            assert err.getvalue().endswith(" (see: osops help boot)\n")
        else:
            assert err.getvalue() == ""
