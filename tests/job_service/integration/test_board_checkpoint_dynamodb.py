"""Board checkpoints in the service's DynamoDB table, on the emulator: chunked, written
manifest-last, ignored when unreadable, and read so that a cold start reads little of the log."""

from __future__ import annotations

import base64
import logging
import os
from collections.abc import Sequence
from typing import Any

import pytest
from eventsourcing.persistence import Notification, StoredEvent

from job_service.api.runtime import Api
from job_service.api.settings import ApiSettings
from job_service.application import DispatchBoard
from job_service.application.checkpoint import (
    MANIFEST_ID,
    MANIFEST_TOPIC,
    PURPOSE,
    BoardCheckpoints,
    Manifest,
)
from job_service.bootstrap import JobService, JobServiceSettings, bootstrap
from local_runtime.emulator import Emulator
from tests.job_service.application_support import PROFILE, profile_terms

pytestmark = pytest.mark.emulator
TENANT = "tenant-1"
PRIORITIES = ("low", "critical", "normal", "high")


def cold_start(emulator: Emulator, table: str) -> JobService:
    """One process of the job service on the table (a cold start: no board yet)."""
    settings = JobServiceSettings.from_env(
        {"JOB_SERVICE_TABLE": table, "AWS_ENDPOINT_URL": emulator.endpoint_url}
    )
    return bootstrap(settings)


@pytest.fixture
def service(emulator: Emulator, table: str) -> JobService:
    service = cold_start(emulator, table)
    service.app.create_profile(PROFILE, profile_terms(), at=service.clock())
    return service


def submit(service: JobService, jobs: int) -> None:
    for n in range(jobs):
        service.app.submit(
            TENANT,
            PROFILE,
            f"job-{n}",
            {"date": "d"},
            at=service.clock(),
            priority=PRIORITIES[n % 4],
        )


def small_chunks(service: JobService, chunk_bytes: int = 256) -> BoardCheckpoints:
    """Checkpoints of the service's table cut in tiny chunks, two per transaction."""
    recorder = service.app.factory.aggregate_recorder(PURPOSE)
    return BoardCheckpoints(recorder, chunk_bytes=chunk_bytes, chunks_per_write=2)


