"""The actions of the consumers' dead letters: list them, send them back (operators only).

A message a consumer failed on maxReceiveCount times waits in its queue's dead-letter queue.
Once the cause is fixed, POST /dead-letters/redrive sends it back; the consumer's consumed
markers make its effect happen once, however often it was sent. GET /health and GET /metrics
show the depths too (`depths_view`, `depth_rows`).
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from chalice.app import Response

from backbone.http.errors import ApiError
from monitor_service.api.models import DeadLettersQuery, Redrive
from monitor_service.api.runtime import MonitorCall
from monitor_service.application.ports import DeadLetterQueues


def list_dead_letters(call: MonitorCall) -> Response:
    query = call.query(DeadLettersQuery)
    queues = call.service.dead_letters
    _check_queue(queues, query.queue)
    messages = [asdict(letter) for letter in queues.messages(query.queue)]
    depths = [d for d in depths_view(queues) if query.queue in (None, d["queue"])]
    return Response({"queues": depths, "messages": messages})


def redrive(call: MonitorCall) -> Response:
    body = call.body(Redrive)
    queues = call.service.dead_letters
    _check_queue(queues, body.queue)
    moved = queues.redrive(body.queue)
    return Response({"moved": moved, "total": sum(moved.values())})


def depths_view(queues: DeadLetterQueues) -> list[dict[str, Any]]:
    """Each dead-letter queue's depth, for GET /health."""
    return [asdict(depth) for depth in queues.depths()]


def depth_rows(queues: DeadLetterQueues) -> list[dict[str, Any]]:
    """The same as metrics rows (`emrcp_dead_letter_messages{queue=...}`)."""
    return [{"queue": d.queue, "value": d.depth} for d in queues.depths()]


def _check_queue(queues: DeadLetterQueues, queue: str | None) -> None:
    if queue is not None and queue not in queues.queues:
        known = ", ".join(queues.queues) or "none are configured (DEAD_LETTER_QUEUES)"
        message = f"queue: no consumer queue {queue!r}; use one of: {known}"
        raise ApiError(404, "queue_not_found", message, field="queue")
