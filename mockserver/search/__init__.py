"""edx-search's search engines: what `POST /search/course_discovery/` answers under each backend.

edx-search hands the user's text to the engine named by `SEARCH_ENGINE`; the engines differ in query
language, ranking, errors and body shape, so each is a module here (`elasticsearch`, `meilisearch`) behind
one interface, `Engine.search(world, query) -> body`, over one shared tantivy index (`index`). The HTTP
handler (`mockserver.apis.search`) reads the form and picks the engine; it never matches text itself.

Which backend a server emulates: `--search-backend`, `MOCKSERVER_SEARCH_BACKEND` or a scenario's
`search: {backend: …}`; the default is `DEFAULT_BACKEND` (the evidence is in specs/blendx.yaml,
`x-doc-deviation` ref `mock-search-backend`).
"""

from __future__ import annotations

from typing import Protocol

from mockserver.search.query import (DOC_TYPE, INDEX_NAME, SearchFailed, SearchQuery, search_datetime,
                                     shape_document)

BACKENDS = ("elasticsearch", "meilisearch")
DEFAULT_BACKEND = "elasticsearch"


class Engine(Protocol):
    name: str

    def search(self, world, query: SearchQuery) -> dict:
        """The edx-search response body (`took`, `total`, `max_score`, `results`, `aggs`), or `SearchFailed`."""


def engine(name: str) -> Engine:
    """The engine emulating backend `name` (one of `BACKENDS`)."""
    if name == "meilisearch":
        from mockserver.search.meilisearch import ENGINE
    elif name == "elasticsearch":
        from mockserver.search.elasticsearch import ENGINE
    else:
        raise ValueError(f"unknown search backend {name!r}: expected one of {', '.join(BACKENDS)}")
    return ENGINE


__all__ = ["BACKENDS", "DEFAULT_BACKEND", "DOC_TYPE", "INDEX_NAME", "Engine", "SearchFailed", "SearchQuery", "engine",
           "search_datetime", "shape_document"]
