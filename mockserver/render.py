"""Response rendering: JSON (orjson) and the DRF XML format, and Accept negotiation.

The XML form is djangorestframework-xml's `XMLRenderer`: `<?xml ...?>` then `<root>`, one element per
dict key in order, `<list-item>` per list element, empty elements for None, `str()` of scalars
(so `True`/`False`), no attributes and no type information.
"""

from __future__ import annotations

import io
import json
from xml.sax.saxutils import XMLGenerator

import orjson
from starlette.responses import Response

from mockserver.errors import ApiError

JSON = "application/json"
XML = "application/xml"
XML_CONTENT_TYPE = "application/xml; charset=utf-8"


def json_bytes(data) -> bytes:
    """Serialise like DRF's JSONRenderer does for the wire (compact, UTF-8, key order kept)."""
    try:
        return orjson.dumps(data)
    except orjson.JSONEncodeError:
        # orjson stops at 64-bit integers; Python's json (what the real Python services use) writes any
        # integer, e.g. the `offset` echoed for a huge BlendX `page`.
        return json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def xml_bytes(data) -> bytes:
    """Serialise like djangorestframework-xml's XMLRenderer."""
    stream = io.StringIO()
    xml = XMLGenerator(stream, "utf-8", short_empty_elements=False)
    xml.startDocument()
    xml.startElement("root", {})
    _to_xml(xml, data)
    xml.endElement("root")
    xml.endDocument()
    return stream.getvalue().encode("utf-8")


def _to_xml(xml: XMLGenerator, data) -> None:
    if isinstance(data, (list, tuple)):
        for item in data:
            xml.startElement("list-item", {})
            _to_xml(xml, item)
            xml.endElement("list-item")
    elif isinstance(data, dict):
        for key, value in data.items():
            xml.startElement(str(key), {})
            _to_xml(xml, value)
            xml.endElement(str(key))
    elif data is None:
        pass
    else:
        xml.characters(str(data))


def json_response(data, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    return Response(json_bytes(data), status_code=status, media_type=JSON, headers=headers)


def render(data, media_type: str, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    """Render `data` in the negotiated media type."""
    if media_type == XML:
        return Response(xml_bytes(data), status_code=status, media_type=XML_CONTENT_TYPE, headers=headers)
    return json_response(data, status, headers)


def _precedence(media_range: str) -> int:
    """DRF's `_MediaType.precedence`: */* is 0, type/* is 1, type/subtype is 2, with parameters 3."""
    media, *params = [p.strip() for p in media_range.split(";")]
    if media in ("*/*", "*"):
        return 0
    if media.endswith("/*"):
        return 1
    if any(p and not p.lower().startswith("q=") for p in params):
        return 3
    return 2


def _matches(media_range: str, offer: str) -> bool:
    media = media_range.split(";")[0].strip().lower()
    if media in ("*/*", "*"):
        return True
    kind, _, sub = media.partition("/")
    okind, _, osub = offer.partition("/")
    return kind == okind and (sub == "*" or sub == osub)


def negotiate(accept: str | None, offers: tuple[str, ...]) -> str:
    """The media type to answer with, given an Accept header and the offers in server preference order.

    No Accept header, or `*/*`, gets the first offer (DRF uses its first renderer). An Accept that no
    offer satisfies raises the 406 the real servers send.
    """
    if not accept or not accept.strip():
        return offers[0]
    ranges = [r.strip() for r in accept.split(",") if r.strip()]
    # DRF groups the client's ranges by precedence (most specific first) and, within a group, lets the
    # server's renderer order decide; it ignores q-values, and so do we.
    for level in (3, 2, 1, 0):
        group = [r for r in ranges if _precedence(r) == level]
        for offer in offers:
            if any(_matches(r, offer) for r in group):
                return offer
    raise ApiError("not_acceptable")
