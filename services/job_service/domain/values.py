"""Plain values the job service's domain shares: priorities and job parameters."""

from collections.abc import Mapping
from typing import Final, Literal, get_args

Priority = Literal["critical", "high", "normal", "low"]
PRIORITIES: Final[tuple[Priority, ...]] = get_args(Priority)
"""Every priority, highest first; a priority's index is its rank (critical 0 .. low 3)."""
PRIORITY_RANK: Final[Mapping[str, int]] = {name: rank for rank, name in enumerate(PRIORITIES)}

JobType = Literal["training", "scoring", "predicting"]
JOB_TYPES: Final[tuple[JobType, ...]] = get_args(JobType)

ParameterValue = str | int | float | bool
Parameters = Mapping[str, ParameterValue]
