"""The boot/action argument parsers: any text is a value or an argparse error."""

import argparse
import math

from hypothesis import given
from hypothesis import strategies as st

from osops.cli.base import seconds
from osops.cli.server import _count, _positive


@given(st.text(max_size=12))
def test_count_is_a_whole_number_of_one_or_more_or_an_error(text):
    try:
        value = _count(text)
    except argparse.ArgumentTypeError as exc:
        assert repr(text) in str(exc)
    else:
        assert isinstance(value, int) and value >= 1


@given(st.one_of(st.text(max_size=12), st.sampled_from(["nan", "inf", "-inf", "0", "-1", "1e400"])))
def test_timeout_is_finite_and_positive_or_an_error(text):
    try:
        value = _positive(text)
    except argparse.ArgumentTypeError:
        pass
    else:
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
