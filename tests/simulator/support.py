"""Small workloads and a scenario whose timings are fixed, so figures can be checked by hand."""

from __future__ import annotations

from dataclasses import replace

from simulator.scenario import PoolSettings, ProfileSpec, Scenario, StartupModel
from simulator.workload import SimJob

FIXED = StartupModel(
    stack_low_s=60,
    stack_high_s=60,
    to_waiting_low_s=600,
    to_waiting_high_s=600,
    bootstrap_share=0.3,
    terminate_low_s=120,
    terminate_high_s=120,
    step_overhead_s=10,
)
"""Every cluster WAITING 600 s after CreateStack, TERMINATED 120 s after DeleteStack."""


def scenario(
    minimum: int = 1, maximum: int = 2, ttl: int = 600, slots: int = 2, price: float = 3.6
) -> Scenario:
    """One profile `p` of `slots` slots at `price` $/h (3.6 $/h = 0.001 $/s)."""
    return replace(
        Scenario(),
        profiles=(ProfileSpec("p", slots, price),),
        pools={"p": PoolSettings(minimum, maximum, ttl)},
        startup=FIXED,
        sla={"critical": 120.0},
        bus_latency_s=0.5,
    )


def jobs(*specs: tuple[float, float], priority: str = "critical") -> list[SimJob]:
    """(submit s, run s) pairs → jobs of profile `p`, tenant t1 (every second one t2)."""
    return [
        SimJob(i, submit, run, "p", priority, "t1" if i % 2 == 0 else "t2")
        for i, (submit, run) in enumerate(specs)
    ]
