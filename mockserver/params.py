"""Lenient parameter parsing shared by the handlers.

The real servers never answer 400 for a bad query or form parameter: DRF falls back to its default, BlendX
clamps, a page number out of range is a 404. These helpers say which, once, so handlers stay thin.
The spec records the same choice on each parameter as `x-on-invalid`.
"""

from __future__ import annotations


def positive_int(raw: str | None, default: int, *, strict: bool = True, cutoff: int | None = None) -> int:
    """DRF's `_positive_int`: a non-negative (strict: positive) int, capped at `cutoff`; else `default`."""
    if raw is None:
        return default
    try:
        value = int(raw)
    except (TypeError, ValueError):
        return default
    if value < 0 or (strict and value == 0):
        return default
    if cutoff:
        return min(value, cutoff)
    return value


def clamped_int(raw: str | None, default: int, low: int, high: int | None) -> int:
    """An int clamped into [low, high] (no upper bound when `high` is None); not an int gives `default`."""
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except (TypeError, ValueError):
        return default
    return max(low, value if high is None else min(high, value))


FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


async def read_form(request) -> dict[str, str]:
    """Django's `request.POST`: form fields of a urlencoded or multipart body (last value wins), else nothing.

    The edx-search view and the LMS token view both read `request.POST`, so a JSON body counts as no fields.
    """
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type not in FORM_TYPES:
        return {}
    form = await request.form()
    return {key: value for key, value in form.items() if isinstance(value, str)}


def csv_values(raw: str | None) -> tuple[str, ...]:
    """Comma-separated values, stripped, empties dropped, order kept."""
    if not raw:
        return ()
    return tuple(v.strip() for v in raw.split(",") if v.strip())
