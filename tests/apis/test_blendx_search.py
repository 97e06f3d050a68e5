"""BlendX `search` through HTTP: what it matches on tricky input, and that the fast path answers as the plain scan.

`search` is a case-insensitive substring of a course's display name, short description or description
(`specs/blendx.yaml`). The server answers it from the world's shared texts (`world/textscan.py`); these
tests hold its answers to the plain definition, one course at a time:

- on courses whose three texts a scenario sets (accents, Greek final sigma, dotted capital I, German sharp s,
  regular-expression metacharacters, `%` and `_`, newlines, a phrase across two words), against `needle in
  text` over those texts, with and without an org filter (each filter takes its own path);
- on the whole default world, page by page and in order, against `BlendXIndex.matches_search` (the
  definition, tested on each course) for words, fragments across word boundaries and needles that span
  two texts.
"""

from __future__ import annotations

import json

import pytest

from mockserver.world.index import BlendXIndex
from mockserver.world.textscan import Selection

LIST = "/blendxapi/discovery/courses/"
SECRET = {"actionsecret": "your_secret"}

# display_name, short_description, overview of the courses the scenario sets
TRICKY = [
    ("Análisis de Datos: ÑANDÚ", "Curso básico", "<p>Estadística aplicada</p>"),
    ("ΟΔΟΣ Σοφία", "ΣΟΦΙΑ ΚΑΙ ΟΔΟΣ", "μάθημα ΟΔΟΣ"),
    ("İstanbul Straße", "STRASSE und Strasse", "Ǆemal ǅ ǆ"),
    ("C++ (Advanced) [v2.0] a.b*c? $5 ^x | y \\ z", "100% under_score {curly}", "line one\nline two\n\nend"),
    ("Data Science", "Machine Learning", "Deep\nLearning"),
    ("data science", "zzUniqueQQ", "tab\there"),
]
NEEDLES = [
    "análisis", "ANÁLISIS", "analisis", "ñandú", "Ñ", "ΟΔΟΣ", "οδος", "οδοσ", "ς", "σοφία", "İstanbul", "i̇stanbul",
    "istanbul", "STRAßE", "straße", "strasse", "ss", "ǆ", "Ǆ", "c++", "(advanced)", "[v2.0]", "a.b*c?", ".*", "$5 ^x",
    "| y \\ z", "\\", "100%", "%", "_", "under_score", "{curly}", "ta sci", "science\nmachine", "science\nzzunique",
    "one\nline", "two\n\nend", "learning\ndeep", "tab\th", "e", "  Data  ", "zzuniqueqq", "<p>", "ica apl",
]


def plain(needle: str, texts: tuple[str, str, str]) -> bool:
    """The definition, over one course's three texts."""
    name, short, overview = texts
    needle = needle.strip().lower()
    return needle in f"{name}\n{short}".lower() or needle in overview.lower()


def everything(client, **params) -> list[str]:
    """The run keys of every course the list answers, in order, page by page."""
    keys, page = [], 1
    while True:
        body = client.get(LIST, params={"limit": 100, "page": page, **params}, headers=SECRET).json()
        keys += [c["openedx_course_id"] for c in body["courses"]]
        if not body["has_more"]:
            assert len(keys) == body["total_count"]
            return keys
        page += 1


@pytest.fixture
def tricky(mockserver_app, mockserver_scenario):
    """{run key: texts} of the courses a scenario sets, among the default world's."""
    keys = list(mockserver_app.runtime.world.blendx_courses.ids)[7::53][:len(TRICKY)]
    records = {key: {"display_name": n, "short_description": s, "overview": o} for key, (n, s, o) in zip(keys, TRICKY)}
    mockserver_scenario(f"name: tricky-search\nrecords:\n  blendx_courses: {json.dumps(records)}\n")
    return dict(zip(keys, TRICKY))


@pytest.fixture(params=["each course tested", "one scan"])
def filtered_path(request, monkeypatch):
    """A filtered search tests each candidate below a threshold and scans the shared texts above it: both."""
    if request.param == "one scan":
        monkeypatch.setattr(BlendXIndex, "TEST_EACH_UP_TO", 0)
    return request.param


def test_search_on_tricky_texts_is_a_case_insensitive_substring(mockserver_client, tricky, filtered_path):
    world = mockserver_client.app.runtime.world
    orgs = ",".join(sorted({world.blendx_course(key).org for key in tricky}))
    for needle in NEEDLES:
        expected = {key for key, texts in tricky.items() if plain(needle, texts)}
        for params in ({"search": needle}, {"search": needle, "org": orgs}):
            found = set(everything(mockserver_client, **params)) & set(tricky)
            assert found == expected, (needle, params)


