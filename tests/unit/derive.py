"""Cassettes derived from recorded ones where osops now asks differently."""

from tests.unit.conftest import cassette


def reservation_polls(name):
    """Cassette *name* with the polls after its boot's reservation list
    answered as the reservation-filtered lists osops now makes: it was
    recorded polling the whole project's list, so each poll gets the
    reservation's query and keeps only the reservation's rows."""
    data = cassette(name)
    query, ids = None, set()
    for item in data["interactions"]:
        req = item["request"]
        if req["method"] != "GET" or not req["url"].endswith("/servers/detail"):
            continue
        if "reservation_id" in (req.get("query") or {}):
            query, ids = req["query"], {s["id"] for s in item["response"]["json"]["servers"]}
        elif query:
            req["query"] = dict(query)
            body = item["response"]["json"]
            body["servers"] = [s for s in body["servers"] if s["id"] in ids]
    assert query, f"{name} has no reservation list"
    return data
