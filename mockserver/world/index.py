"""Indexes built once per world, and the query logic that runs over them.

- `LazySeq`: a read-only sequence (len, index, slice) that materializes entities on access, so a
  100,000-course result can be counted and paged without building every entity.
- `CatalogQuery` / `CourseIndex`: discovery catalog queries in Elasticsearch `query_string` style
  (`*:*`, `org:MITx`, `subjects:"Computer Science"`, `key:("A+B" OR "C+D")`, `AND`/`OR`/`NOT`,
  parentheses), evaluated with per-field posting sets instead of scans.
- `BlendXIndex`: BlendX list filtering (org CSV, tags CSV match-any, `search` ILIKE-style substring
  over display_name/short_description/overview, scanned over the world's distinct texts: `textscan`) and
  ordering, with per-field orders computed once.
- `SearchIndex`: edx-search course discovery (word match over the indexed text, exact-match term
  filters, enrollment window).
"""

from __future__ import annotations

import re
from array import array
from bisect import bisect_left
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime
from typing import Any, Generic, TypeVar

from mockserver.world.keys import split_course_key
from mockserver.world.textscan import SEPARATOR, Selection, SharedTexts

T = TypeVar("T")


class LazySeq(Sequence, Generic[T]):
    """Sequence over `ids`, materializing each item with `get(id)` on access."""

    __slots__ = ("_ids", "_get")

    def __init__(self, ids: Sequence, get: Callable[[Any], T]):
        self._ids = ids
        self._get = get

    def __len__(self) -> int:
        return len(self._ids)

    def __getitem__(self, item):
        if isinstance(item, slice):
            return [self._get(i) for i in self._ids[item]]
        return self._get(self._ids[item])

    def __iter__(self):
        get = self._get
        for i in self._ids:
            yield get(i)

    @property
    def ids(self) -> Sequence:
        """The natural keys (or internal ids) behind the sequence, in order."""
        return self._ids


# ---------------------------------------------------------------------------- catalog queries
_TOKEN_RE = re.compile(r'\(|\)|"[^"]*"|[^\s()"]+')


class QuerySyntaxError(ValueError):
    pass


class CourseIndex:
    """Posting lists of the course fields catalog queries may name, each built when a query first names it.

    The generated catalogs name `org`, `subjects`, `level_type` and `language`; `key` and `number` have a
    value per course (two dicts of 100,000 entries on the largest world), so they exist only once a
    scenario's catalog asks for them. Posting lists are arrays of ascending course indices (a value one
    course has is that course's index); `term` hands out sets.
    """

    FIELDS = ("org", "key", "number", "subjects", "level_type", "title", "language")
    _VALUES = {
        "org": lambda c, names: (split_course_key(c.key)[0],),
        "key": lambda c, names: (c.key,),
        "number": lambda c, names: (split_course_key(c.key)[1],),
        "subjects": lambda c, names: tuple(v for s in c.subjects for v in names.get(s, (s, s))),
        "level_type": lambda c, names: (c.level_type,) if c.level_type else (),
        "language": lambda c, names: (c.lang,),
    }

    def __init__(self, cores: Sequence, subject_names: dict[str, tuple[str, str]]):
        self.n = len(cores)
        self._cores = cores
        self._subject_names = subject_names
        self._postings: dict[str, dict[str, array | int]] = {}
        self._titles: list[str] | None = None

    def postings(self, fieldname: str) -> dict[str, array | int] | None:
        """Lowercased value -> course indices of one field (None for a field catalog queries cannot name)."""
        found = self._postings.get(fieldname)
        if found is None and fieldname in self._VALUES:
            values_of, names = self._VALUES[fieldname], self._subject_names
            found = {}
            for i, c in enumerate(self._cores[: self.n]):
                for value in values_of(c, names):
                    ids = found.setdefault(value.lower(), array("i"))
                    if not ids or ids[-1] != i:
                        ids.append(i)
            for value, ids in found.items():
                if len(ids) == 1:
                    found[value] = ids[0]
            self._postings[fieldname] = found
        return found

    @property
    def titles(self) -> list[str]:
        if self._titles is None:
            shared: dict[str, str] = {}
            self._titles = [shared.setdefault(t, t) for t in (c.title.lower() for c in self._cores[: self.n])]
        return self._titles

    def term(self, fieldname: str, value: str) -> set[int]:
        value = value.lower()
        if fieldname == "title":
            return {i for i, t in enumerate(self.titles) if value == "*" or value in t}
        posting = self.postings(fieldname)
        if posting is None:
            return set()
        if value == "*":
            return {i for ids in posting.values() for i in ((ids,) if isinstance(ids, int) else ids)}
        ids = posting.get(value, ())
        return {ids} if isinstance(ids, int) else set(ids)

    def evaluate(self, query: str) -> list[int]:
        """Indices of the courses matching `query`, ascending."""
        return sorted(CatalogQuery(query).evaluate(self))