def test_search_semantics_on_tricky_texts(mockserver_client, tricky):
    """The rules, spelled out on the scenario's courses (by their position in `TRICKY`)."""
    keys = list(tricky)

    def found(needle):
        hits = set(everything(mockserver_client, search=needle))
        return {n for n, key in enumerate(keys) if key in hits}

    assert found("ANÁLISIS") == found("análisis") == {0}  # case folds
    assert found("analisis") == set()  # accents do not
    assert found("οδος") == {1} and found("οδοσ") == set()  # Python's lowercasing: a final capital sigma is ς
    assert found("a.b*c?") == {3} and found(".*") == set()  # no regular expression
    assert found("100%") == {3} and 3 not in found("%d") and found("under_score") == {3}  # no SQL LIKE wildcards
    assert found("ta sci") == {4, 5}  # a substring across words
    assert found("science\nmachine") == {4}  # the name and the short description are joined by a newline
    assert found("learning\ndeep") == set()  # the description is not joined to them
    assert found("  zzUNIQUEqq  ") == {5}  # surrounding spaces are dropped
    assert len(everything(mockserver_client, search="   ")) == len(everything(mockserver_client))  # no filter


NEEDLES_ON_THE_WORLD = ["python", "data", "the", "e", "ing t", "ta sci", "zzzz-no-such-text", "ción", "é", "(",
                        "course", "about this course", "<p>"]


def spanning(index) -> list[str]:
    """Needles across the newline that joins two texts of a course: the name's end and the short description's
    start, two description paragraphs, and the head's end and the description's start (never a match)."""
    needles = []
    for i in (0, len(index.cores) // 2, len(index.cores) - 1):
        core = index.cores[i]
        head = f"{core.name()}\n{index._short(core)}"
        tail = index._tail_parts(core)
        at = head.index("\n")
        needles.append(head[at - 4:at + 5].upper())
        if len(tail) > 1:
            needles.append(f"{tail[0][-3:]}\n{tail[1][:3]}")
        needles.append(f"{head[-3:]}\n{tail[0][:3]}")
    return needles


@pytest.fixture(params=["walked", "marked"])
def page_path(request, monkeypatch, mockserver_app):
    """A page of a search walks the order up to it, or marks the matching courses in order when that is cheaper
    (a deep page of a sparse search): each path on every page. The session app's cached answers, computed by either
    path, are dropped (a test on another app drops its own)."""
    monkeypatch.setattr(Selection, "MARK_COST", 10**18 if request.param == "walked" else 0)
    mockserver_app.runtime.cache.clear()
    return request.param


@pytest.mark.parametrize("order_by", ["", "display_name.asc", "price.desc", "end.desc", "start.asc"])
def test_search_answers_as_the_plain_scan_on_the_whole_world(mockserver_client, filtered_path, page_path, order_by):
    world = mockserver_client.app.runtime.world
    index = world._bx_index  # matches_search: the definition, one course at a time
    run_index = {key: i for i, key in enumerate(world.blendx_courses.ids)}
    for needle in NEEDLES_ON_THE_WORLD + spanning(index):
        wanted = needle.strip().lower()
        params = {"order_by": order_by} if order_by else {}
        unfiltered = everything(mockserver_client, **params)
        expected = [key for key in unfiltered if index.matches_search(run_index[key], wanted)]
        assert everything(mockserver_client, search=needle, **params) == expected, needle
        by_org = everything(mockserver_client, org="MITx,TestOrg", **params)
        expected = [key for key in by_org if index.matches_search(run_index[key], wanted)]
        assert everything(mockserver_client, search=needle, org="MITx,TestOrg", **params) == expected, needle


@pytest.fixture(scope="module")
def columns_client(mockserver_settings):
    """A client of a world whose BlendX texts take the column paths that only a large world takes by default
    (`SharedTexts`): chunks of 2 lanes (many chunks, every bit), the widest column ordering the positions,
    every chunk with a match translated, none scattered; a filtered search scans too (no candidate tested)."""
    from starlette.testclient import TestClient

    from mockserver.app import create_app
    from mockserver.world.textscan import SharedTexts

    with pytest.MonkeyPatch.context() as patch:  # (SCATTER_UP_TO and TEST_EACH_UP_TO are read by each search)
        for name, value in {"LANES": 2, "RUNS_ABOVE": 0, "SCATTER_UP_TO": -1}.items():
            patch.setattr(SharedTexts, name, value)
        patch.setattr(BlendXIndex, "TEST_EACH_UP_TO", 0)
        app = create_app(mockserver_settings.replace(allowed_hosts=(*mockserver_settings.allowed_hosts, "testserver")))
        position = list(app.runtime.world._bx_index._texts.position)
        assert position != sorted(position)  # the world was built with them: the positions are reordered
        with TestClient(app, base_url="http://testserver") as client:
            yield client


def test_search_by_columns_answers_as_the_plain_scan(columns_client, page_path):
    columns_client.app.runtime.cache.clear()
    world = columns_client.app.runtime.world
    index = world._bx_index
    run_index = {key: i for i, key in enumerate(world.blendx_courses.ids)}
    for needle in NEEDLES_ON_THE_WORLD + spanning(index):
        wanted = needle.strip().lower()
        for params in ({"order_by": "display_name.asc"}, {"order_by": "end.desc"}, {"org": "MITx,TestOrg"}):
            listed = everything(columns_client, **params)
            expected = [key for key in listed if index.matches_search(run_index[key], wanted)]
            assert everything(columns_client, search=needle, **params) == expected, (needle, params)
