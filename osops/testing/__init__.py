"""Replay recorded OpenStack API sessions, for tests without a cloud.

Public API::

    from osops.testing import replay

    with replay("tests/cassettes/image-list.json") as cassette:
        conn = osops.connect(auth_url=cassette.auth_url, username="admin",
                             password="x", project_name="admin",
                             user_domain_id="default", project_domain_id="default")
        osops.images.list_images(conn)

The pytest fixture ``osops_replay`` does the same (``osops_replay("path")``).
Record new cassettes with ``osops --record FILE COMMAND ...``.
"""

from osops.testing.replay import Replay, UnmatchedRequest, replay

__all__ = ["Replay", "UnmatchedRequest", "replay"]
