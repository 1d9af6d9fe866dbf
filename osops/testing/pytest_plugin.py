"""pytest fixture ``osops_replay``: replay cassettes inside a test.

::

    def test_images(osops_replay):
        cassette = osops_replay("tests/cassettes/image-list.json")
        conn = osops.connect(auth_url=cassette.auth_url, ...)
"""

import contextlib

import pytest


@pytest.fixture
def osops_replay():
    """Call with a cassette path (or dict); replays it until the test ends."""
    with contextlib.ExitStack() as stack:
        def start(cassette, bases=None):
            from osops.testing.replay import replay

            return stack.enter_context(replay(cassette, bases))

        yield start
