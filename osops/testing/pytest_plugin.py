"""pytest fixture ``osops_replay``: replay cassettes inside a test.

::

    def test_images(osops_replay):
        cassette = osops_replay("tests/cassettes/image-list.json")
        conn = osops.connect(auth_url=cassette.auth_url, ...)
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator, Mapping
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from osops.testing.replay import Replay


@pytest.fixture
def osops_replay() -> Iterator[Callable[..., Replay]]:
    """Call with a cassette path (or dict); replays it until the test ends."""
    with contextlib.ExitStack() as stack:
        def start(cassette: str | dict[str, Any], bases: Mapping[str, str] | None = None) -> Replay:
            from osops.testing.replay import replay

            return stack.enter_context(replay(cassette, bases))

        yield start
