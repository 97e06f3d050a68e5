"""Real client libraries against a live mock: shared set-up.

The libraries are installed by `make test` from requirements-clients.txt when the registry has them;
each test module skips itself, with the reason, when its library cannot be imported.
"""

from __future__ import annotations

import pytest


@pytest.fixture(scope="session")
def django_configured():
    """edx-rest-api-client caches tokens through Django's cache: configure Django with a local-memory cache."""
    django = pytest.importorskip("django", reason="Django (needed by edx-rest-api-client) is not installed")
    from django.conf import settings

    if not settings.configured:
        settings.configure(CACHES={"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}},
                           USE_TZ=True)
        django.setup()
    return settings
