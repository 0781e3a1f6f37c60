"""Reading a job log file: plain or gzip-compressed text, and the error every reader raises."""

from __future__ import annotations

import gzip
import io
from pathlib import Path
from typing import IO


class LogError(ValueError):
    """The log cannot be read, or a line of it makes no sense."""


def open_text(path: Path) -> IO[str]:
    """The log's text (`.gz`: decompressed as it is read); LogError if it cannot be opened."""
    try:
        if path.suffix == ".gz":
            return io.TextIOWrapper(gzip.open(path, "rb"), encoding="utf-8", errors="replace")
        return path.open(encoding="utf-8", errors="replace")
    except OSError as error:
        raise LogError(f"cannot read {path}: {error.strerror or error}") from error
