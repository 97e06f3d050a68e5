"""Substring search over many records that share their texts: which records contain a needle.

Generated records share their texts: the 180,026 BlendX courses of the 100,000-course world have 535
distinct titles, 22,108 distinct short descriptions and 1,026 distinct description paragraphs. `SharedTexts`
keeps each distinct text once, all of them in one UTF-8 string separated by newlines. A needle is looked for
in that string with `bytes.find` (C speed over ~3.6 MB, instead of a Python-level test of every record's
texts); each hit is mapped back to its text with `bisect` and the scan resumes at the next text. A scan costs
~2.3 ms, plus ~0.6 us a text hit, and common needles hit most texts ("e": 19,000 of 24,700). So the grams
that many texts hold (the values of 1 to 3 consecutive bytes, held by more than 1/64 of the texts) also keep
which texts hold them (`_Grams`): a bitmap when more than 1/16 hold it, their ids otherwise (at 100,000
courses, 787 bitmaps and 1,339 id lists of the 6,064 grams: ~5 MB). A needle of up to 3 bytes that is such a
gram ("e", "é", "the") is answered by it alone; a longer one whose 3-byte grams all are kept is looked for
with `bytes.find` only in the texts holding them all (or, when some are ids, the fewest of them). Any other
needle holds a gram few texts hold, so it hits few texts, and the scan is cheap. That gives one flag per text.

From the text flags to the records: the records' first slots (title, short description, paragraphs...) are
columns. A column with few texts is matched for every record at once, with `bytes.translate` and int
bit operations over one byte per record (`_Chunk`: ~0.2 ms on 180,000 records, whatever the needle); the
widest column orders the records' bytes ("positions"), so that its texts are runs of positions, each run
translated by its own table (`_Runs`). A chunk whose matching texts have few records, and the texts of the
further slots, mark their records one by one instead (scatter: ~50 ns a record). Searches answer one byte
per position; `position` maps a record to its byte (`Selection` takes it).

A needle with a newline could span two texts of the joined string, so `SharedTexts` refuses it; callers
keep their plain scan for that case. Texts are matched as given: callers fold case before building.
"""

from __future__ import annotations

import operator
from array import array
from bisect import bisect_right
from collections.abc import Callable, Iterable, Iterator, Sequence
from itertools import accumulate, compress, islice, repeat

SEPARATOR = "\n"
_SEPARATOR = SEPARATOR.encode()


def _utf8(text: str) -> bytes:
    # A needle's UTF-8 bytes are found in a text's exactly where its characters are: UTF-8 tells a character's
    # first byte from the others, so a match can neither start nor end inside a character. `surrogatepass`
    # keeps that true of the lone surrogates a Python string may hold.
    return text.encode("utf-8", "surrogatepass")


