"""Job logs in, simulated jobs out: SWF (Parallel Workloads Archive), CSV, and the mapping.

A log is read as a stream, twice at most: once for its summary (job count, span, the quantiles
the default mapping needs) and once per policy for the arrivals. Nothing holds all jobs.

SWF records are read by `simulator.swf`; the mapping below turns them into jobs.

CSV: a header line naming at least `submit_time, run_time_s, profile, priority, tenant`;
submit_time is seconds from the log's start (or any monotonic seconds count) or an ISO 8601
date-time.
"""

from __future__ import annotations

import bisect
import csv
import math
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Final

from simulator.logfile import LogError, open_text
from simulator.swf import MAPPABLE, SwfRecord, swf_header, swf_records

PRIORITY_CLASSES: Final = ("critical", "high", "normal", "low")
"""The platform's priority classes, most urgent first."""
CSV_FIELDS: Final = ("submit_time", "run_time_s", "profile", "priority", "tenant")
OTHER_TENANT: Final = "other"


@dataclass(frozen=True, slots=True)
class SimJob:
    """One job of the log, as every policy sees it."""

    index: int
    """0, 1, 2... in submission order."""
    submit_s: float
    """Seconds since the log's first submission."""
    run_s: float
    profile: str
    """The cluster profile (pool) it runs on."""
    priority: str
    tenant: str


@dataclass(frozen=True)
class Mapping:
    """How SWF records become jobs: see docs/simulator.md, "The default mapping".

    - profile: `profile_field` (default procs) cut at the log's own quantiles
      `profile_quantiles` into `profiles` (fewest processors → the first profile);
    - priority: `priority_field` (default req_time, the user's own estimate, else run time)
      cut at quantiles `priority_quantiles` into critical, high, normal, low (shortest →
      critical: the short, interactive jobs are the ones a person waits for);
    - tenant: `tenant_field` (default user): the `top_tenants` busiest values are tenants
      `u<id>`, every other value is `other`.
    """

    profiles: tuple[str, ...] = ("small", "medium", "large")
    profile_field: str = "procs"
    profile_quantiles: tuple[float, ...] = (0.5, 0.9)
    priority_field: str = "req_time"
    priority_quantiles: tuple[float, ...] = (0.1, 0.3, 0.8)
    tenant_field: str = "user"
    top_tenants: int = 8

    def __post_init__(self) -> None:
        for name in (self.profile_field, self.priority_field, self.tenant_field):
            if name not in MAPPABLE:
                raise LogError(f"unknown SWF field {name!r} in the mapping; use one of {MAPPABLE}")
        if len(self.profile_quantiles) != len(self.profiles) - 1:
            raise LogError("profile_quantiles needs one cut fewer than there are profiles")
        if len(self.priority_quantiles) != len(PRIORITY_CLASSES) - 1:
            raise LogError("priority_quantiles needs 3 cuts (critical|high|normal|low)")
        for cuts in (self.profile_quantiles, self.priority_quantiles):
            if list(cuts) != sorted(cuts) or not all(0 < q < 1 for q in cuts):
                raise LogError(f"quantiles must rise strictly inside (0, 1): {cuts}")


@dataclass
class LogSummary:
    """What one pass over a log learns: its size, span and the mapping's cut points."""

    jobs: int = 0
    first_submit: float = math.inf
    last_submit: float = -math.inf
    profile_cuts: tuple[float, ...] = ()
    priority_cuts: tuple[float, ...] = ()
    tenants: frozenset[str] = field(default_factory=frozenset)
    profile_of_label: dict[str, str] = field(default_factory=dict)
    start_epoch: float = 0.0
    """Unix time (local time of the log's site, for SWF) of the first submission: `submit_s`
    0 falls in hour `hour_of_week(0)` of its week. 0 (a Thursday) when the log does not say."""

    @property
    def span_s(self) -> float:
        return max(0.0, self.last_submit - self.first_submit) if self.jobs else 0.0


# SWF ----------------------------------------------------------------------------------------


def _priority_value(record: SwfRecord, name: str) -> float:
    value = record.field(name)
    return record.run if name == "req_time" and value < 0 else value


