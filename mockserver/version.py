"""The package's version, read once from its installed metadata (pyproject.toml's `version` is the one source).

A module of its own so that anything that prints the version (the CLI, the landing page) imports it without
importing the package's `__init__`, which reaches back into the app.
"""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("mockserver")
except PackageNotFoundError:  # a bare checkout on sys.path, never installed: nothing to read the version from
    __version__ = "0+unknown"
