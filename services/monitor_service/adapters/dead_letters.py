"""The consumers' dead-letter queues on SQS: depth, the messages, and the redrive.

A consumer's queue sends a message to its dead-letter queue after maxReceiveCount failed
receives (backbone/messaging/definitions.py). Reading the messages receives them, so they are
received with a visibility timeout and made visible again at once: a listing moves nothing and
leaves each message's own receive count one higher (reported less that one).

The redrive is receive, send to the consumer's queue, delete: SQS's StartMessageMoveTask would
do the same on AWS but the emulator lacks it, and this way one code path runs in both. A message
sent back and not deleted (the process dies between the two) is in both queues: the consumer's
consumed marker makes the copy a duplicate, and the next redrive sends it again, harmlessly.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator, Mapping
from typing import Any, Final

from monitor_service.application.ports import DeadLetter, DeadLetterDepth, DeadLetterQueues

LISTING_LIMIT: Final = 1000
"""The most dead letters one listing or redrive reads from one queue."""
HOLD_SECONDS: Final = 60
"""How long a message read is hidden from other readers while a listing or a redrive holds it."""


class SqsDeadLetterQueues(DeadLetterQueues):
    """The dead-letter queues of the consumers' queues named in `queues` (queue → its DLQ)."""

    def __init__(
        self,
        sqs: Any,
        queues: Mapping[str, str],
        *,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._sqs = sqs
        self._queues = dict(queues)
        self._clock = clock
        self._urls: dict[str, str] = {}

    @property
    def queues(self) -> list[str]:
        return sorted(self._queues)

    def depths(self) -> list[DeadLetterDepth]:
        depths = []
        for queue in self.queues:
            answer = self._sqs.get_queue_attributes(
                QueueUrl=self._url(self._queues[queue]),
                AttributeNames=["ApproximateNumberOfMessages"],
            )
            depth = int(answer["Attributes"].get("ApproximateNumberOfMessages", 0))
            depths.append(DeadLetterDepth(queue, self._queues[queue], depth))
        return depths

    def messages(self, queue: str | None = None) -> list[DeadLetter]:
        letters = []
        for name in self._chosen(queue):
            url = self._url(self._queues[name])
            held = list(self._receive(url))
            try:
                letters += [self._letter(name, message) for message in held]
            finally:
                self._release(url, held)
        return sorted(letters, key=lambda letter: -letter.age_seconds)

    def redrive(self, queue: str | None = None) -> dict[str, int]:
        moved = {}
        for name in self._chosen(queue):
            url, back = self._url(self._queues[name]), self._url(name)
            count = 0
            for message in self._receive(url):
                attributes = message.get("MessageAttributes") or {}
                send: dict[str, Any] = {"QueueUrl": back, "MessageBody": message["Body"]}
                if attributes:
                    send["MessageAttributes"] = attributes
                self._sqs.send_message(**send)
                self._sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
                count += 1
            moved[name] = count
        return moved

    # SQS --------------------------------------------------------------------------------------

    def _chosen(self, queue: str | None) -> list[str]:
        if queue is None:
            return self.queues
        if queue not in self._queues:
            raise KeyError(queue)
        return [queue]

    def _url(self, name: str) -> str:
        if name not in self._urls:
            self._urls[name] = str(self._sqs.get_queue_url(QueueName=name)["QueueUrl"])
        return self._urls[name]

    def _receive(self, url: str) -> Iterator[dict[str, Any]]:
        """Every message of the queue (up to LISTING_LIMIT), each hidden once read."""
        read = 0
        while read < LISTING_LIMIT:
            batch = self._sqs.receive_message(
                QueueUrl=url,
                MaxNumberOfMessages=10,
                VisibilityTimeout=HOLD_SECONDS,
                WaitTimeSeconds=0,
                AttributeNames=["All"],
                MessageAttributeNames=["All"],
            ).get("Messages", [])
            if not batch:
                return
            read += len(batch)
            yield from batch

    def _release(self, url: str, messages: list[dict[str, Any]]) -> None:
        for start in range(0, len(messages), 10):
            entries = [
                {"Id": str(n), "ReceiptHandle": m["ReceiptHandle"], "VisibilityTimeout": 0}
                for n, m in enumerate(messages[start : start + 10])
            ]
            self._sqs.change_message_visibility_batch(QueueUrl=url, Entries=entries)

    def _letter(self, queue: str, message: dict[str, Any]) -> DeadLetter:
        attributes = message.get("Attributes") or {}
        sent = int(attributes.get("SentTimestamp", 0)) / 1000
        error = (message.get("MessageAttributes") or {}).get("ErrorMessage") or {}
        detail_type, event_id = _envelope_keys(message.get("Body", ""))
        return DeadLetter(
            queue=queue,
            message_id=message["MessageId"],
            detail_type=detail_type,
            event_id=event_id,
            receive_count=max(0, int(attributes.get("ApproximateReceiveCount", 1)) - 1),
            first_error=error.get("StringValue"),
            age_seconds=round(max(0.0, self._clock() - sent), 3) if sent else 0.0,
        )


def _envelope_keys(body: str) -> tuple[str | None, str | None]:
    """The envelope's detail-type and the id the consumer deduplicates on, if it is one."""
    try:
        envelope = json.loads(body)
    except ValueError:
        return None, None
    if not isinstance(envelope, dict):
        return None, None
    detail = envelope.get("detail")
    event_id = detail.get("event_id") if isinstance(detail, dict) else None
    detail_type = envelope.get("detail-type")
    return (
        detail_type if isinstance(detail_type, str) else None,
        str(event_id or envelope.get("id") or "") or None,
    )
