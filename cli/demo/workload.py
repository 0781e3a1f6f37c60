"""The demo's workload: jobs across job profiles and priorities, arriving in bursts.

`plan_workload` is deterministic for a seed. A job asks the local EMR driver for its step's run
time through the job profile's step template: `step_parameters` finds the template placeholder
that the driver reads as the duration and fills the other placeholders with harmless values.
"""

from __future__ import annotations

import random
import re
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date
from typing import Any, Final

PROFILES: Final = ("training", "scoring", "predicting")
PRIORITIES: Final = ("critical", "high", "normal", "low")
PROFILE_MIX: Final = {"training": 0.25, "scoring": 0.4, "predicting": 0.35}
PRIORITY_MIX: Final = {"critical": 0.15, "high": 0.2, "normal": 0.45, "low": 0.2}
STEP_SECONDS: Final = {"training": (6.0, 12.0), "scoring": (2.0, 5.0), "predicting": (1.0, 3.0)}
"""Range of step run times per job profile (other profiles get DEFAULT_STEP_SECONDS)."""
DEFAULT_STEP_SECONDS: Final = (2.0, 6.0)
DURATION_PARAMETER: Final = "duration"
"""The parameter for the step's run time when a template's args do not show which it is (the
name local_runtime/seed.py gives it)."""
FILLERS: Final[Mapping[str, str]] = {
    "dataset": "s3://emr-control-plane-demo/data/training",
    "input": "s3://emr-control-plane-demo/data/scoring",
    "model": "demo-model",
}
"""Values of a template's other placeholders by name; `date` gets today, the rest "demo"."""

# What the local EMR driver reads from a step's args joined with spaces as its run time
# (local_runtime/emr_driver/settings.py, step_request; tests/cli checks they agree).
DRIVER_SLEEP: Final = (
    re.compile(r"--sleep-seconds(?:=|\s+)(\d+(?:\.\d+)?)"),
    re.compile(r"\bsleep\s+(\d+(?:\.\d+)?)"),
)
_PLACEHOLDER: Final = re.compile(r"\{\{|\}\}|\{([A-Za-z_][A-Za-z0-9_.-]{0,127})\}")
_PROBE: Final = "424242.5"


@dataclass(frozen=True)
class PlannedJob:
    index: int
    name: str
    profile: str
    priority: str
    seconds: float
    """How long its step should run."""
    tenant: str = ""
    """Which of the demo's tenants submits it ("": the one of the demo's own key)."""


@dataclass(frozen=True)
class Burst:
    index: int
    at_seconds: float
    """When it is submitted, in seconds after the demo began."""
    jobs: tuple[PlannedJob, ...]
    steady: bool = False
    """One job of a tenant's steady stream, not a burst."""


def plan_workload(
    jobs: int = 60,
    bursts: int = 4,
    seed: int = 7,
    gap_seconds: float = 8.0,
    profiles: Sequence[str] = PROFILES,
    duration_scale: float = 1.0,
    allowed: Mapping[str, Collection[str]] | None = None,
) -> list[Burst]:
    """`jobs` jobs in `bursts` bursts about `gap_seconds` apart, mixed by PROFILE_MIX and
    PRIORITY_MIX (every class gets a job once there are enough), the same for the same seed.
    `allowed` gives a profile's allowed priorities where it does not take them all."""
    if jobs < 1 or not 1 <= bursts <= jobs:
        raise ValueError(f"need at least one job and 1..{jobs} bursts, not {bursts}")
    rng = random.Random(seed)
    mix = {p: PROFILE_MIX.get(p, 1.0) for p in profiles}
    kinds, priorities = _shuffled(mix, jobs, rng), _shuffled(PRIORITY_MIX, jobs, rng)
    _fit_priorities(kinds, priorities, allowed or {})
    planned = [
        PlannedJob(i, f"demo-{kind}-{i:03d}", kind, priority, _seconds(kind, duration_scale, rng))
        for i, (kind, priority) in enumerate(zip(kinds, priorities, strict=True))
    ]
    cuts = sorted(rng.sample(range(1, jobs), bursts - 1))
    bounds = list(zip([0, *cuts], [*cuts, jobs], strict=True))
    return [
        Burst(n, _burst_time(n, gap_seconds, rng), tuple(planned[start:end]))
        for n, (start, end) in enumerate(bounds)
    ]