class CatalogQuery:
    """A parsed query_string: OR of AND-groups of (possibly negated) terms."""

    def __init__(self, query: str):
        self.query = query
        self.tokens = _TOKEN_RE.findall(query or "")
        self.pos = 0
        self.tree = self._expr() if self.tokens else ("all",)
        if self.pos != len(self.tokens):
            raise QuerySyntaxError(f"unexpected {self.tokens[self.pos]!r} in query {query!r}")

    def _peek(self):
        return self.tokens[self.pos] if self.pos < len(self.tokens) else None

    def _next(self):
        tok = self._peek()
        if tok is None:
            raise QuerySyntaxError(f"query ends early: {self.query!r}")
        self.pos += 1
        return tok

    def _expr(self):
        groups = [self._and()]
        while self._peek() in ("OR", "||"):
            self._next()
            groups.append(self._and())
        return ("or", groups) if len(groups) > 1 else groups[0]

    def _and(self):
        terms = [self._unary()]
        while self._peek() not in (None, ")", "OR", "||"):
            if self._peek() in ("AND", "&&"):
                self._next()
            terms.append(self._unary())
        return ("and", terms) if len(terms) > 1 else terms[0]

    def _unary(self):
        tok = self._peek()
        if tok in ("NOT", "!"):
            self._next()
            return ("not", self._unary())
        if tok and tok.startswith("-") and len(tok) > 1:
            self.tokens[self.pos] = tok[1:]
            return ("not", self._unary())
        return self._atom()

    def _atom(self):
        tok = self._next()
        if tok == "(":
            inner = self._expr()
            if self._next() != ")":
                raise QuerySyntaxError(f"missing ')' in {self.query!r}")
            return inner
        if tok in ("*:*", "*"):
            return ("all",)
        if ":" not in tok:
            return ("term", "title", tok.strip('"'))
        fieldname, _, value = tok.partition(":")
        if value:
            return ("term", fieldname, value.strip('"'))
        nxt = self._next()
        if nxt == "(":
            values = []
            while self._peek() not in (")", None):
                v = self._next()
                if v not in ("OR", "||"):
                    values.append(v.strip('"'))
            if self._next() != ")":
                raise QuerySyntaxError(f"missing ')' in {self.query!r}")
            return ("or", [("term", fieldname, v) for v in values]) if values else ("none",)
        return ("term", fieldname, nxt.strip('"'))

    def evaluate(self, index: CourseIndex) -> set[int]:
        return self._eval(self.tree, index)

    def _eval(self, node, index: CourseIndex) -> set[int]:
        kind = node[0]
        if kind == "all":
            return set(range(index.n))
        if kind == "none":
            return set()
        if kind == "term":
            return index.term(node[1], node[2])
        if kind == "not":
            return set(range(index.n)) - self._eval(node[1], index)
        if kind == "and":
            parts = [self._eval(n, index) for n in node[1]]
            return set.intersection(*parts)
        return set().union(*(self._eval(n, index) for n in node[1]))


def key_query(keys: Sequence[str]) -> str:
    """The query that matches exactly the courses `keys` (`NOT *:*` when empty)."""
    if not keys:
        return "NOT *:*"
    return "key:(" + " OR ".join(f'"{k}"' for k in keys) + ")"


