"""jobctl's entry point: parse, run the command, turn every error into its exit code."""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping, Sequence
from typing import TextIO

from cli.api import Apis
from cli.commands import Context
from cli.exits import INTERRUPTED, CliError
from cli.parser import build_parser
from cli.render import dumps
from cli.settings import Settings


def main(
    argv: Sequence[str] | None = None,
    *,
    environ: Mapping[str, str] | None = None,
    out: TextIO | None = None,
    err: TextIO | None = None,
) -> int:
    """Run one command; its exit code (cli/exits.py). Tests pass argv, environ and streams."""
    out, err = out or sys.stdout, err or sys.stderr
    parser = build_parser()
    args = parser.parse_args(argv)  # exits 2 with argparse's message on bad usage
    as_json = bool(args.json)
    try:
        settings = Settings.resolve(
            os.environ if environ is None else environ,
            api_key=args.api_key,
            operator_key=args.operator_key,
            job_url=args.job_url,
            cluster_url=args.cluster_url,
            monitor_url=args.monitor_url,
        )
        code: int = args.handler(Context(Apis(settings), out, err, as_json), args)
        return code
    except CliError as error:
        err.write((dumps(error.document()) if as_json else f"jobctl: {error.message}") + "\n")
        return error.exit_code
    except KeyboardInterrupt:
        err.write("\njobctl: interrupted\n")
        return INTERRUPTED
