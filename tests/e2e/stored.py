"""The integration events a service has stored, read from its table in the runner's emulator.

Each stored event is translated as the service's relay translates it, so these are the events
the service published on the bus, in the order it stored them.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from events.schemas import IntegrationEvent
from events.schemas.base import derived_event_id

PAGE = 500


def stored_events(endpoint_url: str, service: str) -> list[IntegrationEvent]:
    """Every integration event of the job or cluster service's event store, oldest first."""
    built = _bootstrap(endpoint_url, service)
    try:
        found: list[IntegrationEvent] = []
        start = 1
        while page := built.app.recorder.select_notifications(start=start, limit=PAGE):
            for notification in page:
                event_id = derived_event_id(
                    service, str(notification.originator_id), notification.originator_version
                )
                event = built.translate(notification, event_id)
                if event is not None:
                    found.append(event)
            start = page[-1].id + 1
        return found
    finally:
        built.app.close()


def _bootstrap(endpoint_url: str, service: str) -> Any:
    if service == "job-service":
        from job_service.bootstrap import JobServiceSettings, bootstrap

        return bootstrap(JobServiceSettings("job-service-events", endpoint_url=endpoint_url))
    from cluster_service.bootstrap import ClusterServiceSettings
    from cluster_service.bootstrap import bootstrap as cluster_bootstrap

    settings = ClusterServiceSettings("cluster-service-events", endpoint_url=endpoint_url)
    return cluster_bootstrap(settings)


def live_clusters(events: list[IntegrationEvent]) -> tuple[dict[str, int], dict[str, int]]:
    """Per cluster profile, from ClusterRequested, ClusterFailed and ClusterTerminated: the most
    clusters that counted towards MAXIMUM at once, and how many count now."""
    live: Counter[str] = Counter()
    peak: Counter[str] = Counter()
    ended: set[str] = set()
    for event in events:
        fields = event.model_dump()
        profile, cluster = fields.get("cluster_profile"), fields.get("cluster_id")
        if event.detail_type == "ClusterRequested":
            live[profile] += 1
            peak[profile] = max(peak[profile], live[profile])
        elif event.detail_type in ("ClusterFailed", "ClusterTerminated") and cluster not in ended:
            ended.add(cluster)
            live[profile] -= 1
    return dict(peak), dict(live)
