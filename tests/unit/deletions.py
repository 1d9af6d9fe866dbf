"""Derive from a recorded session the answers a boot's cleanup gets."""


def with_deletes(data, ids, listed=False):
    """*data* (a loaded cassette) extended so that the servers *ids* can be
    deleted (204) and are then gone: a GET of each answers 404 after its
    recorded answers, and with *listed* (a wait for several servers) the
    project's server list is empty."""
    items = data["interactions"]
    compute = "{compute}/v2.1/servers"
    for sid in ids:
        items.append({"request": {"method": "DELETE", "url": f"{compute}/{sid}", "query": {}, "body": None},
                      "response": {"status": 204, "headers": {}, "text": ""}})
        items.append({"request": {"method": "GET", "url": f"{compute}/{sid}", "query": {}, "body": None},
                      "response": {"status": 404, "headers": {"Content-Type": "application/json"},
                                   "json": {"itemNotFound": {"code": 404,
                                                             "message": f"Instance {sid} could not be found."}}}})
    if listed:
        items.append({"request": {"method": "GET", "url": f"{compute}/detail", "query": {}, "body": None},
                      "response": {"status": 200, "headers": {"Content-Type": "application/json"},
                                   "json": {"servers": []}}})
    return data
