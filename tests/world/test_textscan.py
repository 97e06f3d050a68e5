"""`SharedTexts` and `Selection` against their plain definitions, on generated texts and orders."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mockserver.world.textscan import Selection, SharedTexts

# Few letters, so that needles hit; a newline inside texts, and characters of several widths.
ALPHABET = st.sampled_from("ab ΣσςİiéΩ%.*\n\U0001f393")
TEXT = st.text(ALPHABET, max_size=8)
RECORDS = st.lists(st.lists(TEXT, max_size=5), max_size=24)
NEEDLE = st.text(st.sampled_from("ab ΣσςİiéΩ%.*\U0001f393"), min_size=1, max_size=5)


# The paths a search may take, each forced on small worlds: the defaults (every text hit scattered); every
# column chunk translated, with 2 lanes (16 texts a chunk: several chunks, every bit); the same with 2 columns
# (the further slots scattered); the widest column ordering the positions (runs), with 2 and 3 lanes; one
# column of 1 lane, chunks with matches scattered.
PATHS = {
    "default": SharedTexts,
    "translated": type("Translated", (SharedTexts,), {"LANES": 2, "SCATTER_UP_TO": -1}),
    "2 columns": type("TwoColumns", (SharedTexts,), {"LANES": 2, "SCATTER_UP_TO": -1, "MAX_COLUMNS": 2}),
    "runs": type("Runs", (SharedTexts,), {"LANES": 2, "SCATTER_UP_TO": -1, "RUNS_ABOVE": 0}),
    "runs, 3 columns": type("RunsOf3", (SharedTexts,), {"LANES": 3, "SCATTER_UP_TO": -1, "RUNS_ABOVE": 0,
                                                        "MAX_COLUMNS": 3}),
    "1 column, 1 lane": type("OneColumn", (SharedTexts,), {"LANES": 1, "SCATTER_UP_TO": 0, "MAX_COLUMNS": 1}),
    # every gram's texts kept as a bitmap, as ids, both (by how many texts hold it), and none (every search a scan)
    "grams as bitmaps": type("GramBitmaps", (SharedTexts,), {"GRAM_BITMAPS_ABOVE": 0, "GRAM_IDS_ABOVE": 0}),
    "grams as ids": type("GramIds", (SharedTexts,), {"GRAM_BITMAPS_ABOVE": 10**9, "GRAM_IDS_ABOVE": 0}),
    "grams as both": type("GramsBoth", (SharedTexts,), {"GRAM_BITMAPS_ABOVE": 2, "GRAM_IDS_ABOVE": 0}),
    "no gram kept": type("NoGram", (SharedTexts,), {"GRAM_BITMAPS_ABOVE": 10**9, "GRAM_IDS_ABOVE": 10**9}),
}


def built(records, kind=SharedTexts) -> SharedTexts:
    texts = kind()
    for record in records:
        texts.add(record)
    return texts.seal()


@pytest.mark.parametrize("path", PATHS)
@settings(max_examples=300, deadline=None)
@given(RECORDS, NEEDLE)
def test_records_containing_is_any_text_containing(path, records, needle):
    texts = built(records, PATHS[path])
    expected = [int(any(needle in text for text in record)) for record in records]
    assert list(texts.records_containing(needle)) == expected
    mask = texts.positions_containing(needle)
    assert [mask[p] for p in texts.position] == expected
    assert sorted(texts.position) == list(range(len(records)))
    test = texts.tester(needle)
    assert [int(test(r)) for r in range(len(records))] == expected
    assert [texts.texts_of(r) for r in range(len(records))] == [list(record) for record in records]


def test_a_needle_with_a_newline_or_empty_is_refused():
    texts = built([["a\nb"]])
    for needle in ("", "a\nb"):
        with pytest.raises(ValueError):
            texts.records_containing(needle)
        with pytest.raises(ValueError):
            texts.tester(needle)


@settings(max_examples=300, deadline=None)
@given(st.permutations(range(15)), st.lists(st.booleans(), min_size=15, max_size=15),
       st.integers(-20, 20), st.integers(-20, 20), st.sampled_from([None, 1, 2, 3, -1, -2]),
       st.none() | st.permutations(range(15)))
@pytest.mark.parametrize("mark_cost", [None, 0, 1, 2])
def test_selection_is_the_list_of_selected_items_in_order(mark_cost, order, flags, start, stop, step, position):
    mask = bytearray(flags)
    if position is not None:  # item i's flag is byte position[i]
        for i, flag in enumerate(flags):
            mask[position[i]] = flag
    if mark_cost is None:  # it walks the order
        selection = Selection(order, mask, position)
    else:  # it marks the selected items in order when a walk would cost more; 0: always
        at = None
        if position is not None:
            at = [0] * len(position)
            for i, p in enumerate(position):
                at[p] = i
        rank = [order.index(i) for i in range(len(order))]
        selection = type("Costed", (Selection,), {"MARK_COST": mark_cost})(order, mask, position, at, lambda: rank)
    expected = [i for i in order if flags[i]]
    assert len(selection) == len(expected)
    assert list(selection) == expected
    assert selection[start:stop:step] == expected[start:stop:step]
    for index in (start, stop):
        if -len(expected) <= index < len(expected):
            assert selection[index] == expected[index]
        else:
            with pytest.raises(IndexError):
                selection[index]


@pytest.mark.parametrize("density", [0.0005, 0.02, 0.5, 1.0])
def test_a_deep_page_of_a_long_selection_is_the_plain_one(density):
    """Marks spanning many of the blocks that locate the k-th selected item (16,384 and 256 bytes)."""
    import random

    r = random.Random(density)
    n = 40_000
    order = list(range(n))
    r.shuffle(order)
    position = list(range(n))
    r.shuffle(position)
    at = [0] * n
    for i, p in enumerate(position):
        at[p] = i
    flags = [r.random() < density for _ in range(n)]
    mask = bytearray(n)
    for i, flag in enumerate(flags):
        mask[position[i]] = flag
    rank = [0] * n
    for place, i in enumerate(order):
        rank[i] = place
    marked = type("Marked", (Selection,), {"MARK_COST": 0})(order, mask, position, at, lambda: rank)
    expected = [i for i in order if flags[i]]
    count = len(expected)
    assert len(marked) == count
    for start in sorted({0, 1, 255, 256, 257, count // 3, count // 2, count - 21, count - 1, count, count + 5}):
        if start >= 0:
            assert marked[start:start + 20] == expected[start:start + 20], start
    if count:
        assert marked[count - 1] == expected[-1] and marked[count // 2] == expected[count // 2]