# ---------------------------------------------------------------------------- BlendX
BLENDX_ORDER_FIELDS = ("created_at", "display_name", "start", "end", "price", "avg_rating")


def _places(order: array) -> array:
    """The place of each index in `order` (a permutation of 0..len - 1)."""
    places = array("i", bytes(4 * len(order)))
    for place, i in enumerate(order):
        places[i] = place
    return places


def _descending(ascending, present: int):
    """The descending order of an ascending one whose first `present` items have a value: those reversed, then
    the nulls as they were (nulls last both ways)."""
    return ascending[present - 1::-1] + ascending[present:] if present else ascending[:]


class BlendXIndex:
    """Filter and order BlendX courses; `cores` are `generate.BlendXCore`s (index = position).

    `search` matches a course when its lowercased `name\\nshort_description` (the head) or its description
    parts (`tail_parts(core)`, lowercased, joined with newlines) contain the lowercased needle:
    `matches_search` is that definition, tested on one course. Generated courses share their texts, so the
    name, short description and description parts of every course are also kept once each in a
    `SharedTexts` (a needle without a newline is in the head or the description exactly when it is in
    one of those texts: the newline that joins them is neither cased nor case-ignorable, so lowercasing
    each text alone gives the same characters). A search scans those distinct texts once instead of
    testing every course (`_search_mask`).
    """

    # A filtered query (org, tags) with at most this many candidates tests each one (`_search_test`);
    # above, one scan of the shared texts is cheaper.
    TEST_EACH_UP_TO = 4096

    def __init__(self, cores: Sequence, tail_parts: Callable[[Any], tuple[str, ...]], org_aliases: dict[str, str]):
        self.cores = cores
        self._tail_parts = tail_parts
        self.org_aliases = org_aliases  # lowercased key or name -> org key
        # Index lists are arrays of 4-byte ints: a 100,000-course world has 180,000 cores, so a list of
        # Python ints per order was ~8 MB.
        self.by_org: dict[str, array] = {}
        self.by_tag: dict[str, array] = {}
        texts = SharedTexts()
        lowered: dict[str, str] = {}  # each distinct text lowercased once
        columns: dict[str, list] = {f: [] for f in BLENDX_ORDER_FIELDS}
        keys: list[str] = []
        for i, c in enumerate(cores):
            keys.append(c.run.key)
            for fieldname, column in columns.items():
                column.append(self._value(fieldname, c))
            self.by_org.setdefault((c.org or c.run.org).lower(), array("i")).append(i)
            for t in c.tags:
                self.by_tag.setdefault(t.lower(), array("i")).append(i)
            name, short = str(c.name()), str(self._short(c))  # as the head's f-string writes them
            name_l, short_l = lowered.get(name), lowered.get(short)
            if name_l is None:
                name_l = lowered[name] = name.lower()
            if short_l is None:
                short_l = lowered[short] = short.lower()
            texts.add((name_l, short_l, *tail_parts(c)))
        self._texts = texts.seal()
        self._orders: dict[tuple[str, str], array] = {}  # ascending ones built here, descending on first use
        # the place of each index in an ascending order (by field) and a descending one (by (field, "desc"))
        self._ranks: dict[str | tuple[str, str], array] = {}
        self._present: dict[str, int] = {}  # how many indices have a value (the rest, nulls, come last)
        by_key = sorted(range(len(cores)), key=keys.__getitem__)
        for fieldname, column in columns.items():
            self._build_order(fieldname, by_key, column)

    @staticmethod
    def _short(c) -> str:
        return c.short_description if c.short_description is not None else c.run.short_description

    @staticmethod
    def _value(fieldname: str, c):
        if fieldname == "display_name":
            return c.name().lower()
        if fieldname in ("start", "end"):
            return getattr(c.run, fieldname)
        return getattr(c, fieldname)

    def _build_order(self, fieldname: str, by_key: list[int], values: list) -> None:
        """Ascending: by value, ties by run key, nulls last (`order` derives the descending order)."""
        present = [i for i in by_key if values[i] is not None]
        missing = [i for i in by_key if values[i] is None]
        present.sort(key=values.__getitem__)
        order = array("i", present + missing)
        self._orders[(fieldname, "asc")] = order
        self._ranks[fieldname] = _places(order)
        self._present[fieldname] = len(present)

    def order(self, fieldname: str, direction: str) -> array:
        """All indices ordered by `fieldname`: ascending by value, ties by run key; descending the reverse; nulls
        last in both (in run key order). A descending order is derived from the ascending one when first asked
        for (the world's build keeps one array per field, not two)."""
        found = self._orders.get((fieldname, direction))
        if found is None:
            asc = self._orders[(fieldname, "asc")]
            found = self._orders[(fieldname, direction)] = _descending(asc, self._present[fieldname])
        return found

    def rank(self, fieldname: str, direction: str) -> array:
        """Each index's place in `order(fieldname, direction)`; a descending one is derived when first asked for."""
        if direction == "asc":
            return self._ranks[fieldname]
        found = self._ranks.get((fieldname, direction))
        if found is None:
            found = self._ranks[(fieldname, direction)] = _places(self.order(fieldname, direction))
        return found

    def _sorted(self, indices: Iterable[int], fieldname: str, direction: str) -> list[int]:
        """`indices` in the order `order(fieldname, direction)` lists them."""
        rank = self._ranks[fieldname].__getitem__
        ordered = sorted(indices, key=rank)
        if direction == "asc":
            return ordered
        return _descending(ordered, bisect_left(ordered, self._present[fieldname], key=rank))

    def matches_search(self, i: int, needle: str) -> bool:
        """Whether course `i` matches the (stripped, lowercased) needle: the definition of `search`."""
        core = self.cores[i]
        head = f"{core.name()}\n{self._short(core)}".lower()
        return needle in head or needle in "\n".join(self._tail_parts(core))

    def _spanning(self, i: int, needle: str) -> bool:
        """`matches_search` for a needle with a newline, from the course's shared texts."""
        name, short, *tail = self._texts.texts_of(i)
        return needle in f"{name}\n{short}" or needle in "\n".join(tail)

    def _search_mask(self, needle: str) -> bytearray:
        """One byte per course position (course i's is `self._texts.position[i]`), 1 where it matches `needle`.
        A needle with a newline may span the texts that `SharedTexts` keeps apart; each of its lines lies
        within one of them, so the courses with its longest line are the candidates, tested one by one."""
        if SEPARATOR not in needle:
            return self._texts.positions_containing(needle)
        mask = self._texts.positions_containing(max(needle.split(SEPARATOR), key=len))
        for i, p in enumerate(self._texts.position):
            if mask[p] and not self._spanning(i, needle):
                mask[p] = 0
        return mask

    def _search_test(self, needle: str) -> Callable[[int], bool]:
        """`matches_search(i, needle)` for a few courses of one query."""
        if SEPARATOR in needle:
            return lambda i: self._spanning(i, needle)
        return self._texts.tester(needle)

    def query(self, search: str | None = None, orgs: Sequence[str] = (), tags: Sequence[str] = (),
              order_by: tuple[str, str] = ("created_at", "desc")) -> Sequence[int]:
        """The indices of the courses matching every filter, in the order `order_by` names."""
        fieldname, direction = order_by
        if fieldname not in BLENDX_ORDER_FIELDS:
            fieldname = "created_at"
        direction = "asc" if direction == "asc" else "desc"
        order = self.order(fieldname, direction)
        cands: set[int] | None = None
        orgs = [o.strip() for o in orgs if o and o.strip()]
        if orgs:
            cands = set()
            for o in orgs:
                key = self.org_aliases.get(o.lower(), o).lower()
                cands.update(self.by_org.get(key, ()))
        tags = [t.strip().lower() for t in tags if t and t.strip()]
        if tags:
            tagged = set().union(*(self.by_tag.get(t, ()) for t in tags))
            cands = tagged if cands is None else cands & tagged
        needle = (search or "").strip().lower()
        if cands is None and not needle:
            return order
        if cands is None:
            return Selection(order, self._search_mask(needle), self._texts.position, self._texts.record_at,
                             lambda: self.rank(fieldname, direction))
        if needle:
            if len(cands) <= self.TEST_EACH_UP_TO:
                test = self._search_test(needle)
                cands = {i for i in cands if test(i)}
            else:
                mask, position = self._search_mask(needle), self._texts.position
                cands = {i for i in cands if mask[position[i]]}
        return self._sorted(cands, fieldname, direction)