class SharedTexts:
    """The distinct texts of a sequence of records, searchable as one string, and the records using each.

    Built record by record (`add`: record r is the r-th added), then `seal`ed before the first search; the
    build's bookkeeping is dropped then.
    """

    # The first slots of the records (at most MAX_COLUMNS, each filled by at least 1/COLUMN_SHARE of the
    # records) are columns; the texts of further slots are marked by scatter.
    MAX_COLUMNS = 8
    COLUMN_SHARE = 16
    # A column's texts are read as (chunk, bit, lane): LANES lanes (values of a byte), 8 bits a chunk.
    LANES = 256
    # The widest column orders the positions when it has more than this many chunks.
    RUNS_ABOVE = 1
    # A chunk whose matching texts have about this many records or fewer is marked by scatter (a record
    # costs ~50 ns; a chunk's translate, ~0.2 ms on 180,000 records).
    SCATTER_UP_TO = 4000
    # A gram held by more than GRAM_BITMAPS_ABOVE texts keeps a bitmap of them (None: 1/16 of the texts), one
    # held by more than GRAM_IDS_ABOVE their ids (None: 1/64 of the texts); the others are not kept.
    GRAM_BITMAPS_ABOVE: int | None = None
    GRAM_IDS_ABOVE: int | None = None

    __slots__ = ("n", "position", "record_at", "_ids", "_texts", "_uses", "_bounds", "_slots", "_joined",
                 "_starts", "_grams", "_postings", "_offsets", "_columns")

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
        """Join the texts, lay out the columns and group the records by text; no record can be added afterwards."""
        n, uses, bounds = self.n, self._uses, self._bounds
        filled = array("i", bytes(4 * (self.MAX_COLUMNS + 1)))  # how many records have j texts (j up to MAX)
        for r in range(n):
            filled[min(bounds[r + 1] - bounds[r], self.MAX_COLUMNS)] += 1
        width, fill = 0, n - filled[0]
        while width < self.MAX_COLUMNS and fill and fill * self.COLUMN_SHARE >= n:
            width += 1
            fill -= filled[width]
        # The texts are renumbered per column (a text in two columns is kept twice), so a column's texts are
        # one range of ids; the texts of the further slots follow, one more range.
        local: list[dict[int, int]] = [{} for _ in range(width + 1)]
        for r in range(n):
            a = bounds[r]
            for j in range(a, bounds[r + 1]):
                ids = local[min(j - a, width)]
                uses[j] = ids.setdefault(uses[j], len(ids))  # for now, the id within its slot's range
        bases = [0]
        for ids in local:
            bases.append(bases[-1] + len(ids))
        texts = self._texts
        encoded = [_utf8(texts[k]) for ids in local for k in ids]
        del self._ids, self._texts, texts, local
        columns = [array("i", [-1]) * n for _ in range(width)]  # record r's id within column j, -1 for none
        for r in range(n):
            a = bounds[r]
            for j in range(a, bounds[r + 1]):
                slot = min(j - a, width)
                if slot < width:
                    columns[slot][r] = uses[j]
                uses[j] += bases[slot]
        self._slots = bases[width]  # texts from here on are the further slots'
        self._joined = _SEPARATOR.join(encoded)
        starts = array("q", bytes(8 * (len(encoded) + 1)))  # text k is _joined[starts[k]:starts[k + 1] - 1]
        at = 0
        for k, text in enumerate(encoded):
            starts[k] = at
            at += len(text) + 1
        starts[len(encoded)] = at
        self._starts = starts
        count = len(encoded)
        self._grams = _Grams(encoded, count // 16 if self.GRAM_BITMAPS_ABOVE is None else self.GRAM_BITMAPS_ABOVE,
                             count // 64 if self.GRAM_IDS_ABOVE is None else self.GRAM_IDS_ABOVE)
        del encoded
        # The records (then, once the positions are known, the positions) of text k are
        # _postings[_offsets[k]:_offsets[k + 1]], ascending
        offsets = array("i", bytes(4 * (count + 1)))
        for k in uses:
            offsets[k + 1] += 1
        for k in range(count):
            offsets[k + 1] += offsets[k]
        fill = array("i", offsets)
        postings = array("i", bytes(4 * len(uses)))
        for r in range(n):
            for j in range(bounds[r], bounds[r + 1]):
                k = uses[j]
                postings[fill[k]] = r
                fill[k] += 1
        del fill
        # The widest column, if it has many chunks, orders the positions: by its text (its texts' records,
        # in text order), then the records without one.
        widest = max(range(width), key=lambda j: bases[j + 1] - bases[j], default=None)
        if widest is not None and bases[widest + 1] - bases[widest] > self.RUNS_ABOVE * 8 * self.LANES:
            column = columns[widest]
            order = postings[offsets[bases[widest]]:offsets[bases[widest + 1]]]
            order.extend(r for r in range(n) if column[r] < 0)
            position = array("i", bytes(4 * n))
            for p, r in enumerate(order):
                position[r] = p
            columns = [array("i", map(column.__getitem__, order)) for column in columns]
            del column
            for j, r in enumerate(postings):
                postings[j] = position[r]
        else:
            widest, position = None, array("i", range(n))
            order = position
        self.position = position  # byte position[r] of a search's answer is record r's
        self.record_at = order  # and byte p is record record_at[p]'s
        self._postings = postings
        self._offsets = offsets
        self._columns = [[_Runs(bases[j], bases[j + 1], column, self.LANES, offsets)] if j == widest
                         else _chunks(bases[j], bases[j + 1], column, self.LANES, offsets)
                         for j, column in enumerate(columns)]
        return self

    def texts_of(self, record: int) -> list[str]:
        """The texts of `record`, as added."""
        joined, starts, uses = self._joined, self._starts, self._uses
        return [joined[starts[k]:starts[k + 1] - 1].decode("utf-8", "surrogatepass")
                for k in uses[self._bounds[record]:self._bounds[record + 1]]]

    def tester(self, needle: str) -> Callable[[int], bool]:
        """A test of one record at a time: whether one of its texts contains `needle` (see `texts_containing`),
        each distinct text searched at most once; cheaper than `positions_containing` for a few records."""
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

    def texts_containing(self, needle: str) -> bytearray:
        """One byte per text, 1 where it contains `needle` (non-empty, without a newline)."""
        _check(needle)
        needle = _utf8(needle)
        find, starts = self._joined.find, self._starts
        hit, exact = self._grams.holding(needle)
        if hit is None:  # a gram few texts hold: a scan
            hit = bytearray(len(starts) - 1)
            at = find(needle)
            while at != -1:
                k = bisect_right(starts, at) - 1
                hit[k] = 1
                at = find(needle, starts[k + 1])
        elif not exact:  # the texts that hold every 3-byte gram of the needle: does each hold the needle?
            for k in _ones(hit, hit.find(1), len(hit)):
                if find(needle, starts[k], starts[k + 1] - 1) == -1:
                    hit[k] = 0
        return hit

    def positions_containing(self, needle: str) -> bytearray:
        """One byte per position (record r's is `position[r]`), 1 where one of the record's texts contains
        `needle` (see `texts_containing`)."""
        hit = self.texts_containing(needle)
        mask = bytearray(self.n)
        scattered = False
        marked = 0  # what the columns' translates mark, as one int (byte p: position p, non-zero if marked)
        for column in self._columns:
            for chunk in column:
                begin, end = chunk.begin, chunk.end
                found = hit.find(1, begin, end)
                if found == -1:
                    continue
                if hit.count(1, found, end) * chunk.per_text > self.SCATTER_UP_TO:
                    marked |= chunk.marked(hit)
                    continue
                scattered |= self._scatter(mask, hit, found, end)
        scattered |= self._scatter(mask, hit, hit.find(1, self._slots), len(hit))
        if marked:
            if scattered:
                marked |= int.from_bytes(mask, "little")
            mask = bytearray(marked.to_bytes(self.n, "little").translate(_NONZERO))
        return mask

    def _scatter(self, mask: bytearray, hit: bytearray, at: int, end: int) -> bool:
        """Mark in `mask` the positions of the texts from `at` (one of them, or -1 for none) up to `end` whose
        byte in `hit` is 1, one by one; whether any text was."""
        postings, offsets = self._postings, self._offsets
        for k in _ones(hit, at, end):
            for p in postings[offsets[k]:offsets[k + 1]]:
                mask[p] = 1
        return at != -1

    def records_containing(self, needle: str) -> bytearray:
        """One byte per record, 1 where one of its texts contains `needle` (`positions_containing` in record
        order)."""
        return bytearray(map(self.positions_containing(needle).__getitem__, self.position))


# A gram is the tuple of the values of 1 to _GRAM consecutive bytes of a text (tuples of ints: zip makes them
# at C speed, ~3x faster than slicing the bytes).
_GRAM = 3
# Flags (one byte per text, 0 or 1) <-> the ASCII digits of a binary number
_DIGITS = bytes(range(256)).replace(b"\x00", b"0").replace(b"\x01", b"1")
_FLAGS = bytes(range(256)).replace(b"0", b"\x00").replace(b"1", b"\x01")


def _windows(data: bytes, n: int) -> Iterator[tuple[int, ...]]:
    """The values of every n consecutive bytes of `data`."""
    return zip(*(data[i:] for i in range(n)))


def _grams(text: bytes) -> set[tuple[int, ...]]:
    grams: set[tuple[int, ...]] = set()
    for n in range(1, _GRAM + 1):
        grams.update(_windows(text, n))
    return grams


class _Grams:
    """Which texts hold each gram held by more than `ids_above` texts: a bitmap (an int, bit k for text k) for
    one held by more than `bitmaps_above`, their ids (an array) for the others."""

    __slots__ = ("count", "_held")

    def __init__(self, texts: list[bytes], bitmaps_above: int, ids_above: int):
        self.count = count = len(texts)
        typecode = "H" if count <= 1 << 16 else "i"
        holders: dict[tuple[int, ...], array] = {}
        for k, text in enumerate(texts):
            for gram in _grams(text):
                ids = holders.get(gram)
                if ids is None:
                    ids = holders[gram] = array(typecode)
                ids.append(k)
        self._held: dict[tuple[int, ...], int | array] = {}
        while holders:
            gram, ids = holders.popitem()
            if len(ids) > bitmaps_above:
                self._held[gram] = int(self._flags(ids).translate(_DIGITS)[::-1], 2)
            elif len(ids) > ids_above:
                self._held[gram] = ids

    def _flags(self, ids: array) -> bytearray:
        flags = bytearray(self.count)
        for k in ids:
            flags[k] = 1
        return flags

    def holding(self, needle: bytes) -> tuple[bytearray | None, bool]:
        """One byte per text, 1 where it holds `needle` if that is one gram, else every 3-byte gram of it (or,
        when some are kept as ids, the one held by the fewest texts), and whether that is exactly the texts
        holding `needle` (it is when `needle` is one gram); None when a gram is not kept (no text, or too few
        texts, hold it)."""
        exact = len(needle) <= _GRAM
        held = [self._held.get(gram) for gram in ([tuple(needle)] if exact else set(_windows(needle, _GRAM)))]
        if None in held:
            return None, exact
        ids = [h for h in held if not isinstance(h, int)]
        if ids:
            return self._flags(min(ids, key=len)), exact
        bits = -1
        for bitmap in held:
            bits &= bitmap
        return bytearray(f"{bits:0{self.count}b}"[::-1].encode().translate(_FLAGS)), exact


def _ones(flags: bytearray, at: int, end: int) -> Iterator[int]:
    """The indices from `at` (one of them, or -1 for none) up to `end` where `flags` is 1."""
    while at != -1:
        yield at
        at = flags.find(1, at + 1, end)


# _BIT[b] maps 1 to bit b (and 0 to 0); _NONZERO maps a byte to whether it is non-zero
_BIT = [bytes([0, 1 << b]) + bytes(254) for b in range(8)]
_NONZERO = bytes([0]) + bytes([1]) * 255


class _Chunk:
    """Up to 8 x `width` consecutive texts of one column (ids begin..end): which positions use one of those
    that match, all at once. Position p's text is `begin + bit * width + lane`, where `lane` is byte p of the
    column's `lanes` and `bit` the bit set in byte p of `onehot` (none: p's text is in another chunk). A
    query makes a 256-byte table whose byte `lane` has bit `bit` set where that text matches; translating
    `lanes` by it and keeping `onehot`'s bits leaves, per position, the bit of its own text."""

    __slots__ = ("begin", "end", "lanes", "width", "onehot", "per_text")

    def __init__(self, begin: int, end: int, lanes: bytes, width: int, onehot: bytearray, records: int):
        self.begin, self.end, self.lanes, self.width = begin, end, lanes, width
        self.onehot = int.from_bytes(onehot, "little")
        self.per_text = records / max(end - begin, 1)  # records per text, to price a scatter

    def marked(self, hit: bytearray) -> int:
        """Byte p non-zero where position p's text in this chunk has its byte in `hit` set."""
        table, width = 0, self.width
        for bit, at in enumerate(range(self.begin, self.end, width)):
            table |= int.from_bytes(hit[at:min(at + width, self.end)].translate(_BIT[bit]), "little")
        return int.from_bytes(self.lanes.translate(table.to_bytes(256, "little")), "little") & self.onehot


def _chunks(begin: int, end: int, local: array, width: int, offsets: array) -> list[_Chunk]:
    """The chunks of one column: texts begin..end, `local[p]` the id within them of position p's (-1: none)."""
    n, span = len(local), 8 * width
    lanes = bytes(max(k, 0) % width for k in local)
    onehots = [bytearray(n) for _ in range(begin, end, span)]
    for p, k in enumerate(local):
        if k >= 0:
            onehots[k // span][p] = 1 << (k // width % 8)
    return [_Chunk(at, min(at + span, end), lanes, width, onehot, offsets[min(at + span, end)] - offsets[at])
            for at, onehot in zip(range(begin, end, span), onehots)]


class _Runs:
    """The column that orders the positions (texts begin..end): its texts' positions are runs, in text order,
    then the positions without one. Run g holds the positions whose text is `begin + width * g + lane`, lane
    their byte in `lanes`; it is translated by the `width` text flags from `begin + width * g`."""

    __slots__ = ("begin", "end", "width", "lanes", "runs", "per_text")

    def __init__(self, begin: int, end: int, local: array, width: int, offsets: array):
        self.begin, self.end, self.width = begin, end, width
        self.per_text = (offsets[end] - offsets[begin]) / max(end - begin, 1)
        self.lanes = bytes(max(k, 0) % width for k in local)
        self.runs = array("i", [0])  # run g is lanes[runs[g]:runs[g + 1]]; the positions without: the rest
        present = len(local) - local.count(-1)  # local ascends up to there; the -1s come last
        for g in range((end - begin + width - 1) // width):
            self.runs.append(bisect_right(local, width * g + width - 1, self.runs[-1], present))

    def marked(self, hit: bytearray) -> int:
        """Byte p non-zero where position p's text in this column has its byte in `hit` set."""
        lanes, runs, begin, end, width = self.lanes, self.runs, self.begin, self.end, self.width
        parts = []
        for g in range(len(runs) - 1):
            at = begin + width * g
            table = hit[at:min(at + width, end)]
            parts.append(lanes[runs[g]:runs[g + 1]].translate(table + bytes(256 - len(table))))
        return int.from_bytes(b"".join(parts), "little")


def _check(needle: str) -> None:
    if not needle or SEPARATOR in needle:
        raise ValueError("a needle must be non-empty and have no newline")


def _set_bytes(flags: bytearray) -> Iterator[int]:
    """The indices of the bytes of `flags` (0 or 1 each) that are 1, found at C speed: the i-th is the lengths
    of the runs of zeros before it plus i (a `find` per index cost twice as much)."""
    zeros = flags.split(b"\x01")
    zeros.pop()
    return islice(accumulate(map(operator.add, map(len, zeros), repeat(1)), initial=-1), 1, None)


def _nth(flags: bytearray, k: int) -> int:
    """The index of the k-th (from 0) non-zero byte of `flags` (0 or 1 each), -1 if there are not that many."""
    at, n = 0, len(flags)
    for block in (1 << 14, 1 << 8):  # count coarse blocks, then fine ones, then step through a fine one
        while at < n:
            found = flags.count(1, at, at + block)
            if k < found:
                break
            k -= found
            at += block
        else:
            return -1
    at = flags.find(1, at)
    for _ in range(k):
        at = flags.find(1, at + 1)
    return at


class Selection(Sequence):
    """The items of `order` whose byte in `mask` (0 or 1) is set, in `order`'s order: counted at once, listed only as
    far as asked. A page near the front costs a walk of the front of the order, not of all of it. A page deep
    into a sparse selection would walk most of the order (item k of the selection is about k x len(order) /
    count items in); given `rank`, the selected items are marked at their index in the order instead, and the
    page is read off those marks: the 6,900 courses with "python" of 180,000, page 200, take ~1.5 ms where
    the walk took 11."""

    # Marking a selected item costs about as much as walking MARK_COST items of the order.
    MARK_COST = 2

    __slots__ = ("_order", "_mask", "_position", "_at", "_rank", "_count", "_marks")

    def __init__(self, order: Sequence[int], mask: bytearray, position: Sequence[int] | None = None,
                 at: Sequence[int] | None = None, rank: Callable[[], Sequence[int]] | None = None):
        self._order = order
        self._mask = mask
        self._position = position  # item i's byte in `mask` is position[i] (None: byte i)
        self._at = at  # byte p is item at[p]'s (position's inverse; None: item p's)
        self._rank = rank  # rank()[i]: item i's index in order, asked for when marking (None: never mark)
        self._count = int.from_bytes(mask, "little").bit_count()  # (its bytes are 0 or 1)
        self._marks: bytearray | None = None

    def __len__(self) -> int:
        return self._count

    def __iter__(self) -> Iterator[int]:
        order, position = self._order, self._position
        flags = map(self._mask.__getitem__, order if position is None else map(position.__getitem__, order))
        return compress(order, flags)

    def _marked(self, stop: int) -> bytearray | None:
        """One byte per index of the order, 1 where its item is selected, if marking them is cheaper than
        walking the order up to the `stop`-th selected item."""
        if self._marks is None:
            count = self._count
            if self._rank is None or stop * len(self._order) <= self.MARK_COST * count * count:
                return None
            marks = self._marks = bytearray(len(self._order))
            rank = self._rank()
            at = self._at if self._at is not None else range(len(self._mask))
            for p in _set_bytes(self._mask):  # (a plain loop: maps of method wrappers cost 1.6x as much)
                marks[rank[at[p]]] = 1
        return self._marks

    def _read(self, marks: bytearray, start: int, stop: int) -> list[int]:
        """The selected items from the `start`-th up to the `stop`-th, read off `marks`."""
        if start >= stop:
            return []
        found = islice(_ones(marks, _nth(marks, start), len(marks)), stop - start)
        return list(map(self._order.__getitem__, found))

    def __getitem__(self, item):
        if isinstance(item, slice):
            start, stop, step = item.indices(self._count)
            if step < 0:
                return list(self)[item]
            marks = self._marked(stop)
            if marks is not None:
                return self._read(marks, start, stop)[::step]
            return list(islice(iter(self), start, stop, step))
        index = operator.index(item)
        if index < 0:
            index += self._count
        if not 0 <= index < self._count:
            raise IndexError("selection index out of range")
        marks = self._marked(index + 1)
        if marks is not None:
            return self._read(marks, index, index + 1)[0]
        return next(islice(iter(self), index, None))