def plan_steady(
    jobs: int,
    seed: int,
    span_seconds: float,
    tenant: str,
    first_index: int,
    profiles: Sequence[str] = PROFILES,
    duration_scale: float = 1.0,
    allowed: Mapping[str, Collection[str]] | None = None,
) -> list[Burst]:
    """A tenant's steady stream: `jobs` jobs mixed as `plan_workload` mixes them, one every
    span_seconds / jobs, numbered from `first_index` (so they do not share Idempotency-Keys)."""
    mixed = plan_workload(jobs, 1, seed, 0.0, profiles, duration_scale, allowed)[0].jobs
    every = span_seconds / jobs
    return [
        Burst(
            -1,
            round(n * every, 1),
            (
                replace(
                    job,
                    index=first_index + n,
                    name=f"demo-{tenant}-{job.profile}-{n:03d}",
                    tenant=tenant,
                ),
            ),
            steady=True,
        )
        for n, job in enumerate(mixed)
    ]


def _shuffled(weights: Mapping[str, float], total: int, rng: random.Random) -> list[str]:
    """`total` names in proportion to `weights` (largest remainder), in a random order."""
    whole = sum(weights.values())
    shares = {name: total * weight / whole for name, weight in weights.items()}
    counts = {name: int(share) for name, share in shares.items()}
    by_remainder = sorted(shares, key=lambda name: shares[name] - counts[name], reverse=True)
    for name in by_remainder[: total - sum(counts.values())]:
        counts[name] += 1
    names = [name for name, count in counts.items() for _ in range(count)]
    rng.shuffle(names)
    return names


def _fit_priorities(
    kinds: list[str], priorities: list[str], allowed: Mapping[str, Collection[str]]
) -> None:
    """Swap the profiles of two jobs where one's priority is not allowed by its profile (the
    mix stays as it was); where no swap fits, the profile's nearest allowed priority."""

    def fits(kind: str, priority: str) -> bool:
        return kind not in allowed or priority in allowed[kind]

    for i, (kind, priority) in enumerate(zip(kinds, priorities, strict=True)):
        if fits(kind, priority):
            continue
        swap = next(
            (
                j
                for j in range(len(kinds))
                if fits(kinds[j], priorities[i]) and fits(kind, priorities[j])
            ),
            None,
        )
        if swap is not None:
            kinds[i], kinds[swap] = kinds[swap], kinds[i]
        else:
            priorities[i] = _nearest(priority, allowed[kind])


def _nearest(priority: str, allowed: Collection[str]) -> str:
    rank = PRIORITIES.index(priority)
    return min(allowed, key=lambda p: (abs(PRIORITIES.index(p) - rank), PRIORITIES.index(p)))


def _seconds(profile: str, scale: float, rng: random.Random) -> float:
    low, high = STEP_SECONDS.get(profile, DEFAULT_STEP_SECONDS)
    return round(rng.uniform(low, high) * scale, 1)


def _burst_time(index: int, gap: float, rng: random.Random) -> float:
    return 0.0 if index == 0 else round(index * gap + rng.uniform(-0.25, 0.25) * gap, 1)


def placeholders(args: Sequence[str]) -> list[str]:
    """The placeholder names of a step template's args, in order, each once."""
    names = [m.group(1) for arg in args for m in _PLACEHOLDER.finditer(arg) if m.group(1)]
    return list(dict.fromkeys(names))


def duration_placeholder(args: Sequence[str]) -> str | None:
    """The placeholder the local driver would read as the step's run time, if one is."""
    names = placeholders(args)
    for name in names:
        text = " ".join(
            _render(arg, {n: _PROBE if n == name else "x" for n in names}) for arg in args
        )
        if any((m := p.search(text)) and m.group(1) == _PROBE for p in DRIVER_SLEEP):
            return name
    return DURATION_PARAMETER if DURATION_PARAMETER in names else None


def step_parameters(args: Sequence[str], seconds: float, today: date) -> dict[str, Any]:
    """Parameters for a template with `args`: the run time where the driver reads it, and a
    filler for every other placeholder."""
    duration = duration_placeholder(args)
    value: Any = int(seconds) if float(seconds).is_integer() else seconds
    filled: dict[str, Any] = {}
    for name in placeholders(args):
        if name == duration:
            filled[name] = value
        elif name == "date":
            filled[name] = today.isoformat()
        else:
            filled[name] = FILLERS.get(name, "demo")
    return filled


def _render(arg: str, values: Mapping[str, str]) -> str:
    def fill(match: re.Match[str]) -> str:
        return values[match.group(1)] if match.group(1) else match.group(0)[0]

    return _PLACEHOLDER.sub(fill, arg)
