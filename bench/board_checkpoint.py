"""The job service's cold start: its dispatch board from the whole log, or from a checkpoint.

One in-memory service writes a log of jobs that run to the end (submitted, queued, allocated,
started, succeeded, with the cluster's Dispatched events), leaving some queued; a checkpoint is
taken near the end of it and a few more jobs come after. The board is then built cold both ways,
side by side on the same log: the figures are this machine's decoding and applying, without
DynamoDB's reads (one Query per 500 notifications on AWS), which the checkpoint saves too.
"""

from __future__ import annotations

import json
import time
import zlib
from datetime import UTC, datetime, timedelta
from typing import Final

from bench.report import Report
from job_service.adapters import FakeStepRunner
from job_service.application import JobsApplication
from job_service.bootstrap import JobServiceSettings, bootstrap
from job_service.domain import ProfileTerms, StepTemplate

NOTIFICATIONS: Final = 20_000
SLOTS: Final = 50
WAITING: Final = 1_000
"""Jobs left queued at the end: the open jobs a checkpoint holds."""
AFTER_CHECKPOINT: Final = 10
"""Jobs submitted after the checkpoint: the log a cold start still reads."""
T0: Final = datetime(2024, 1, 1, tzinfo=UTC)
PROFILE: Final = "train-xgb"
CLUSTER_PROFILE: Final = "spark-small"
TERMS: Final = ProfileTerms(
    job_type="training",
    cluster_profile=CLUSTER_PROFILE,
    step_template=StepTemplate("spark", ("s3://bucket/train.py", "--date", "{date}")),
    max_attempts=3,
    timeout_seconds=600,
)


def _service() -> JobsApplication:
    settings = JobServiceSettings("unused", persistence_module="backbone.eventstore.memory")
    app = bootstrap(settings, step_runner=FakeStepRunner()).app
    app.create_profile(PROFILE, TERMS, at=T0)
    app.cluster_ready("c-1", CLUSTER_PROFILE, "j-CLUSTER1", SLOTS, at=T0)
    return app


def _write_log(app: JobsApplication, notifications: int) -> datetime:
    """Rounds of SLOTS jobs that run and succeed, then WAITING jobs that stay queued."""
    at = T0
    while (app.recorder.max_notification_id() or 0) < notifications - 2 * WAITING:
        at += timedelta(seconds=60)
        for n in range(SLOTS):
            app.submit("tenant-1", PROFILE, f"job-{n}", {"date": "d"}, at=at)
        app.cluster_idle("c-1", SLOTS, at=at)
        for job_id in app.current_board().holders("c-1"):
            step_id = app.current_board().jobs[job_id].step_id or ""
            app.step_changed(step_id, "COMPLETED", at=at + timedelta(seconds=30))
    for n in range(WAITING):
        app.submit("tenant-1", PROFILE, f"waiting-{n}", {"date": "d"}, at=at)
    return at


def _cold_build_ms(app: JobsApplication, *, from_checkpoint: bool, runs: int = 3) -> float:
    """The best of `runs` cold builds of the board, in milliseconds."""
    best = float("inf")
    for _ in range(runs):
        began = time.perf_counter()
        app.rebuild_board(from_checkpoint=from_checkpoint)
        best = min(best, time.perf_counter() - began)
    return best * 1000


def run(report: Report, notifications: int = NOTIFICATIONS) -> None:
    app = _service()
    at = _write_log(app, notifications)
    manifest = app.board.checkpoints.save(app.current_board().checkpoint())
    for n in range(AFTER_CHECKPOINT):
        app.submit("tenant-1", PROFILE, f"late-{n}", {"date": "d"}, at=at)
    total = app.recorder.max_notification_id() or 0
    whole = f"cold board build (ms), whole log of {total:,} [in-memory]"
    restored = f"cold board build (ms), checkpoint + {total - manifest.position} [in-memory]"
    report.add("job service", whole, _cold_build_ms(app, from_checkpoint=False))
    report.add("job service", restored, _cold_build_ms(app, from_checkpoint=True))
    report.ratio(
        "job service", "cold board build, whole log / from checkpoint (x)", whole, restored
    )
    state = json.dumps(app.current_board().checkpoint(), separators=(",", ":")).encode()
    report.add("job service", "open jobs on the board", len(app.current_board().jobs))
    report.add("job service", "checkpoint size (KB, zlib)", len(zlib.compress(state)) / 1024)


if __name__ == "__main__":
    run(Report())
