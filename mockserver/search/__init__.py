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

from dataclasses import dataclass
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from mockserver.world.entities import SearchDocument

BACKENDS = ("elasticsearch", "meilisearch")
DEFAULT_BACKEND = "elasticsearch"
INDEX_NAME = "course_info"
DOC_TYPE = "_doc"


class SearchFailed(Exception):
    """The engine raised: edx-search's view answers `500 {"error": "An error occurred when searching for …"}`."""


@dataclass(frozen=True)
class SearchQuery:
    """What edx-search's `course_discovery_search` passes to the engine."""

    text: str | None
    size: int
    from_: int
    filters: tuple[tuple[str, str], ...] = ()


class Engine(Protocol):
    name: str

    def search(self, world, query: SearchQuery) -> dict:
        """The edx-search response body (`took`, `total`, `max_score`, `results`, `aggs`), or `SearchFailed`."""


def search_datetime(value: datetime | None) -> str | None:
    """edx-search's index format: Python `isoformat()` of a UTC datetime (`2030-01-01T00:00:00+00:00`)."""
    return None if value is None else value.astimezone(timezone.utc).isoformat()


def shape_document(doc: "SearchDocument", when=search_datetime) -> dict:
    """The indexed course document (`data`). Empty values are not indexed, so they are left out;
    `when` renders its dates (each engine gives them back its own way)."""
    content = {"display_name": doc.content.display_name, "overview": doc.content.overview,
               "number": doc.content.number, "short_description": doc.content.short_description}
    data = {
        "id": doc.id,
        "course": doc.course,
        "content": {k: v for k, v in content.items() if v},
        "image_url": doc.image_url,
        "start": when(doc.start),
        "end": when(doc.end),
        "enrollment_start": when(doc.enrollment_start),
        "enrollment_end": when(doc.enrollment_end),
        "effort": doc.effort,
        "number": doc.number,
        "org": doc.org,
        "modes": list(doc.modes),
        "language": doc.language,
        "invitation_only": doc.invitation_only,
        "catalog_visibility": doc.catalog_visibility,
    }
    return {k: v for k, v in data.items() if v not in (None, "", False, [])}


def engine(name: str) -> Engine:
    """The engine emulating backend `name` (one of `BACKENDS`)."""
    if name == "meilisearch":
        from mockserver.search.meilisearch import ENGINE
    elif name == "elasticsearch":
        from mockserver.search.elasticsearch import ENGINE
    else:
        raise ValueError(f"unknown search backend {name!r}: expected one of {', '.join(BACKENDS)}")
    return ENGINE


__all__ = ["BACKENDS", "DEFAULT_BACKEND", "Engine", "SearchFailed", "SearchQuery", "engine", "shape_document"]
