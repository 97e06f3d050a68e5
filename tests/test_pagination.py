"""The paging styles, checked against the rules of the libraries the real servers use (DRF, edx-search)."""

from __future__ import annotations

import pytest

from mockserver import pagination
from mockserver.errors import ApiError

URL = "http://testserver/catalog/v1/catalogs/1/courses/"


def test_limit_offset_first_page_has_next_with_limit_and_offset_and_no_previous():
    w = pagination.limit_offset(URL, {}, 45, default_limit=20)
    assert (w.start, w.stop) == (0, 20)
    assert w.next == URL + "?limit=20&offset=20"
    assert w.previous is None


def test_limit_offset_previous_drops_offset_when_it_reaches_zero():
    w = pagination.limit_offset(URL + "?offset=20&limit=20", {"offset": "20", "limit": "20"}, 45, default_limit=20)
    assert w.previous == URL + "?limit=20"
    assert w.next == URL + "?limit=20&offset=40"


def test_limit_offset_previous_keeps_positive_offset_and_other_params_sorted():
    query = {"offset": "30", "limit": "10", "zeta": "1", "alpha": "x y"}
    w = pagination.limit_offset(URL + "?zeta=1&offset=30&limit=10&alpha=x+y", query, 45, default_limit=20)
    assert w.previous == URL + "?alpha=x+y&limit=10&offset=20&zeta=1"


def test_limit_offset_last_page_has_no_next():
    w = pagination.limit_offset(URL, {"offset": "40"}, 45, default_limit=20)
    assert (w.start, w.stop, w.next) == (40, 45, None)


@pytest.mark.parametrize("raw", ["abc", "0", "-5", ""])
def test_limit_offset_bad_limit_falls_back_to_default(raw):
    w = pagination.limit_offset(URL, {"limit": raw}, 100, default_limit=20)
    assert w.stop - w.start == 20


def test_limit_offset_offset_past_count_is_empty_not_an_error():
    w = pagination.limit_offset(URL, {"offset": "500"}, 45, default_limit=20)
    assert (w.start, w.stop) == (45, 45)
    # DRF keeps stepping back by `limit` from the offset asked for, even past the end.
    assert w.next is None and w.previous == URL + "?limit=20&offset=480"


def test_page_number_previous_of_page_two_drops_page():
    w = pagination.page_number(URL + "?page=2", {"page": "2"}, 45, default_size=20)
    assert w.previous == URL
    assert w.next == URL + "?page=3"


@pytest.mark.parametrize("raw", ["0", "abc", "4", "-1", "1.5"])
def test_page_number_invalid_page_is_404_invalid_page(raw):
    with pytest.raises(ApiError) as info:
        pagination.page_number(URL, {"page": raw}, 45, default_size=20)
    assert (info.value.kind, info.value.message) == ("not_found", "Invalid page.")


def test_page_number_last_and_capped_page_size():
    w = pagination.page_number(URL, {"page": "last", "page_size": "500"}, 250, default_size=10, max_size=100)
    assert (w.start, w.stop, w.next) == (200, 250, None)


def test_page_number_alias_is_used_only_without_page_size():
    w = pagination.page_number(URL, {"limit": "5"}, 50, default_size=10, size_aliases=("limit",))
    assert w.stop == 5
    w = pagination.page_number(URL, {"limit": "5", "page_size": "7"}, 50, default_size=10, size_aliases=("limit",))
    assert w.stop == 7


def test_proxied_switches_to_page_numbers_only_when_page_is_non_empty():
    assert pagination.proxied(URL, {"page": "2"}, 45).start == 20
    assert pagination.proxied(URL, {"page": "", "offset": "5"}, 45).start == 5


@pytest.mark.parametrize("raw,expected", [("0", 1), ("500", 100), ("abc", 8), (None, 8), ("20", 20)])
def test_blendx_limit_is_clamped(raw, expected):
    query = {} if raw is None else {"limit": raw}
    assert pagination.blendx(query).limit == expected


def test_blendx_offset_and_has_more():
    page = pagination.blendx({"limit": "20", "page": "2"})
    assert page.offset == 20
    assert page.envelope(45, [{}] * 20)["has_more"] is True
    assert page.envelope(40, [{}] * 20)["has_more"] is False
    assert pagination.blendx({"page": "-3"}).page == 1


def test_edx_search_page_index_only_counts_with_page_size():
    assert pagination.edx_search({"page_index": "3"}) == (20, 0)
    assert pagination.edx_search({"page_index": "3", "page_size": "10"}) == (10, 30)


@pytest.mark.parametrize("raw,message", [("0", "Invalid page size of 0"), ("101", "Invalid page size of 101"),
                                         ("x", "invalid literal for int() with base 10: 'x'")])
def test_edx_search_bad_page_size_is_a_500(raw, message):
    with pytest.raises(ApiError) as info:
        pagination.edx_search({"page_size": raw})
    assert (info.value.kind, info.value.message) == ("server_error", message)


def test_blendx_page_has_no_upper_bound():
    assert pagination.blendx({"page": "1312817287642252"}).page == 1312817287642252


def test_edx_search_negative_page_index_is_the_search_failure_500():
    with pytest.raises(ApiError) as info:
        pagination.edx_search({"page_size": "20", "page_index": "-1", "search_string": "AI"})
    assert info.value.message == 'An error occurred when searching for "AI"'
