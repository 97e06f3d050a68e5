"""What the engines share: the query edx-search hands an engine, its failure, and the indexed document's shape.

Kept apart from the package's `__init__` (which picks an engine and imports the engine modules) so that the
engines import it without importing their own chooser.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from mockserver.world.entities import SearchDocument

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