def reads_of(service: JobService, monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The ids of the notifications the service reads from now on, as it reads them."""
    read: list[int] = []
    recorder = service.app.recorder
    select = recorder.select_notifications

    def counting(
        start: int | None, limit: int, *args: Any, **kwargs: Any
    ) -> Sequence[Notification]:
        page = select(start, limit, *args, **kwargs)
        read.extend(notification.id for notification in page)
        return page

    monkeypatch.setattr(recorder, "select_notifications", counting)
    return read


def whole_log(service: JobService) -> dict[str, Any]:
    return service.app.rebuild_board().checkpoint()


def test_a_board_bigger_than_a_chunk_round_trips_without_a_notification(
    service: JobService,
) -> None:
    # Given a board of 12 queued jobs
    submit(service, 12)
    state = service.app.current_board().checkpoint()
    last = service.app.recorder.max_notification_id()
    # When it is stored in chunks of 256 bytes
    manifest = small_chunks(service).save(state)
    # Then it took several chunks, it reads back as it was, and the log did not grow
    assert manifest.chunks > 3
    assert small_chunks(service).load() == state
    assert service.app.recorder.max_notification_id() == last


def test_full_size_chunks_fit_dynamodb_items(service: JobService) -> None:
    # Given a state that compresses to about 1 MB (random text barely compresses)
    state = {"position": 1, "filler": base64.b64encode(os.urandom(800_000)).decode()}
    checkpoints = service.app.board.checkpoints
    # When it is stored in chunks of the default size
    manifest = checkpoints.save(state)
    # Then it took several items under DynamoDB's 400 KB, and reads back whole
    assert manifest.chunks >= 3
    assert checkpoints.load() == state


def test_a_crash_before_the_manifest_leaves_the_previous_checkpoint(
    service: JobService, emulator: Emulator, table: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given a checkpoint, then more jobs
    submit(service, 4)
    before = service.app.current_board().checkpoint()
    small_chunks(service).save(before)
    submit(service, 4)
    # When a writer dies after its chunks, before its manifest
    dying = small_chunks(service)

    def die(manifest: Manifest) -> None:
        raise RuntimeError("the process died")

    monkeypatch.setattr(dying, "_write_manifest", die)
    with pytest.raises(RuntimeError):
        dying.save(service.app.current_board().checkpoint())
    # Then the previous checkpoint is the one read, and a cold start still sees every job
    assert small_chunks(service).load() == before
    cold = cold_start(emulator, table)
    assert cold.app.current_board().checkpoint() == whole_log(service)
    assert len(cold.app.current_board().jobs) == 8


@pytest.mark.parametrize("damage", ["bad sum", "unknown manifest", "unknown board"])
def test_an_unreadable_checkpoint_falls_back_to_the_whole_log(
    service: JobService,
    emulator: Emulator,
    table: str,
    damage: str,
    caplog: pytest.LogCaptureFixture,
) -> None:
    # Given jobs, and a newest checkpoint that cannot be used
    submit(service, 5)
    board = service.app.current_board()
    checkpoints = small_chunks(service)
    if damage == "unknown board":
        checkpoints.save(board.checkpoint() | {"version": 99})
    else:
        manifest = checkpoints.save(board.checkpoint() | {"position": board.position - 1})
        fields = {"sha256": "0" * 64} if damage == "bad sum" else {"version": 7}
        broken = Manifest(**(vars(manifest) | fields | {"position": board.position}))
        stored = StoredEvent(MANIFEST_ID, board.position, MANIFEST_TOPIC, broken.encode())
        checkpoints.recorder.insert_events([stored])
    # When a process starts cold
    cold = cold_start(emulator, table)
    with caplog.at_level(logging.ERROR):
        rebuilt = cold.app.current_board()
    # Then it logged the checkpoint as ignored and read the whole log instead
    assert "ignoring the board checkpoint" in caplog.text
    assert rebuilt.checkpoint() == whole_log(service)


def test_a_cold_start_reads_only_the_log_after_the_checkpoint(
    service: JobService, emulator: Emulator, table: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given a checkpoint of 10 jobs' board, then 3 jobs more
    submit(service, 10)
    checkpointed = service.app.current_board().position
    service.app.board.checkpoints.save(service.app.board.checkpoint_state())
    submit(service, 3)
    # When a process starts cold, counting the notifications it reads
    cold = cold_start(emulator, table)
    read = reads_of(cold, monkeypatch)
    board = cold.app.current_board()
    # Then it read exactly the notifications after the checkpoint, and knows every job
    last = service.app.recorder.max_notification_id()
    assert read == list(range(checkpointed + 1, last + 1))
    assert board.checkpoint() == whole_log(service)
    assert len(board.jobs) == 13


def test_a_restarted_rest_process_reads_only_the_log_after_the_checkpoint(
    service: JobService, emulator: Emulator, table: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given a checkpoint the tick wrote after 10 jobs, then 3 jobs more
    submit(service, 10)
    service.app.board.checkpoint_every = 10
    service.app.tick(service.clock())
    checkpointed = service.app.board.checkpoints.latest_position()
    assert checkpointed == service.app.current_board().position
    submit(service, 3)
    # When a REST process starts cold (its profile cache on, as the API sets it up) and
    # answers its first submission, counting the notifications it reads
    rest = cold_start(emulator, table)
    Api.serving(rest, ApiSettings())
    read = reads_of(rest, monkeypatch)
    now = rest.clock()
    job = rest.app.submit(TENANT, PROFILE, "first", {"date": "d"}, priority="low", at=now)
    waiting = rest.app.waiting_after_submit(job, at=now)
    position = None if waiting is None else waiting.position
    # Then it read only the notifications after the checkpoint (up to its own submission's two,
    # which its save gives it when admission built the board first), and placed the job right
    last = rest.app.recorder.max_notification_id()
    assert read == list(range(checkpointed + 1, read[-1] + 1))
    assert read[-1] in (last - 2, last)
    assert position == rest.app.rebuild_board().position_of(job.id, now) == 13


def test_a_cold_start_without_a_checkpoint_reads_the_whole_log(
    service: JobService, emulator: Emulator, table: str
) -> None:
    submit(service, 3)
    board = cold_start(emulator, table).app.current_board()
    assert isinstance(board, DispatchBoard)
    assert board.checkpoint() == whole_log(service)
