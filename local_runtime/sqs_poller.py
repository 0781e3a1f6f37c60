"""The local stand-in for Lambda's SQS event source mapping, with partial batch responses.

Like Lambda with ReportBatchItemFailures: the handler gets a batch in the Lambda SQS event shape,
the messages it does not list in `batchItemFailures` are deleted, and the listed ones stay for
redelivery (and reach the dead-letter queue after the queue's maxReceiveCount). A handler that
raises, or answers an id that is not in the batch, fails the whole batch.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from local_runtime.chaos.delivery import DeliveryChaos

logger = logging.getLogger(__name__)

SqsHandler = Callable[[dict[str, Any]], Mapping[str, Any] | None]
_ERROR_PAUSE_SECONDS = 1.0
_SYSTEM_ATTRIBUTES = [
    "ApproximateReceiveCount",
    "SentTimestamp",
    "ApproximateFirstReceiveTimestamp",
]


class SqsPoller:
    """Receives from one queue and feeds a handler batches, as Lambda would."""

    def __init__(
        self,
        sqs_client: Any,
        queue_url: str,
        handler: SqsHandler,
        *,
        batch_size: int = 10,
        wait_seconds: int = 1,
        visibility_timeout: int | None = None,
        retry_visibility_timeout: int | None = None,
        chaos: DeliveryChaos | None = None,
    ) -> None:
        """`chaos`: deliveries duplicated, delayed and reordered on purpose (chaos runs only)."""
        if not 1 <= batch_size <= 10:
            raise ValueError(f"batch_size must be 1 to 10 (SQS's ReceiveMessage), not {batch_size}")
        self._sqs = sqs_client
        self._queue_url = queue_url
        self._handler = handler
        self._batch_size = batch_size
        self._wait_seconds = wait_seconds
        self._visibility_timeout = visibility_timeout
        self._retry_visibility_timeout = retry_visibility_timeout
        self._queue_arn: str | None = None
        self._chaos = chaos

    @property
    def queue_arn(self) -> str:
        """The queue's ARN, the records' eventSourceARN (asked once)."""
        if self._queue_arn is None:
            answer = self._sqs.get_queue_attributes(
                QueueUrl=self._queue_url, AttributeNames=["QueueArn"]
            )
            self._queue_arn = str(answer["Attributes"]["QueueArn"])
        return self._queue_arn

    def poll_once(self) -> int:
        """Receive one batch, hand it over, settle it; the number of messages received."""
        received = self._receive()
        if not received:
            return 0
        messages, again = received, []
        if self._chaos is not None:
            arranged = self._chaos.arrange(received)
            messages = arranged.now
            for message, seconds in arranged.delayed:
                self._change_visibility([message], seconds)
        if messages:
            event = {"Records": [self._record(message) for message in messages]}
            failed = self._failed_ids(event)
            handled = [m for m in messages if m["MessageId"] not in failed]
            if self._chaos is not None:
                again = self._chaos.duplicates(handled)
                self._change_visibility(again, 1)
            self._delete([m for m in handled if m not in again])
            if self._retry_visibility_timeout is not None:
                self._retry_soon([m for m in messages if m["MessageId"] in failed])
        if self._chaos is not None:
            self._chaos.report(len(again), len(received) - len(messages), arranged.reordered)
        return len(received)

    def run(self, stop_event: threading.Event) -> None:
        """Poll until stop_event is set; errors of SQS itself are logged and retried."""
        while not stop_event.is_set():
            try:
                self.poll_once()
            except Exception:
                logger.exception("polling %s failed", self._queue_url)
                stop_event.wait(_ERROR_PAUSE_SECONDS)

    def _receive(self) -> list[dict[str, Any]]:
        request: dict[str, Any] = {
            "QueueUrl": self._queue_url,
            "MaxNumberOfMessages": self._batch_size,
            "WaitTimeSeconds": self._wait_seconds,
            "AttributeNames": _SYSTEM_ATTRIBUTES,
            "MessageAttributeNames": ["All"],
        }
        if self._visibility_timeout is not None:
            request["VisibilityTimeout"] = self._visibility_timeout
        messages: list[dict[str, Any]] = self._sqs.receive_message(**request).get("Messages", [])
        return messages

    def _record(self, message: Mapping[str, Any]) -> dict[str, Any]:
        """One record of the Lambda SQS event, as Lambda builds it from a received message."""
        return {
            "messageId": message["MessageId"],
            "receiptHandle": message["ReceiptHandle"],
            "body": message["Body"],
            "attributes": dict(message.get("Attributes", {})),
            "messageAttributes": dict(message.get("MessageAttributes", {})),
            "md5OfBody": message.get("MD5OfBody"),
            "eventSource": "aws:sqs",
            "eventSourceARN": self.queue_arn,
            "awsRegion": self._sqs.meta.region_name,
        }

    def _failed_ids(self, event: dict[str, Any]) -> set[str]:
        """The message ids to leave for redelivery: those reported, or all on a bad answer."""
        every = {record["messageId"] for record in event["Records"]}
        try:
            response = self._handler(event) or {}
            failed = {item["itemIdentifier"] for item in response.get("batchItemFailures", ())}
        except Exception:
            logger.exception("handler failed on a batch of %d from %s", len(every), self._queue_url)
            return every
        if not failed <= every:
            logger.error("handler reported ids not in the batch: %s", sorted(failed - every))
            return every
        return failed

    def _delete(self, messages: Sequence[Mapping[str, Any]]) -> None:
        if not messages:
            return
        entries = [
            {"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(messages)
        ]
        answer = self._sqs.delete_message_batch(QueueUrl=self._queue_url, Entries=entries)
        for failure in answer.get("Failed", ()):
            # The message comes back and is handled again: harmless, consumers are idempotent.
            logger.warning("could not delete from %s: %s", self._queue_url, failure)

    def _retry_soon(self, messages: Sequence[Mapping[str, Any]]) -> None:
        """Shorten the failed messages' invisibility so local retries come quickly."""
        if self._retry_visibility_timeout is not None:
            self._change_visibility(messages, self._retry_visibility_timeout)

    def _change_visibility(self, messages: Sequence[Mapping[str, Any]], seconds: int) -> None:
        """Make messages visible again `seconds` from now."""
        if not messages:
            return
        entries = [
            {"Id": str(i), "ReceiptHandle": m["ReceiptHandle"], "VisibilityTimeout": seconds}
            for i, m in enumerate(messages)
        ]
        self._sqs.change_message_visibility_batch(QueueUrl=self._queue_url, Entries=entries)
