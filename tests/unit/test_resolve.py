from dataclasses import dataclass

import pytest
from hypothesis import given
from hypothesis import strategies as st

from osops.errors import Ambiguous, NotFound, OsopsError, UsageError
from osops.resolve import resolve, resolve_many


@dataclass
class Item:
    id: str
    name: str


IMAGES = [Item("b3f2", "cirros-0.3.4-x86_64-uec"), Item("5a1e", "cirros-0.6.2-x86_64-disk"),
          Item("77aa", "Ubuntu-22.04"), Item("88bb", "ubuntu-24.04")]


def test_exact_id_wins_over_names():
    items = [Item("abc", "x"), Item("zzz", "abc")]
    assert resolve("image", "abc", items).id == "abc"


def test_exact_name_wins_over_prefix():
    items = [Item("1", "m1.tiny"), Item("2", "m1.tiny-large")]
    assert resolve("flavor", "m1.tiny", items).id == "1"


def test_case_insensitive_unique_prefix():
    assert resolve("image", "CIRROS-0.6", IMAGES).id == "5a1e"


def test_unique_substring_after_prefix():
    assert resolve("image", "0.6.2", IMAGES).id == "5a1e"


def test_ambiguous_prefix_lists_every_candidate():
    with pytest.raises(Ambiguous) as err:
        resolve("image", "cirros", IMAGES)
    message = str(err.value)
    for item in IMAGES[:2]:
        assert f"{item.name} ({item.id})" in message
    assert "Ubuntu" not in message


def test_duplicate_exact_names_are_ambiguous():
    with pytest.raises(Ambiguous, match="dup"):
        resolve("server", "dup", [Item("1", "dup"), Item("2", "dup")])


def test_not_found_names_closest():
    with pytest.raises(NotFound, match="closest: ubuntu-24.04"):
        resolve("image", "ubuntu-24.4", IMAGES)


def test_not_found_says_why_some_were_left_out():
    with pytest.raises(NotFound, match="kernel"):
        resolve("image", "nothing", [], hint="kernel and ramdisk images are left out")


def test_empty_query_is_a_usage_error():
    with pytest.raises(UsageError):
        resolve("flavor", "  ", IMAGES)


def test_resolve_many_uses_one_list():
    assert [i.id for i in resolve_many("image", ["77aa", "ubuntu-24"], iter(IMAGES))] == ["77aa", "88bb"]


names = st.text(max_size=12)


@given(query=st.text(max_size=20), items=st.lists(st.builds(Item, names, names), max_size=8))
def test_any_query_resolves_to_an_item_or_a_clean_error(query, items):
    try:
        found = resolve("image", query, items)
    except OsopsError as exc:
        assert "\n" not in str(exc) and repr(query) in str(exc) or query.strip() == ""
        assert isinstance(exc, (NotFound, Ambiguous, UsageError))
    else:
        assert found in items
