"""How osops.testing.Replay matches requests to recorded interactions:
query order, repeated calls, body keys, and the message when none matches."""

import pytest
import requests

from osops.testing import Replay, UnmatchedRequest
from tests.unit.conftest import cassette


def recorded(data, method, url_end):
    """The recorded interactions of *data* for METHOD ...url_end, in order."""
    found = [i for i in data["interactions"]
             if i["request"]["method"] == method and i["request"]["url"].endswith(url_end)]
    assert found, f"{method} ...{url_end} is not in the cassette"
    return found


def url(player, recorded_url):
    """The URL a recorded ``{service}/path`` has during replay."""
    name, _, path = recorded_url[1:].partition("}")
    return player.bases[name] + path


def test_query_matching_ignores_the_order_of_parameters_and_values():
    data = cassette("host-ping-auto")
    [ports] = [i for i in recorded(data, "GET", "/v2.0/ports") if "device_owner" in i["request"]["query"]]
    owners = ports["request"]["query"]["device_owner"]
    assert len(owners) == 3
    # Derived: a second parameter, so that the order of keys can differ too.
    ports["request"]["query"]["fields"] = ["id"]
    player = Replay(data)
    session = player.session()
    query = "&".join(f"device_owner={o}" for o in reversed(owners))
    got = session.get(url(player, ports["request"]["url"]) + "?fields=id&" + query)
    assert got.status_code == 200 and got.json() == ports["response"]["json"]
    assert player.unmatched == []
    with pytest.raises(UnmatchedRequest):  # a value left out is another query
        session.get(url(player, ports["request"]["url"]) + f"?fields=id&device_owner={owners[0]}")


def test_repeated_calls_get_the_recorded_responses_in_order_then_the_last_again():
    data = cassette("suspend")
    polls = recorded(data, "GET", "/servers/" + recorded(data, "POST", "/action")[0]["request"]["url"]
                     .split("/servers/")[1].split("/")[0])
    statuses = [p["response"]["json"]["server"]["status"] for p in polls]
    assert statuses[-1] == "SUSPENDED" and len(statuses) >= 2
    player = Replay(data)
    session = player.session()
    got = [session.get(url(player, polls[0]["request"]["url"])).json()["server"]["status"]
           for _ in range(len(polls) + 2)]
    assert got == statuses + [statuses[-1]] * 2


def test_a_body_matches_on_its_top_level_keys_and_the_message_names_the_recorded_ones():
    data = cassette("suspend")
    [action] = recorded(data, "POST", "/action")
    assert action["request"]["body"] == {"suspend": None}
    player = Replay(data)
    session = player.session()
    target = url(player, action["request"]["url"])
    assert session.post(target, json={"suspend": None}).status_code == 202
    with pytest.raises(UnmatchedRequest) as caught:
        session.post(target, json={"resume": None})
    message = str(caught.value)
    assert message == (f"no recorded interaction for POST {target} with body keys resume; "
                       f"nearest recorded: POST {action['request']['url']} with body keys suspend")
    assert player.unmatched == [message]


def test_an_unmatched_request_is_kept_even_when_the_caller_swallows_the_error():
    player = Replay(cassette("flavor-list"))
    try:
        player.session().get(player.bases["compute"] + "/v2.1/os-hypervisors")
    except (UnmatchedRequest, requests.RequestException):
        pass
    [message] = player.unmatched
    assert message.startswith("no recorded interaction for GET http://compute.osops.invalid/v2.1/os-hypervisors;")
