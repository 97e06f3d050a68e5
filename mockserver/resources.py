"""Where the files the package reads at run time live: the specs, the scenario JSON Schema, the shipped scenarios.

Git keeps one copy of each, in the top-level `specs/`, `schemas/` and `scenarios/`. A built wheel carries
them inside the package as `mockserver/_data/<name>/` (pyproject.toml's force-include), found here through
importlib.resources; an editable install or a source checkout has no `_data/` and reads the top-level
directories where they are. Everything else asks this module, so the two layouts are decided once.
"""

from __future__ import annotations

import importlib.resources
from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent
_INSTALLED = Path(str(importlib.resources.files("mockserver").joinpath("_data")))

CHECKOUT_ROOT: Path | None = _PACKAGE.parent if (_PACKAGE.parent / "pyproject.toml").is_file() else None
"""The source checkout this package runs from (an editable install), or None for an installed wheel.

(hatchling also copies the force-included files into an editable install's site-packages; they are never
read, because the package imports from the checkout and this module prefers the checkout's files.)"""


def data_dir(name: str) -> Path:
    """The directory of shipped data `name` ("specs", "schemas", "scenarios"): the checkout's when the package
    runs from one (so an edit to specs/ takes effect at once), else the wheel's copy.

    A path is returned even when it does not exist, so a caller can name where it looked in its error.
    """
    if CHECKOUT_ROOT is not None and (CHECKOUT_ROOT / name).is_dir():
        return CHECKOUT_ROOT / name
    return _INSTALLED / name


SPECS_DIR = data_dir("specs")
SCHEMAS_DIR = data_dir("schemas")
SCENARIOS_DIR = data_dir("scenarios")
