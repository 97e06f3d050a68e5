"""mockserver: an offline emulator and contract tester for three education APIs.

The public surface is small: `create_app()` builds the ASGI app (see `mockserver.app`), and the
`mockserver` console script (see `mockserver.cli`) serves it, checks scenarios and runs contracts.
"""

from mockserver.version import __version__


def create_app(*args, **kwargs):
    """Build the ASGI application; see `mockserver.app.create_app`."""
    from mockserver.app import create_app as _create_app

    return _create_app(*args, **kwargs)

__all__ = ["__version__", "create_app"]
