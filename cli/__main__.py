"""`python -m cli ...`: the same as `jobctl ...`."""

import sys

from cli.main import main

sys.exit(main())
