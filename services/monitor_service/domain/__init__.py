"""The System Monitor's domain: audit records and queries, health, metrics read models, cost.

Pure: time is an argument (`at`, or epoch milliseconds), nothing reads the clock, the
environment or AWS. Every read model is fed AuditRecords and is the same whatever the order
they arrive in (see each module).
"""

from monitor_service.domain.audit_index import AuditIndex, AuditPage, AuditQuery
from monitor_service.domain.cluster_watch import Alarm, ClusterWatch
from monitor_service.domain.clusters import ClusterMetrics
from monitor_service.domain.cost import InstancePrice, PriceBook, share_costs
from monitor_service.domain.decisions import (
    AuditEntry,
    ClusterAlarm,
    ServiceHealth,
    SlaBreach,
)
from monitor_service.domain.errors import (
    AlreadyDecided,
    InvalidPolicy,
    InvalidQuery,
    MonitorError,
    PriceTableError,
)
from monitor_service.domain.health import HeartbeatPolicy, ServiceHealthBoard, Staleness
from monitor_service.domain.history import JobHistoryPage, JobRun, job_history
from monitor_service.domain.jobs import JobMetrics
from monitor_service.domain.policy import MonitorPolicy
from monitor_service.domain.pools import PoolLimits
from monitor_service.domain.records import PRIORITIES, AuditRecord, from_ms, to_ms
from monitor_service.domain.report import metrics_report
from monitor_service.domain.sla import DEFAULT_TARGETS, Breach, SlaTargets, SlaWatch

__all__ = [
    "DEFAULT_TARGETS",
    "PRIORITIES",
    "Alarm",
    "AlreadyDecided",
    "AuditEntry",
    "AuditIndex",
    "AuditPage",
    "AuditQuery",
    "AuditRecord",
    "Breach",
    "ClusterAlarm",
    "ClusterMetrics",
    "ClusterWatch",
    "HeartbeatPolicy",
    "InstancePrice",
    "InvalidPolicy",
    "InvalidQuery",
    "JobHistoryPage",
    "JobMetrics",
    "JobRun",
    "MonitorError",
    "MonitorPolicy",
    "PoolLimits",
    "PriceBook",
    "PriceTableError",
    "ServiceHealth",
    "ServiceHealthBoard",
    "SlaBreach",
    "SlaTargets",
    "SlaWatch",
    "Staleness",
    "from_ms",
    "job_history",
    "metrics_report",
    "share_costs",
    "to_ms",
]
