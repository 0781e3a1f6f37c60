"""How fast the local EMR and CloudFormation move, and how often they fail."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from typing import Any

FAILURES_VARIABLE = "LOCAL_AWS_FAILURES"
TIMINGS_VARIABLE = "LOCAL_AWS_TIMINGS"

_NUMBER = r"(\d+(?:\.\d+)?)"
_SLEEP = (re.compile(rf"--sleep-seconds(?:=|\s+){_NUMBER}"), re.compile(rf"\bsleep\s+{_NUMBER}"))
_EXIT = (re.compile(r"--exit-code(?:=|\s+)(\d+)"), re.compile(r"\bexit\s+(\d+)"))


@dataclass(frozen=True)
class DriverTimings:
    """Seconds each transition takes; the defaults make a local demo last a minute or two."""

    stack_create: float = 1.0
    """CREATE_IN_PROGRESS until CloudFormation starts the stack's cluster (or completes)."""
    cluster_starting: float = 2.0
    cluster_bootstrapping: float = 2.0
    step_pending: float = 0.5
    """A step's least time in PENDING after it was added."""
    step_run: float = 3.0
    """A step's run time unless its args ask for one (`--sleep-seconds=N`, `sleep N`)."""
    cluster_terminating: float = 1.0
    stack_delete: float = 1.0
    """DELETE_ or ROLLBACK_IN_PROGRESS at least this long, and until the stack's clusters end."""

    @classmethod
    def realistic(cls) -> DriverTimings:
        """EMR-like minutes: a cluster takes about eight minutes to be ready."""
        return cls(
            stack_create=60.0,
            cluster_starting=300.0,
            cluster_bootstrapping=120.0,
            step_pending=10.0,
            step_run=300.0,
            cluster_terminating=60.0,
            stack_delete=30.0,
        )

    @classmethod
    def from_env(cls, environ: Mapping[str, str]) -> DriverTimings:
        """LOCAL_AWS_TIMINGS: 'fast' (default), 'realistic', then optional 'field=seconds' items."""
        items = _items(environ.get(TIMINGS_VARIABLE, ""))
        base = cls.realistic() if items and items[0] == "realistic" else cls()
        overrides = dict(_pair(item, TIMINGS_VARIABLE) for item in items if "=" in item)
        names = {field.name for field in fields(cls)}
        unknown = set(overrides) - names
        if unknown:
            raise ValueError(f"{TIMINGS_VARIABLE}: unknown timings {sorted(unknown)}")
        return replace(base, **{k: _seconds(k, v) for k, v in overrides.items()})


@dataclass(frozen=True)
class FailureRates:
    """Chances of injected failures, from LOCAL_AWS_FAILURES='stack_create=0.1,step=0.2,seed=7'.

    stack_create: a new stack's cluster fails to start and the stack rolls back;
    step: a step fails at the end of its run;
    cluster: the cluster is lost (INSTANCE_FAILURE) at the end of a step's run.
    """

    stack_create: float = 0.0
    step: float = 0.0
    cluster: float = 0.0
    seed: int | None = None

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None) -> FailureRates:
        """Parse LOCAL_AWS_FAILURES from an environment-like mapping (absent: no failures)."""
        raw = (environ or {}).get(FAILURES_VARIABLE, "")
        values: dict[str, Any] = {}
        for key, value in (_pair(item, FAILURES_VARIABLE) for item in _items(raw)):
            if key == "seed":
                values[key] = int(value)
            elif key in ("stack_create", "step", "cluster"):
                values[key] = _rate(key, value)
            else:
                raise ValueError(f"{FAILURES_VARIABLE}: unknown failure kind {key!r}")
        return cls(**values)


@dataclass(frozen=True)
class StepRequest:
    """What a step's args ask of the local driver: how long to run, and whether to fail."""

    seconds: float | None
    exit_code: int


def step_request(args: list[str]) -> StepRequest:
    """Read `--sleep-seconds=N` / `sleep N` and `--exit-code=N` / `exit N` from a step's args."""
    text = " ".join(str(arg) for arg in args)
    seconds = _first(_SLEEP, text)
    code = _first(_EXIT, text)
    return StepRequest(
        seconds=float(seconds) if seconds is not None else None,
        exit_code=int(code) if code is not None else 0,
    )


def _first(patterns: tuple[re.Pattern[str], ...], text: str) -> str | None:
    """The first group of the first pattern that matches."""
    for pattern in patterns:
        match = pattern.search(text)
        if match:
            return match.group(1)
    return None


def _items(raw: str) -> list[str]:
    """Comma- or semicolon-separated items, blanks dropped."""
    return [item.strip() for item in re.split(r"[,;]", raw) if item.strip()]


def _pair(item: str, variable: str) -> tuple[str, str]:
    """Split 'key=value', naming the variable when it is malformed."""
    key, sep, value = item.partition("=")
    if not sep:
        raise ValueError(f"{variable}: expected key=value, got {item!r}")
    return key.strip(), value.strip()


def _rate(key: str, value: str) -> float:
    """A probability in [0, 1]."""
    rate = float(value)
    if not 0.0 <= rate <= 1.0:
        raise ValueError(f"{FAILURES_VARIABLE}: {key}={value} is not a rate between 0 and 1")
    return rate


def _seconds(key: str, value: str) -> float:
    """A non-negative number of seconds."""
    seconds = float(value)
    if seconds < 0:
        raise ValueError(f"{TIMINGS_VARIABLE}: {key}={value} is negative")
    return seconds
