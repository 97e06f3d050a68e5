"""Substring search over many records that share their texts: which records contain a needle.

Generated records share their texts: the 180,026 BlendX courses of the 100,000-course world have 535
distinct titles, 22,108 distinct short descriptions and 1,026 distinct description paragraphs. `SharedTexts`
keeps each distinct text once, all of them in one UTF-8 string separated by newlines, and, per text, the
records that use it. A needle is looked for in that string with `bytes.find` (C speed over ~3 MB, instead of
a Python-level test of every record's texts); each hit is mapped back to its text with `bisect`,
the scan resumes at the next text, and the records of every text hit are marked in a bytearray, one byte
per record. The cost is one pass over the distinct texts plus one step per (text hit, record) pair.

A needle with a newline could span two texts of the joined string, so `SharedTexts` refuses it; callers
keep their plain scan for that case. Texts are matched as given: callers fold case before building.
"""

from __future__ import annotations

import operator
from array import array
from bisect import bisect_right
from collections.abc import Callable, Iterable, Iterator, Sequence
from itertools import islice

SEPARATOR = "\n"
_SEPARATOR = SEPARATOR.encode()


def _utf8(text: str) -> bytes:
    # A needle's UTF-8 bytes are found in a text's exactly where its characters are: UTF-8 tells a character's
    # first byte from the others, so a match can neither start nor end inside a character. `surrogatepass`
    # keeps that true of the lone surrogates a Python string may hold.
    return text.encode("utf-8", "surrogatepass")


class SharedTexts:
    """The distinct texts of a sequence of records, searchable as one string, and the records using each.

    Built record by record (`add`, records in position order), then `seal`ed before the first search; the
    build's bookkeeping is dropped then.
    """

    __slots__ = ("n", "_ids", "_texts", "_uses", "_bounds", "_joined", "_starts", "_postings", "_offsets")

    def __init__(self) -> None:
        self.n = 0
        self._ids: dict[str, int] = {}
        self._texts: list[str] = []
        self._uses = array("i")  # the text ids of record r are _uses[_bounds[r]:_bounds[r + 1]]
        self._bounds = array("i", [0])

    def add(self, texts: Iterable[str]) -> None:
        """The texts of the next record."""
        ids, uses = self._ids, self._uses
        for text in texts:
            k = ids.get(text)
            if k is None:
                k = ids[text] = len(self._texts)
                self._texts.append(text)
            uses.append(k)
        self._bounds.append(len(uses))
        self.n += 1

    def seal(self) -> SharedTexts:
        """Join the texts and group the records by text; no record can be added afterwards."""
        texts, uses, bounds = self._texts, self._uses, self._bounds
        encoded = [_utf8(text) for text in texts]
        self._joined = _SEPARATOR.join(encoded)
        starts = array("q", bytes(8 * (len(texts) + 1)))  # text k is _joined[starts[k]:starts[k + 1] - 1]
        at = 0
        for k, text in enumerate(encoded):
            starts[k] = at
            at += len(text) + 1
        starts[len(texts)] = at
        del encoded
        self._starts = starts
        # the records of text k are _postings[_offsets[k]:_offsets[k + 1]], ascending
        offsets = array("i", bytes(4 * (len(texts) + 1)))
        for k in uses:
            offsets[k + 1] += 1
        for k in range(len(texts)):
            offsets[k + 1] += offsets[k]
        fill = array("i", offsets)
        postings = array("i", bytes(4 * len(uses)))
        for r in range(self.n):
            for j in range(bounds[r], bounds[r + 1]):
                k = uses[j]
                postings[fill[k]] = r
                fill[k] += 1
        self._postings = postings
        self._offsets = offsets
        del self._ids, self._texts
        return self

    def texts_of(self, record: int) -> list[str]:
        """The texts of `record`, as added."""
        joined, starts, uses = self._joined, self._starts, self._uses
        return [joined[starts[k]:starts[k + 1] - 1].decode("utf-8", "surrogatepass")
                for k in uses[self._bounds[record]:self._bounds[record + 1]]]

    def tester(self, needle: str) -> Callable[[int], bool]:
        """A test of one record at a time: whether one of its texts contains `needle` (see `texts_containing`),
        each distinct text searched at most once; cheaper than `records_containing` for a few records."""
        _check(needle)
        needle = _utf8(needle)
        joined, starts, uses, bounds = self._joined, self._starts, self._uses, self._bounds
        seen: dict[int, bool] = {}

        def test(record: int) -> bool:
            for j in range(bounds[record], bounds[record + 1]):
                k = uses[j]
                hit = seen.get(k)
                if hit is None:
                    hit = seen[k] = joined.find(needle, starts[k], starts[k + 1] - 1) != -1
                if hit:
                    return True
            return False

        return test

    def texts_containing(self, needle: str) -> Iterator[int]:
        """The ids of the distinct texts that contain `needle` (non-empty, without a newline), ascending."""
        _check(needle)
        needle = _utf8(needle)
        joined, starts = self._joined, self._starts
        at = joined.find(needle)
        while at != -1:
            k = bisect_right(starts, at) - 1
            yield k
            at = joined.find(needle, starts[k + 1])

    def records_containing(self, needle: str) -> bytearray:
        """One byte per record, 1 where one of the record's texts contains `needle` (see `texts_containing`)."""
        mask = bytearray(self.n)
        postings, offsets = self._postings, self._offsets
        for k in self.texts_containing(needle):
            for r in postings[offsets[k]:offsets[k + 1]]:
                mask[r] = 1
        return mask


def _check(needle: str) -> None:
    if not needle or SEPARATOR in needle:
        raise ValueError("a needle must be non-empty and have no newline")


class Selection(Sequence):
    """The items of `order` whose byte in `mask` is set, in `order`'s order: counted at once, listed only as
    far as asked, so a page near the front costs a scan of the front of the order, not of all of it."""

    __slots__ = ("_order", "_mask", "_count")

    def __init__(self, order: Sequence[int], mask: bytearray):
        self._order = order
        self._mask = mask
        self._count = mask.count(1)

    def __len__(self) -> int:
        return self._count

    def __iter__(self) -> Iterator[int]:
        mask = self._mask
        return (i for i in self._order if mask[i])

    def __getitem__(self, item):
        if isinstance(item, slice):
            start, stop, step = item.indices(self._count)
            if step < 0:
                return list(self)[item]
            return list(islice(iter(self), start, stop, step))
        index = operator.index(item)
        if index < 0:
            index += self._count
        if not 0 <= index < self._count:
            raise IndexError("selection index out of range")
        return next(islice(iter(self), index, None))
