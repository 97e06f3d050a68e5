"""The string formats of scenario files, as JSON Schema patterns, and how a mismatch is explained.

The scenario schema (`schema.py`), the record schemas (`records.py`), the loader's clock check and the
problem messages (`validate.py`) all use these, so each format is written once.
"""

from __future__ import annotations

DATE_TIME_PATTERN = r"^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$"
DATE_PATTERN = r"^\d{4}-\d{2}-\d{2}$"
NAME_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.-]*$"

# What a problem says when a value does not match one of them.
EXPLAINED = {
    DATE_TIME_PATTERN: "is not an ISO 8601 date-time (e.g. 2026-01-15T09:30:00Z)",
    DATE_PATTERN: "is not an ISO 8601 date (e.g. 2026-01-15)",
    NAME_PATTERN: "is not a name: use letters, digits, '_', '.' and '-' (no spaces)",
}
