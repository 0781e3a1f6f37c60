"""`plan --apply URL`: the recommended limits sent to a running cluster API, one
`PUT /pools/{profile}` each (`minimum`, `maximum`, `idle_ttl_seconds`). A MINIMUM schedule is
not sent: the cluster service does not keep schedules yet (it is reported in the JSON)."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections.abc import Iterator, Mapping
from typing import Any


class ApplyError(RuntimeError):
    """The cluster API refused a change or could not be reached."""


def apply_settings(
    base_url: str, api_key: str, recommended: Mapping[str, Mapping[str, Any]], timeout: float = 10
) -> Iterator[str]:
    """PUT each profile's limits; a line per profile changed; ApplyError on the first failure."""
    for profile, settings in recommended.items():
        body = {k: settings[k] for k in ("minimum", "maximum", "idle_ttl_seconds")}
        request = urllib.request.Request(
            f"{base_url.rstrip('/')}/pools/{profile}",
            data=json.dumps(body).encode(),
            method="PUT",
            headers={"Content-Type": "application/json", "X-Api-Key": api_key},
        )
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:
                response.read()
        except urllib.error.HTTPError as error:
            detail = error.read().decode(errors="replace")[:300]
            raise ApplyError(f"PUT /pools/{profile}: HTTP {error.code} {detail}") from error
        except (urllib.error.URLError, OSError) as error:
            reason = getattr(error, "reason", error)
            raise ApplyError(f"cannot reach the cluster API at {base_url}: {reason}") from error
        schedule = (
            " (schedule not sent: not kept by the service yet)" if settings.get("schedule") else ""
        )
        yield f"applied {profile}: {json.dumps(body)}{schedule}"
