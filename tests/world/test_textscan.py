"""`SharedTexts` and `Selection` against their plain definitions, on generated texts and orders."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mockserver.world.textscan import Selection, SharedTexts

# Few letters, so that needles hit; a newline inside texts, and characters of several widths.
ALPHABET = st.sampled_from("ab ΣσςİiéΩ%.*\n\U0001f393")
TEXT = st.text(ALPHABET, max_size=8)
RECORDS = st.lists(st.lists(TEXT, max_size=4), max_size=12)
NEEDLE = st.text(st.sampled_from("ab ΣσςİiéΩ%.*\U0001f393"), min_size=1, max_size=3)


def built(records) -> SharedTexts:
    texts = SharedTexts()
    for record in records:
        texts.add(record)
    return texts.seal()


@settings(max_examples=300, deadline=None)
@given(RECORDS, NEEDLE)
def test_records_containing_is_any_text_containing(records, needle):
    texts = built(records)
    expected = [int(any(needle in text for text in record)) for record in records]
    assert list(texts.records_containing(needle)) == expected
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
       st.integers(-20, 20), st.integers(-20, 20), st.sampled_from([None, 1, 2, 3, -1, -2]))
def test_selection_is_the_list_of_selected_items_in_order(order, flags, start, stop, step):
    selection = Selection(order, bytearray(flags))
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
