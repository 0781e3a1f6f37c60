"""The Standard Workload Format of the Parallel Workloads Archive: its records and header.

https://www.cs.huji.ac.il/labs/parallel/workload/swf.html: one job per line, 18
whitespace-separated fields, -1 for unknown; lines starting with ';' are header comments. The
fields read: 1 job number, 2 submit time (s), 4 run time (s), 5 allocated processors (8 requested
when 5 is unknown), 9 requested time (s), 12 user id, 13 group id, 15 queue number.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from simulator.logfile import LogError, open_text

SWF_FIELDS: Final = (
    "job",
    "submit",
    "wait",
    "run",
    "procs",
    "cpu",
    "mem",
    "req_procs",
    "req_time",
    "req_mem",
    "status",
    "user",
    "group",
    "executable",
    "queue",
    "partition",
    "preceding",
    "think",
)
"""The 18 SWF columns, by the names a scenario's mapping may use."""


@dataclass(frozen=True)
class SwfRecord:
    """The SWF fields the mapping reads (-1 where the log does not know)."""

    submit: float
    run: float
    procs: int
    req_time: float
    user: int
    group: int
    queue: int

    def field(self, name: str) -> float:
        if name == "procs":
            return float(self.procs)
        if name in ("req_time", "submit", "run", "user", "group", "queue"):
            return float(getattr(self, name))
        raise LogError(f"unknown SWF field {name!r} in the mapping; use one of {MAPPABLE}")


MAPPABLE: Final = ("procs", "run", "req_time", "user", "group", "queue", "submit")


def parse_swf_line(line: str, number: int = 0) -> SwfRecord | None:
    """One SWF line; None for a comment or a blank line; LogError for a line that is not SWF."""
    text = line.strip()
    if not text or text.startswith(";"):
        return None
    parts = text.split()
    if len(parts) < 18:
        raise LogError(f"line {number}: an SWF record has 18 fields, this one {len(parts)}")
    try:
        values = [float(p) for p in parts[:18]]
    except ValueError as error:
        raise LogError(f"line {number}: not a number in an SWF record ({error})") from error
    procs = int(values[4]) if values[4] > 0 else int(values[7])
    return SwfRecord(
        submit=values[1],
        run=values[3],
        procs=procs,
        req_time=values[8],
        user=int(values[11]),
        group=int(values[12]),
        queue=int(values[14]),
    )


def swf_header(path: Path) -> dict[str, str]:
    """The `; Name: value` lines at the top of an SWF log."""
    header: dict[str, str] = {}
    with open_text(path) as stream:
        for line in stream:
            if not line.startswith(";"):
                break
            name, sep, value = line[1:].partition(":")
            if sep and name.strip() and " " not in name.strip():
                header[name.strip()] = value.strip()
    return header


def swf_records(path: Path) -> Iterator[SwfRecord]:
    """The log's usable records, in file order (unknown run time or submit time: skipped)."""
    with open_text(path) as stream:
        try:
            for number, line in enumerate(stream, 1):
                record = parse_swf_line(line, number)
                if record is not None and record.submit >= 0 and record.run >= 0:
                    yield record
        except (OSError, EOFError) as error:
            raise LogError(f"cannot read {path}: {error}") from error