def _quantiles(values: list[float], cuts: tuple[float, ...]) -> tuple[float, ...]:
    ordered = sorted(values)
    if not ordered:
        return tuple(0.0 for _ in cuts)
    return tuple(ordered[min(len(ordered) - 1, int(q * len(ordered)))] for q in cuts)


def summarize_swf(path: Path, mapping: Mapping) -> LogSummary:
    """One pass: count, span, the mapping's quantile cut points and busiest tenants.

    The quantiles are taken on the log's distinct values' counts, kept as a Counter, so memory
    is bounded by the number of distinct values, not of jobs."""
    summary = LogSummary()
    profile_values: Counter[float] = Counter()
    priority_values: Counter[float] = Counter()
    tenants: Counter[int] = Counter()
    for record in swf_records(path):
        summary.jobs += 1
        summary.first_submit = min(summary.first_submit, record.submit)
        summary.last_submit = max(summary.last_submit, record.submit)
        profile_values[record.field(mapping.profile_field)] += 1
        priority_values[_priority_value(record, mapping.priority_field)] += 1
        tenants[int(record.field(mapping.tenant_field))] += 1
    if not summary.jobs:
        raise LogError(f"{path} holds no job records")
    summary.profile_cuts = _counted_quantiles(profile_values, mapping.profile_quantiles)
    summary.priority_cuts = _counted_quantiles(priority_values, mapping.priority_quantiles)
    summary.tenants = frozenset(f"u{t}" for t, _ in tenants.most_common(mapping.top_tenants))
    header = swf_header(path)
    try:
        zone = float(header.get("TimeZone", "0") or 0)
        summary.start_epoch = float(header.get("UnixStartTime", "0") or 0) + zone
    except ValueError:
        summary.start_epoch = 0.0
    summary.start_epoch += summary.first_submit
    return summary


def _counted_quantiles(counts: Counter[float], cuts: tuple[float, ...]) -> tuple[float, ...]:
    total = sum(counts.values())
    values = sorted(counts)
    out: list[float] = []
    for q in cuts:
        target, seen = q * total, 0
        for value in values:
            seen += counts[value]
            if seen >= target:
                out.append(value)
                break
    return tuple(out)


def swf_jobs(path: Path, mapping: Mapping, summary: LogSummary) -> Iterator[SimJob]:
    """The log's jobs, mapped, in submission order (SWF logs are sorted by submit time)."""
    top = summary.tenants
    for index, record in enumerate(swf_records(path)):
        profile = mapping.profiles[
            bisect.bisect_left(summary.profile_cuts, record.field(mapping.profile_field))
        ]
        rank = bisect.bisect_left(
            summary.priority_cuts, _priority_value(record, mapping.priority_field)
        )
        tenant = f"u{int(record.field(mapping.tenant_field))}"
        yield SimJob(
            index=index,
            submit_s=record.submit - summary.first_submit,
            run_s=record.run,
            profile=profile,
            priority=PRIORITY_CLASSES[rank],
            tenant=tenant if tenant in top else OTHER_TENANT,
        )


# CSV ----------------------------------------------------------------------------------------


def _seconds(raw: str, number: int) -> float:
    text = raw.strip()
    try:
        return float(text)
    except ValueError:
        pass
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()
    except ValueError as error:
        raise LogError(f"line {number}: submit_time {text!r} is neither seconds nor ISO") from error


def csv_rows(path: Path) -> Iterator[tuple[float, float, str, str, str]]:
    """(submit seconds, run seconds, profile, priority, tenant) per row, checked."""
    with open_text(path) as stream:
        reader = csv.DictReader(stream)
        header = [name.strip() for name in reader.fieldnames or ()]
        missing = [name for name in CSV_FIELDS if name not in header]
        if missing:
            raise LogError(f"{path}: the CSV header lacks {', '.join(missing)}")
        reader.fieldnames = header
        for number, row in enumerate(reader, 2):
            try:
                run = float(row["run_time_s"])
            except (TypeError, ValueError) as error:
                raise LogError(f"line {number}: run_time_s is not a number") from error
            priority = (row["priority"] or "normal").strip()
            if priority not in PRIORITY_CLASSES:
                raise LogError(f"line {number}: priority {priority!r} is not one of the classes")
            profile = (row["profile"] or "").strip()
            if not profile:
                raise LogError(f"line {number}: empty profile")
            yield (
                _seconds(row["submit_time"] or "", number),
                max(0.0, run),
                profile,
                priority,
                (row["tenant"] or OTHER_TENANT).strip(),
            )


