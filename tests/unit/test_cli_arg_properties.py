"""The command line's argument types: any text is a value or an argparse error."""

import argparse
import contextlib
import io
import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from osops.cli.app import OsopsApp
from osops.cli.server import CreateServer
from osops.cli.types import regex, seconds, whole

# Digits of other scripts (Arabic-Indic, fullwidth, Devanagari ...): int() and
# float() take them, osops must not.
DIGITS = st.text(st.characters(categories=["Nd"]), min_size=1, max_size=4)
TEXT = st.one_of(st.text(max_size=12), DIGITS, st.sampled_from(["١", "١٠", "５", "1١"]))
# More digits than int() converts (4300 by default): a count nobody means, or zeros before a small one.
LONG = st.builds(lambda zeros, first, more: "0" * zeros + first + "7" * more,
                 st.integers(0, 6000), st.sampled_from("123456789"), st.integers(0, 6000))


BOUNDS = st.one_of(st.tuples(st.just(1), st.none()), st.tuples(st.just(1), st.just(1000)),
                   st.tuples(st.integers(0, 5), st.integers(5, 50)))


@given(BOUNDS, st.one_of(TEXT, st.integers(-5, 2000).map(str), LONG))
def test_whole_numbers_in_ascii_digits_within_bounds_or_an_error(bounds, text):
    """--count of boot and ping."""
    low, high = bounds
    try:
        value = whole(low, high)(text)
    except argparse.ArgumentTypeError as exc:
        assert repr(text) in str(exc) and str(exc).startswith("must be a whole number ")
    else:
        assert text.strip().isascii() and text.strip().isdigit()
        assert value == int(text.strip().lstrip("0") or "0") and low <= value and (high is None or value <= high)


def test_thousands_of_digits_are_a_count_too_big_or_zeros_before_a_small_one():
    with pytest.raises(argparse.ArgumentTypeError, match="^must be a whole number of 1 or more, not '9999"):
        whole(1)("9" * 5000)
    assert whole(1, 1000)("0" * 5000 + "12") == 12


SECONDS = st.one_of(TEXT, st.floats(allow_nan=True, allow_infinity=True).map(str),
                    st.sampled_from(["nan", "inf", "-inf", "0", "-1", "1e400", "١٠", "0.2", "86400", "86401", " 5 "]))


@given(st.sampled_from([(1, 86400), (0.2, 3600), (0.1, 3600)]), SECONDS)
def test_seconds_in_ascii_within_bounds_or_an_error(bounds, text):
    """--timeout of boot, actions, smoke, scenario run, cleanup and ping; ping's --interval."""
    low, high = bounds
    try:
        value = seconds(low, high)(text)
    except argparse.ArgumentTypeError as exc:
        assert str(exc).startswith(("not a number of seconds", f"must be from {low:g} to {high:g} seconds"))
    else:
        assert text.isascii() and math.isfinite(value) and low <= value <= high and value == float(text)


@given(st.sampled_from(["--count", "--timeout"]), TEXT)
def test_a_bad_value_is_one_stderr_line(option, text):
    parser = CreateServer(OsopsApp(), None).get_parser("osops boot")
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


@given(st.text(max_size=20))
def test_a_name_pattern_is_a_regular_expression_or_an_error(text):
    """server list --name: Nova compiles it with Python's re; osops refuses what it would refuse."""
    import re

    try:
        assert regex(text) == text
    except argparse.ArgumentTypeError as exc:
        assert str(exc).startswith(f"not a regular expression: {text!r}")
        with pytest.raises(re.error):
            re.compile(text)
    else:
        re.compile(text)
