"""Argument types for the command line: whole numbers and seconds, in
ASCII digits only (int() and float() also take Arabic-Indic or fullwidth
digits, which nobody means to type), each refused value one argparse
error that quotes it."""

import argparse
import math


def whole(minimum=1, maximum=None):
    """A type for a whole number from *minimum* to *maximum* (no upper
    bound when None): --count."""
    bounds = f"from {minimum} to {maximum}" if maximum is not None else f"of {minimum} or more"

    def parse(text):
        digits = text.strip()
        value = None
        if digits.isascii() and digits.isdecimal():
            try:
                value = int(digits.lstrip("0") or "0")
            except ValueError:  # more digits than int() converts (sys.get_int_max_str_digits)
                pass
        if value is None or value < minimum or (maximum is not None and value > maximum):
            raise argparse.ArgumentTypeError(f"must be a whole number {bounds}, not {text!r}")
        return value

    return parse


def seconds(minimum, maximum):
    """A type for a number of seconds from *minimum* to *maximum*: --timeout, --interval."""

    def parse(text):
        try:
            if not text.isascii():
                raise ValueError(text)
            value = float(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"not a number of seconds: {text!r}") from None
        if not (math.isfinite(value) and minimum <= value <= maximum):
            raise argparse.ArgumentTypeError(f"must be from {minimum:g} to {maximum:g} seconds, not {text}")
        return value

    return parse


def regex(text):
    """A type for a regular expression, compiled as Nova compiles it (--name)."""
    import re

    try:
        re.compile(text)
    except re.error as exc:
        raise argparse.ArgumentTypeError(f"not a regular expression: {text!r} ({exc})") from None
    return text
