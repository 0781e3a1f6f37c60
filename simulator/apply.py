"""`plan --apply URL`: the recommended limits sent to a running cluster API: one
`PUT /pools/{profile}` each (`minimum`, `maximum`, `idle_ttl_seconds`), then, for a profile with
a MINIMUM schedule, `PUT /pools/{profile}/schedule` with its 168 values in UTC (the log's week is
counted from its UTC start time: `workload.hour_of_week`), and for one without,
`DELETE /pools/{profile}/schedule`, so an older schedule does not outlive the plan."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections.abc import Iterator, Mapping
from typing import Any, Final

SCHEDULE_TIME_ZONE: Final = "UTC"


class ApplyError(RuntimeError):
    """The cluster API refused a change or could not be reached."""


def apply_settings(
    base_url: str, api_key: str, recommended: Mapping[str, Mapping[str, Any]], timeout: float = 10
) -> Iterator[str]:
    """PUT each profile's limits and schedule; a line per profile changed; ApplyError on the
    first failure (the limits go first: a schedule above the old MAXIMUM would be refused)."""
    base = base_url.rstrip("/")
    for profile, settings in recommended.items():
        body = {k: settings[k] for k in ("minimum", "maximum", "idle_ttl_seconds")}
        _send(base, api_key, "PUT", f"/pools/{profile}", body, timeout)
        schedule = settings.get("schedule")
        if schedule:
            sent = {"time_zone": SCHEDULE_TIME_ZONE, "minimum": list(schedule)}
            _send(base, api_key, "PUT", f"/pools/{profile}/schedule", sent, timeout)
            note = f" and a MINIMUM schedule ({SCHEDULE_TIME_ZONE}, peak {max(schedule)})"
        else:
            _send(base, api_key, "DELETE", f"/pools/{profile}/schedule", None, timeout)
            note = ", no MINIMUM schedule"
        yield f"applied {profile}: {json.dumps(body)}{note}"


def _send(base: str, api_key: str, method: str, path: str, body: object, timeout: float) -> None:
    request = urllib.request.Request(
        base + path,
        data=None if body is None else json.dumps(body).encode(),
        method=method,
        headers={"Content-Type": "application/json", "X-Api-Key": api_key},
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            response.read()
    except urllib.error.HTTPError as error:
        detail = error.read().decode(errors="replace")[:300]
        raise ApplyError(f"{method} {path}: HTTP {error.code} {detail}") from error
    except (urllib.error.URLError, OSError) as error:
        reason = getattr(error, "reason", error)
        raise ApplyError(f"cannot reach the cluster API at {base}: {reason}") from error
