"""`python -m mockserver.contract ...`: the contract command without the project CLI."""

import sys

from mockserver.contract.command import main

sys.exit(main())
