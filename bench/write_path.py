"""`make bench`'s write-path section: counted transactions per job, and the model's ceilings.

Counted (bench/write_counts.py): the same jobs run twice through the three services on the
emulator, once with every consumer saving one message at a time (the design before batched
saves) and once as the services are built today (the monitor saves each SQS batch in as few
transactions as it can). Modelled (bench/write_model.py): each service's table on DynamoDB,
fed with the transaction shapes of the first run (one per message that saved; the batched
consumer joins a batch's in the model as it does in the code), for both designs, and for the
current design with the notification log spread over more independent logs per table (what
sharding the counter would give; not built). docs/architecture.md, "The write ceiling", explains
the figures.
"""

from __future__ import annotations

from typing import Final

from bench import write_counts, write_model
from bench.report import Report
from bench.write_counts import SERVICES, Counted
from bench.write_model import Assumptions, Outcome, ServiceLoad
from local_runtime.emulator import Emulator

SECTION: Final = "write path"
OFFERED: Final = (1.0, 5.0, 10.0, 20.0, 50.0, 100.0)
"""Offered loads (jobs/s) the current design is shown at."""
LOGS: Final = (4, 16)
"""Independent logs per table for the what-if figures."""
DESIGNS: Final = {"one save per message": False, "batched saves": True}
"""Design -> whether the monitor's consumer saves batches (the others save each message)."""
BATCHING: Final = frozenset({"monitor"})


def run(report: Report, emulator: Emulator) -> None:
    counted = {
        label: write_counts.count(emulator, batched=batched) for label, batched in DESIGNS.items()
    }
    _counts(report, counted)
    a = Assumptions()
    print("  model (bench/write_model.py; docs/architecture.md, 'The write ceiling'):")
    for line in a.describe():
        print(f"    - {line}")
    before = counted["one save per message"]
    platform: dict[str, float] = {}
    for label, batched in DESIGNS.items():
        loads = _loads(before, counted[label], batched)
        platform[label] = _design(report, label, loads, a)
    for logs in LOGS:
        loads = _loads(before, counted["batched saves"], True)
        sharded = Assumptions(logs=logs)
        outcomes = [write_model.sustained(load, sharded) for load in loads]
        each = ", ".join(f"{o.service} {o.offered_jobs_per_s:.1f}" for o in outcomes)
        print(f"  batched saves and {logs} logs per table (not built): sustained jobs/s {each}")
        figure = min(o.offered_jobs_per_s for o in outcomes)
        name = f"platform sustained jobs/s, {logs} logs per table [model, not built]"
        report.add(SECTION, name, figure)
    _against_offered(_loads(before, counted["batched saves"], True), a)
    report.add(SECTION, "platform sustained jobs/s [model]", platform["batched saves"])


def _counts(report: Report, counted: dict[str, Counted]) -> None:
    """Transactions per job per service, both designs side by side."""
    labels = list(counted)
    first = counted[labels[0]]
    print(
        f"  counted on the emulator: {first.jobs} jobs, two pools, "
        f"{first.virtual_seconds:.0f} virtual seconds, {first.ticks} Ticks; jobs ended "
        f"{dict(first.job_states)}"
    )
    print(f"    {'TransactWriteItems per job':<34}" + "".join(f"{x:>24}" for x in labels))
    for service in SERVICES:
        row = "".join(f"{c.per_job(service):>24.2f}" for c in counted.values())
        print(f"    {service + ' service':<34}{row}")
    total = "".join(f"{sum(c.per_job(s) for s in SERVICES):>24.2f}" for c in counted.values())
    print(f"    {'platform':<34}{total}")
    for label, c in counted.items():
        for service in SERVICES:
            name = f"transactions per job, {service} service [counted, {label}]"
            report.add(SECTION, name, c.per_job(service))
    for service in SERVICES:
        ticks = counted[labels[-1]].services[service].requests["tick"]["TransactWriteItems"]
        per_tick = ticks / max(first.ticks, 1)
        print(f"    {service} service: {per_tick:.1f} transactions per Tick (heartbeat, checks)")


def _loads(before: Counted, current: Counted, batched: bool) -> list[ServiceLoad]:
    """Each service's load for the model: per-message shapes from the unbatched run, the hot
    reads of the run of the design modelled."""
    loads = []
    for service in SERVICES:
        shapes = before.services[service].shapes
        loads.append(
            ServiceLoad(
                name=service,
                jobs=before.jobs,
                api=shapes["api"],
                consume=shapes["consume"],
                hot_reads_per_job=current.hot_reads_per_job(service),
                batched=batched and service in BATCHING,
            )
        )
    return loads


def _design(report: Report, label: str, loads: list[ServiceLoad], a: Assumptions) -> float:
    """Each service's sustained load and the platform's (the least): reported, returned."""
    print(f"  {label}:")
    outcomes: list[Outcome] = []
    for load in loads:
        outcome = write_model.sustained(load, a)
        outcomes.append(outcome)
        print(
            f"    {load.name + ' service':<18} sustained {outcome.offered_jobs_per_s:7.1f} jobs/s; "
            f"there: conflict rate {outcome.conflict_rate:.2f}, p99 save "
            f"{outcome.p99_s * 1000:6.0f} ms"
            + (f", p99 acceptance {outcome.api_p99_s * 1000:.0f} ms" if load.api else "")
        )
        name = f"{load.name} service sustained jobs/s, {label} [model]"
        report.add(SECTION, name, outcome.offered_jobs_per_s)
    figure = min(o.offered_jobs_per_s for o in outcomes)
    report.add(SECTION, f"platform sustained jobs/s, {label} [model]", figure)
    return figure


def _against_offered(loads: list[ServiceLoad], a: Assumptions) -> None:
    """The current design at each offered load: jobs/s committed, conflicts, p99."""
    print("  current design against offered load (jobs/s committed / conflict rate / p99 save):")
    print(f"    {'offered jobs/s':<18}" + "".join(f"{x:>22.0f}" for x in OFFERED))
    for load in loads:
        cells = []
        for offered in OFFERED:
            o = write_model.simulate(load, offered, a)
            cells.append(f"{o.jobs_done:.0f} / {o.conflict_rate:.2f} / {o.p99_s * 1000:.0f}ms")
        print(f"    {load.name + ' service':<18}" + "".join(f"{c:>22}" for c in cells))
