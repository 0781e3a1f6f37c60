"""`python -m cli.demo [options]`: the same as `jobctl demo [options]`."""

import sys

from cli.main import main

sys.exit(main(["demo", *sys.argv[1:]]))
