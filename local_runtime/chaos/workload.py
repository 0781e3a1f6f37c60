"""The chaos run's workload: jobs across tenants, profiles and priorities, some cancelled.

A client that does what a careful user's client does: each job carries an Idempotency-Key, and a
submission whose answer did not arrive (connection refused or reset, a 5xx, a timeout: the job
service was being killed) is sent again with the same key until an answer comes. A job counts
as accepted when a 202 names it.
"""

from __future__ import annotations

import json
import random
import threading
import time
import urllib.error
import urllib.request
import uuid
from dataclasses import dataclass, field
from typing import Any

from local_runtime.harness.platform import ACME_KEY, DEMO_KEY, HttpError, Platform, call

PROFILES = ("scoring", "predicting", "training")
PRIORITIES = ("critical", "high", "normal", "low")
PARAMETERS: dict[str, dict[str, Any]] = {
    "scoring": {"date": "2026-11-24"},
    "predicting": {"input": "s3://chaos/in.csv"},
    "training": {"dataset": "s3://chaos/train"},
}
RETRY_SECONDS = 120.0
"""How long a submission or cancellation is retried before it is given up."""


@dataclass
class Accepted:
    job_id: str
    key: str
    profile: str
    priority: str


@dataclass
class Workload:
    """Submits `jobs` jobs at `per_second`, cancelling a share of them a little later."""

    platform: Platform
    jobs: int
    per_second: float
    cancel_share: float
    rng: random.Random
    accepted: dict[str, Accepted] = field(default_factory=dict)
    refused: list[str] = field(default_factory=list)
    cancel_requested: set[str] = field(default_factory=set)
    resubmissions: int = 0

    def run(self, stop: threading.Event) -> None:
        """Submit everything (cancelling as it goes), unless `stop` is set first."""
        cancels: list[tuple[float, Accepted]] = []
        for index in range(self.jobs):
            if stop.wait(self.rng.expovariate(self.per_second)):
                return
            job = self._submit(index)
            if job is not None and self.rng.random() < self.cancel_share:
                cancels.append((time.monotonic() + self.rng.uniform(0, 8), job))
            due = [c for c in cancels if c[0] <= time.monotonic()]
            for entry in due:
                cancels.remove(entry)
                self._cancel(entry[1])
        for when, job in sorted(cancels, key=lambda c: c[0]):
            if stop.wait(max(0.0, when - time.monotonic())):
                return
            self._cancel(job)

    def _submit(self, index: int) -> Accepted | None:
        key = self.rng.choice((DEMO_KEY, ACME_KEY))
        profile = self.rng.choice(PROFILES)
        priority = self.rng.choice(PRIORITIES[1:] if profile == "training" else PRIORITIES)
        body = {
            "profile": profile,
            "name": f"chaos {index}",
            "priority": priority,
            "parameters": {**PARAMETERS[profile], "duration": round(self.rng.uniform(0.5, 3), 1)},
        }
        idempotency = str(uuid.UUID(int=self.rng.getrandbits(128)))
        answer = self._retrying(
            lambda: _post(self.platform.url("job") + "/jobs", key, body, idempotency)
        )
        if answer is None or "job_id" not in answer:
            self.refused.append(json.dumps(answer)[:200])
            return None
        job = Accepted(str(answer["job_id"]), key, profile, priority)
        self.accepted[job.job_id] = job
        return job

    def _cancel(self, job: Accepted) -> None:
        url = f"{self.platform.url('job')}/jobs/{job.job_id}"
        answer = self._retrying(lambda: call("DELETE", url, job.key))
        if answer is not None:
            self.cancel_requested.add(job.job_id)

    def _retrying(self, send: Any) -> Any:
        """`send()` until an answer (a 4xx is one: returned as {"error": ...}); None if never."""
        deadline = time.monotonic() + RETRY_SECONDS
        pause = 0.2
        while time.monotonic() < deadline:
            try:
                return send()
            except HttpError as error:
                if error.status < 500:
                    return {"error": str(error), "status": error.status}
            except (OSError, ValueError):
                pass
            self.resubmissions += 1
            time.sleep(pause * self.rng.uniform(0.5, 1.5))
            pause = min(pause * 2, 3.0)
        return None


def _post(url: str, key: str, body: Any, idempotency: str) -> Any:
    """POST /jobs with an Idempotency-Key; the decoded answer, HttpError for a 4xx/5xx."""
    request = urllib.request.Request(url, data=json.dumps(body).encode(), method="POST")
    request.add_header("X-Api-Key", key)
    request.add_header("Content-Type", "application/json")
    request.add_header("Idempotency-Key", idempotency)
    try:
        with urllib.request.urlopen(request, timeout=20) as response:
            return json.loads(response.read() or b"null")
    except urllib.error.HTTPError as error:
        raise HttpError(error.code, error.read().decode(errors="replace")) from None
