"""Search-semantics checks of the contract runner: what edx-search's engine does with the text, from outside.

`POST /search/course_discovery/` answers like the engine behind it (specs/blendx.yaml, the operation's table):
Elasticsearch or Meilisearch. The run learns which one the target runs (`--search-backend`, or inferred from
its first answer: Elasticsearch hits carry `score`, Meilisearch hits do not; `backend_of`) and states it in
the progress lines and the report. Two rules, registered like the others:

- `search_backend_shape` (`@domain_check`), on every search answer: the shape of the declared backend
  (`score` on every hit or on none, what `max_score` may be, facet `other`).
- `search_semantics` (`@probe`: once per operation, with requests of its own), built from words of the
  target's own documents: several words are OR-ed (Elasticsearch) or start from the first word's documents (Meilisearch);
  reserved characters are removed (Elasticsearch); an unbalanced quote is the view's 500 (Elasticsearch) or
  a normal answer (Meilisearch); a facet's count is the total of the search filtered by that value.
"""

from __future__ import annotations

import re
from typing import Any

import httpx

from mockserver.contract.checks import Exchange, domain_check
from mockserver.contract.context import RunContext, json_body
from mockserver.contract.failures import Collector, SearchSemanticsDrift
from mockserver.contract.probes import Target, probe
from mockserver.contract.safety import UnsafeRequestRefused

__all__ = ["backend_of", "infer_backend"]

SEARCH_PATH = "/search/course_discovery/"
COUNT_LIMIT = {"elasticsearch": 10_000, "meilisearch": 1_000}  # track_total_hits / maxTotalHits
FACET_PROBES = 3


def _is_search(path: str) -> bool:
    return path.rstrip("/") == SEARCH_PATH.rstrip("/")


def infer_backend(body: Any) -> str | None:
    """The backend an answer's shape shows: hits with `score` are Elasticsearch's, hits without Meilisearch's."""
    results = body.get("results") if isinstance(body, dict) else None
    if not results or not isinstance(results[0], dict):
        return None
    return "elasticsearch" if "score" in results[0] else "meilisearch"


def backend_of(run: RunContext) -> str | None:
    """The backend the run checks against: declared, or inferred from the target's answer to an empty search."""
    path = run.find_path(r"/search/course_discovery/?")
    if run.search_backend is None and path is not None:
        try:
            answer = run.send("POST", run.url_for(path), data={"page_size": "1"}, auth=False)
            run.search_backend = infer_backend(json_body(answer))
        except (httpx.HTTPError, UnsafeRequestRefused, ValueError):
            return None
        run.search_backend_inferred = True
    return run.search_backend


# -- every answer ------------------------------------------------------------------------------------


@domain_check(apis=("blendx",))
def search_backend_shape(x: Exchange, found: Collector) -> None:
    """edx-search answers in the shape of its backend: Elasticsearch hits carry a numeric `score` and `max_score`
    is null only without hits; Meilisearch hits carry no `score` (nor `_ignored`), `max_score` is a ranking
    score between 0 and 1 and every facet has `other: 0`."""
    if not _is_search(x.case.operation.path) or not isinstance(x.body.get("results"), list):
        return
    backend = backend_of(x.run)
    results = [r for r in x.body["results"] if isinstance(r, dict)]

    def drift(pointer: str, expected: Any, actual: Any) -> None:
        found(SearchSemanticsDrift, pointer, f"{expected} ({backend})", actual)

    if backend == "elasticsearch":
        for n, hit in enumerate(results):
            if not isinstance(hit.get("score"), (int, float)):
                drift(f"/results/{n}/score", "a number", hit.get("score"))
                break
        if x.body.get("total") and x.body.get("max_score") is None:
            drift("/max_score", "a number when there are hits", None)
    elif backend == "meilisearch":
        for n, hit in enumerate(results):
            if "score" in hit or "_ignored" in hit:
                drift(f"/results/{n}", "no score and no _ignored", sorted(hit))
                break
        best = x.body.get("max_score")
        if not isinstance(best, (int, float)) or not 0 <= best <= 1:
            drift("/max_score", "a ranking score between 0 and 1", best)
        for name, facet in (x.body.get("aggs") or {}).items():
            if isinstance(facet, dict) and facet.get("other") != 0:
                drift(f"/aggs/{name}/other", 0, facet.get("other"))


# -- probes, once per operation ----------------------------------------------------------------------


