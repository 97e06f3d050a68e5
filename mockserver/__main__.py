"""`python -m mockserver` is the `mockserver` command."""

import sys

from mockserver.cli import main

sys.exit(main())