def summarize_csv(path: Path) -> LogSummary:
    summary = LogSummary()
    for submit, _, _, _, _ in csv_rows(path):
        summary.jobs += 1
        summary.first_submit = min(summary.first_submit, submit)
        summary.last_submit = max(summary.last_submit, submit)
    if not summary.jobs:
        raise LogError(f"{path} holds no job rows")
    summary.start_epoch = summary.first_submit if summary.first_submit > 1e8 else 4 * 86_400.0
    return summary


def csv_jobs(path: Path, summary: LogSummary) -> Iterator[SimJob]:
    """The CSV's jobs; rows must come in submission order (LogError otherwise)."""
    last = -math.inf
    for index, (submit, run, profile, priority, tenant) in enumerate(csv_rows(path)):
        if submit < last:
            raise LogError(f"row {index + 2}: submit_time goes back; sort the CSV by it")
        last = submit
        yield SimJob(
            index,
            submit - summary.first_submit,
            run,
            summary.profile_of_label.get(profile, profile),
            priority,
            tenant,
        )


# One interface for both ---------------------------------------------------------------------

JobSource = Callable[[], Iterator[SimJob]]
"""Calling it starts the log again from its first job (each policy streams it anew)."""


@dataclass(frozen=True)
class Workload:
    """A log opened for simulation: its summary, and its jobs as a stream, as often as needed."""

    name: str
    summary: LogSummary
    jobs: JobSource
    profiles: tuple[str, ...]

    @property
    def span_days(self) -> float:
        return self.summary.span_s / 86_400


def open_log(path: Path, mapping: Mapping) -> Workload:
    """A .swf, .swf.gz or .csv log; LogError when it cannot be used."""
    if not path.is_file():
        raise LogError(f"no log at {path}")
    name = path.name.lower()
    if name.endswith((".swf", ".swf.gz")):
        summary = summarize_swf(path, mapping)
        return Workload(
            path.name, summary, lambda: swf_jobs(path, mapping, summary), mapping.profiles
        )
    if name.endswith((".csv", ".csv.gz")):
        summary = summarize_csv(path)
        profiles = sorted({row[2] for row in csv_rows(path)})
        return Workload(path.name, summary, lambda: csv_jobs(path, summary), tuple(profiles))
    raise LogError(f"{path}: expected a .swf, .swf.gz or .csv log")


def hour_of_week(summary: LogSummary, submit_s: float) -> int:
    """0 = Monday 00:00-01:00 ... 167 = Sunday 23:00 (the Unix epoch began on a Thursday)."""
    return (int((summary.start_epoch + submit_s) // 3600) + 72) % 168


def window(workload: Workload, start_s: float, end_s: float, name: str) -> Workload:
    """The jobs submitted in [start_s, end_s), their times counted from start_s (a stream)."""
    base = workload.summary
    summary = LogSummary(
        jobs=0,
        first_submit=0.0,
        last_submit=0.0,
        start_epoch=base.start_epoch + start_s,
    )
    for job in workload.jobs():
        if start_s <= job.submit_s < end_s:
            summary.jobs += 1
            summary.last_submit = job.submit_s - start_s
        elif job.submit_s >= end_s:
            break

    def jobs() -> Iterator[SimJob]:
        n = 0
        for job in workload.jobs():
            if job.submit_s >= end_s:
                return
            if job.submit_s >= start_s:
                yield SimJob(
                    n, job.submit_s - start_s, job.run_s, job.profile, job.priority, job.tenant
                )
                n += 1

    return Workload(name, summary, jobs, workload.profiles)


def in_memory(jobs: list[SimJob], name: str = "jobs") -> Workload:
    """A workload from a list (tests, the planner's slices of a log)."""
    summary = LogSummary(jobs=len(jobs))
    if jobs:
        summary.first_submit = min(j.submit_s for j in jobs)
        summary.last_submit = max(j.submit_s for j in jobs)
    profiles = tuple(sorted({j.profile for j in jobs}))
    return Workload(name, summary, lambda: iter(jobs), profiles)