@probe(methods=("POST",), needs_binding=False)
def search_semantics(t: Target, found: Collector) -> None:
    """edx-search's text semantics are its backend's: with Elasticsearch several words are OR-ed (a two-word
    search finds at least what each word finds), reserved characters are removed, and an unbalanced quote is
    `500 {"error": "An error occurred when searching for \\"<text>\\""}`; with Meilisearch a two-word search
    finds the first word's documents (`matchingStrategy: last`) and any text is answered. With both, a facet's
    count for a value is the total of the same search filtered by that value."""
    if not _is_search(t.path):
        return
    backend = backend_of(t.run)
    if backend is None:
        t.notes.append("search_semantics: the target's search backend is unknown (no hits to infer it from)")
        return

    def total(form: dict[str, str]) -> tuple[int | None, httpx.Response]:
        answer = t.send(form=form, auth=False)
        body = json_body(answer)
        value = body.get("total") if isinstance(body, dict) else None
        return (value if isinstance(value, int) and answer.status_code == 200 else None), answer

    def drift(pointer: str, expected: Any, actual: Any, answer: httpx.Response, message: str) -> None:
        found(SearchSemanticsDrift, pointer, expected, actual, message=f"{message} ({backend})",
              request=t.run.describe(answer))

    _, answer = total({"page_size": "20"})
    sample = json_body(answer)
    if not isinstance(sample, dict):
        return
    words = _words(sample)
    if len(words) >= 2:
        one, two = words[0], words[-1]
        t_one, _ = total({"search_string": f"{one} "})
        t_two, _ = total({"search_string": f"{two} "})
        t_both, answer = total({"search_string": f"{one} {two} "})
        if None not in (t_one, t_two, t_both):
            if backend == "elasticsearch" and not max(t_one, t_two) <= t_both <= t_one + t_two:
                drift("/total", f"between {max(t_one, t_two)} and {t_one + t_two}: words are OR-ed", t_both, answer,
                      f"'{one} {two}' found {t_both}, '{one}' {t_one}, '{two}' {t_two}")
            if backend == "meilisearch" and t_both != t_one:
                drift("/total", f"{t_one}: the first word's documents (matchingStrategy last)", t_both, answer,
                      f"'{one} {two}' found {t_both}, '{one}' alone {t_one}")
        if backend == "elasticsearch" and t_one is not None:
            t_reserved, answer = total({"search_string": f"+({one})*"})
            if t_reserved != t_one:
                drift("/total", f"{t_one}, as '{one}': reserved characters are removed", t_reserved, answer,
                      f"'+({one})*' found {t_reserved}")
    text = f'"{words[0] if words else "course"}'
    answer = t.send(form={"search_string": text}, auth=False)
    body = json_body(answer)
    if backend == "elasticsearch":
        expected = {"error": f'An error occurred when searching for "{text}"'}
        if answer.status_code != 500 or body != expected:
            drift("/status", f"500 {expected}", f"{answer.status_code} {str(body)[:120]}", answer,
                  "an unbalanced quote is a query_string syntax error")
    elif answer.status_code != 200:
        drift("/status", 200, answer.status_code, answer, "Meilisearch accepts any text")
    for name, value, count in _facet_values(sample)[:FACET_PROBES]:
        filtered, answer = total({name: str(value)})
        expected_total = min(count, COUNT_LIMIT[backend])
        if filtered != expected_total:
            drift("/total", f"{expected_total}: the count of {name}={value} in the unfiltered facets", filtered,
                  answer, f"filtered by {name}={value}")


def _words(body: dict) -> list[str]:
    """Distinct lowercase words (5+ letters) of the content of the hits, in order of appearance."""
    seen: dict[str, None] = {}
    for hit in body.get("results") or ():
        content = (hit.get("data") or {}).get("content") if isinstance(hit, dict) else None
        for text in (content or {}).values() if isinstance(content, dict) else ():
            for word in re.findall(r"[a-z]{5,}", str(text).lower()):
                seen.setdefault(word, None)
    return list(seen)


def _facet_values(body: dict) -> list[tuple[str, str, int]]:
    """(field, value, count) of the first value of each facet."""
    out = []
    for name, facet in (body.get("aggs") or {}).items():
        terms = facet.get("terms") if isinstance(facet, dict) else None
        if isinstance(terms, dict) and terms:
            value, count = next(iter(terms.items()))
            out.append((name, value, count))
    return out