# ---------------------------------------------------------------------------- edx-search
class SearchIndex:
    """edx-search course discovery over one document per run.

    `enrollment_start`/`enrollment_end` are per-document lists (the implicit filters every query
    applies); `value(i, field)` reads a filter field of document i (read once per field into a
    column, then cached); `fragments(i)` gives the searchable texts of document i. Generated
    documents share their fragments (titles, pool paragraphs), so a word is matched once per
    distinct fragment, not once per document: `_by_fragment` (lowercased fragment -> documents,
    built on the first search) turns a word into the set of documents that contain it.
    """

    def __init__(self, enrollment_start: list, enrollment_end: list, value: Callable[[int, str], Any],
                 fragments: Callable[[int], tuple[str, ...]], start: Callable[[int], datetime | None],
                 content: Callable[[int], tuple[str, ...]] | None = None):
        self.es = enrollment_start
        self.ee = enrollment_end
        self._value = value
        self._fragments = fragments
        self._start = start
        self.content = content
        """`content(i)`: document i's analysed `content` texts (display_name, overview, number,
        short_description), as `mockserver.search` indexes them."""
        self._columns: dict[str, list] = {}
        self._by_fragment: dict[str, list[int]] | None = None

    def value(self, i: int, name: str) -> Any:
        """Field `name` of document i, read afresh (`column` keeps a whole field)."""
        return self._value(i, name)

    def column(self, name: str) -> list:
        col = self._columns.get(name)
        if col is None:
            col = self._columns[name] = [self._value(i, name) for i in range(len(self.es))]
        return col

    def live(self, now: datetime) -> list[int]:
        """The documents whose enrollment window contains `now` (the implicit edx-search filters)."""
        es, ee = self.es, self.ee
        return [i for i in range(len(es)) if es[i] is not None and es[i] <= now and (ee[i] is None or ee[i] >= now)]

    def _containing(self, word: str) -> set[int]:
        """The documents with `word` as a whole word in one of their fragments (case-insensitive)."""
        by_fragment = self._by_fragment
        if by_fragment is None:
            by_fragment = {}
            for i in range(len(self.es)):
                for frag in self._fragments(i):
                    by_fragment.setdefault(frag.lower(), []).append(i)
            self._by_fragment = by_fragment
        pattern = re.compile(rf"\b{re.escape(word)}\b")
        found: set[int] = set()
        for low, ids in by_fragment.items():
            if word in low and pattern.search(low) is not None:
                found.update(ids)
        return found

    def query(self, search_string: str | None, filters: dict[str, Any], now: datetime,
              sort_by_start: bool = False) -> list[int]:
        out = self.live(now)
        for name, wanted in filters.items():
            col = self.column(name)
            kept = []
            for i in out:
                have = col[i]
                if isinstance(have, (tuple, list)):
                    ok = wanted in have
                elif isinstance(have, bool):
                    ok = have == wanted or str(have).lower() == str(wanted).lower()
                else:
                    ok = have == wanted
                if ok:
                    kept.append(i)
            out = kept
        for word in re.findall(r"\w+", (search_string or "").lower()):
            containing = self._containing(word)
            out = [i for i in out if i in containing]
        if sort_by_start:
            dated = [i for i in out if self._start(i) is not None]
            undated = [i for i in out if self._start(i) is None]
            dated.sort(key=self._start, reverse=True)
            out = dated + undated
        return out
