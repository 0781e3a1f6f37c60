"""The commands of jobctl: each takes the invocation's Context and its parsed arguments and
returns the exit code."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TextIO

from cli.api import Apis
from cli.render import dumps


@dataclass
class Context:
    """What every command needs: the APIs, where to write, and whether to write JSON."""

    apis: Apis
    out: TextIO
    err: TextIO
    as_json: bool = False

    def emit(self, document: Any, text: Callable[[], str]) -> None:
        """`document` as JSON with --json, else `text()`."""
        self.out.write((dumps(document) if self.as_json else text()) + "\n")
        self.out.flush()

    def tell(self, message: str) -> None:
        """A remark for the user on stderr (never mixed into --json output)."""
        self.err.write(message + "\n")
        self.err.flush()


Handler = Callable[[Context, argparse.Namespace], int]
CommandAdder = Callable[[str, Handler, str], argparse.ArgumentParser]
"""Adds a command (name, handler, help) to jobctl's parser and gives back its subparser."""
