"""A metrics report in the Prometheus text exposition format (0.0.4), or as Samples to publish.

Every family gets its `# HELP` and `# TYPE` lines; each row of the report's section becomes one
sample (a summary row: one per quantile, plus `_sum` and `_count`), its string fields the labels.
`samples_of` gives the same figures to a MetricsPublisher (CloudWatch EMF on AWS).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final

from monitor_service.application.ports import Sample

QUANTILES: Final = (("p50", "0.5"), ("p95", "0.95"), ("p99", "0.99"))


@dataclass(frozen=True)
class Family:
    section: str
    name: str
    kind: str
    help: str

    def samples(self, row: Mapping[str, Any]) -> list[str]:
        labels = {key: value for key, value in row.items() if isinstance(value, str)}
        if self.kind != "summary":
            return [_sample(self.name, labels, row["value"])]
        lines = [
            _sample(self.name, labels | {"quantile": quantile}, row[field])
            for field, quantile in QUANTILES
            if field in row
        ]
        return [
            *lines,
            _sample(self.name + "_sum", labels, row["sum"]),
            _sample(self.name + "_count", labels, row["count"]),
        ]


FAMILIES: Final = (
    Family("queue_depth", "emrcp_queue_depth", "gauge", "Jobs waiting in their queue."),
    Family("wait_seconds", "emrcp_job_wait_seconds", "summary", "Acceptance to first start."),
    Family(
        "priority_wait_seconds",
        "emrcp_priority_wait_seconds",
        "summary",
        "Acceptance to first start, per priority class alone.",
    ),
    Family(
        "oldest_wait_seconds",
        "emrcp_oldest_wait_seconds",
        "gauge",
        "How long the longest-waiting job not started yet has waited, per priority.",
    ),
    Family("cycle_seconds", "emrcp_job_cycle_seconds", "summary", "Acceptance to terminal state."),
    Family(
        "jobs_finished_last_hour",
        "emrcp_jobs_finished_last_hour",
        "gauge",
        "Jobs that reached a terminal state in the hour before the report.",
    ),
    Family("jobs_finished", "emrcp_jobs_finished_total", "counter", "Jobs by terminal outcome."),
    Family("clusters", "emrcp_clusters", "gauge", "Clusters by state."),
    Family(
        "cluster_seconds",
        "emrcp_cluster_seconds_total",
        "counter",
        "Cluster time starting, idle and busy (a job holds a slot).",
    ),
    Family(
        "slot_utilization",
        "emrcp_slot_utilization_ratio",
        "gauge",
        "Slot time held by jobs over slot time of READY clusters, since the log began.",
    ),
    Family("slots", "emrcp_slots", "gauge", "Slots of READY clusters now, busy or free."),
    Family("pool_minimum", "emrcp_pool_minimum", "gauge", "Clusters a pool keeps at least."),
    Family("pool_maximum", "emrcp_pool_maximum", "gauge", "Clusters a pool holds at most."),
    Family(
        "pool_idle_ttl_seconds",
        "emrcp_pool_idle_ttl_seconds",
        "gauge",
        "How long a cluster above the minimum may stay idle.",
    ),
    Family(
        "pool_effective_minimum",
        "emrcp_pool_effective_minimum",
        "gauge",
        "Clusters a pool keeps at least now: the larger of its minimum and its schedule's hour.",
    ),
    Family(
        "pool_scheduled",
        "emrcp_pool_scheduled",
        "gauge",
        "1 while the pool keeps a MINIMUM schedule.",
    ),
    Family(
        "orphan_stacks_found",
        "emrcp_orphan_stacks_found_total",
        "counter",
        "Stacks tagged with a pool that no cluster owns, as the cluster service found them.",
    ),
    Family(
        "cluster_hourly_dollars",
        "emrcp_cluster_hourly_dollars",
        "gauge",
        "Price of one cluster of the profile per hour (EC2 on-demand plus EMR).",
    ),
    Family("cost_dollars", "emrcp_cost_dollars_total", "counter", "Cluster cost per profile."),
    Family(
        "tenant_cost_dollars",
        "emrcp_tenant_cost_dollars_total",
        "counter",
        "Cost per tenant: direct (busy time of its jobs) and shared (idle and start-up).",
    ),
    Family(
        "unallocated_cost_dollars",
        "emrcp_unallocated_cost_dollars_total",
        "counter",
        "Idle and start-up cost of hours in which no tenant used the profile.",
    ),
    Family(
        "unpriced_profile",
        "emrcp_unpriced_profile",
        "gauge",
        "A profile with cluster time but no price in the price table.",
    ),
    Family(
        "sla_target_seconds",
        "emrcp_sla_target_seconds",
        "gauge",
        "Longest wait from acceptance to start, per priority.",
    ),
    Family("sla_breaches", "emrcp_sla_breaches_total", "counter", "Jobs that waited past target."),
    Family("service_up", "emrcp_service_up", "gauge", "1 while the service's heartbeats arrive."),
    Family(
        "dead_letter_messages",
        "emrcp_dead_letter_messages",
        "gauge",
        "Messages a consumer gave up on, in its queue's dead-letter queue (read from SQS).",
    ),
)


def samples_of(report: Mapping[str, Any]) -> list[Sample]:
    """The figures of `to_prometheus`, one Sample each; a summary's quantiles are named
    `<name>_p50`, `_p95`, `_p99`, beside `_sum` and `_count`."""
    found: list[Sample] = []
    for family in FAMILIES:
        for row in report.get(family.section, ()):
            labels = tuple((k, v) for k, v in row.items() if isinstance(v, str))
            values = (
                {"": row["value"]}
                if family.kind != "summary"
                else {
                    f"_{field}": row[field]
                    for field in ("p50", "p95", "p99", "sum", "count")
                    if field in row
                }
            )
            found += [Sample(family.name + end, labels, v) for end, v in values.items()]
    return found


def to_prometheus(report: Mapping[str, Any]) -> str:
    lines: list[str] = []
    for family in FAMILIES:
        lines += [f"# HELP {family.name} {family.help}", f"# TYPE {family.name} {family.kind}"]
        for row in report.get(family.section, ()):
            lines += family.samples(row)
    return "\n".join(lines) + "\n"


def _sample(name: str, labels: Mapping[str, str], value: float) -> str:
    pairs = ",".join(f'{key}="{_escape(text)}"' for key, text in labels.items())
    return f"{name}{{{pairs}}} {_number(value)}" if pairs else f"{name} {_number(value)}"


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


def _number(value: float) -> str:
    return str(value) if isinstance(value, int) else repr(float(value))
