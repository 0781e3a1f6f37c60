"""A service's consumer: SQS messages from EventBridge, dispatched by detail-type (invariant 8).

Handlers save their state change with `consumed=[delivery.event_id]`, so the idempotency marker
is written in the same transaction as the change; a duplicate raises AlreadyConsumed, which
counts here as success. The key of an integration event is its own `event_id` (a re-published
event keeps it, while EventBridge gives every PutEvents a new envelope id); the key of an AWS
event is the envelope `id`.

Batched saves. SQS hands a Lambda up to 10 messages at once, and every save of a service claims
notification ids on the one counter item of its table (docs/architecture.md, "The write
ceiling"): fewer, larger transactions let more jobs through. A consumer given a `batch_handler`
parses the whole batch first (a message that does not parse fails alone, as before), then hands
every parsed event to the batch handler in one call; the handler saves their effects in as few
transactions as it can, each with the consumed markers of the events it holds, and answers per
event: None (saved, or a duplicate), or the exception that failed that event alone. Exactly
once holds as it does for single saves: the markers commit with the effects.
"""

from __future__ import annotations

import enum
import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Generic, Protocol, TypeVar

from pydantic import ValidationError

from backbone.eventstore import AlreadyConsumed
from events.schemas import (
    AWS_REGISTRY,
    REGISTRY,
    EventBridgeEnvelope,
    EventSchemaError,
    from_eventbridge_envelope,
    parse_aws_detail,
)
from events.schemas.aws import AwsDetail

logger = logging.getLogger(__name__)

Handler = Callable[[Any], None]
"""Takes an IntegrationEvent, or an AwsEvent for AWS's own detail-types."""
BatchHandler = Callable[[Sequence[Any]], Sequence[BaseException | None]]
"""Takes a batch's events in delivery order; answers, per event, None (its effects saved, or it
was a duplicate) or the exception that failed it (that message alone is redelivered)."""
AWS_DETAIL_TYPES = frozenset(detail_type for _, detail_type in AWS_REGISTRY)
D = TypeVar("D", bound=AwsDetail)


@dataclass(frozen=True)
class AwsEvent(Generic[D]):
    """An AWS event with the envelope id it is deduplicated on (AWS details carry no id)."""

    event_id: str
    envelope: EventBridgeEnvelope
    detail: D


class Outcome(enum.Enum):
    """What became of one message that did not fail."""

    HANDLED = "handled"
    DUPLICATE = "duplicate"


class UnhandledEventType(LookupError):
    """A message whose detail-type this consumer has no handler for (it goes to the DLQ)."""


class SupportsToDict(Protocol):
    """Chalice's SQSEvent: `to_dict()` is the raw Lambda event."""

    def to_dict(self) -> dict[str, Any]: ...


class BatchFailed(Exception):
    """Some messages failed and partial batch responses are off: Lambda retries the batch."""

    def __init__(self, message_ids: list[str]) -> None:
        super().__init__(f"{len(message_ids)} message(s) failed: {', '.join(message_ids)}")
        self.message_ids = message_ids


class Consumer:
    """Parses, deduplicates and dispatches; one bad message never fails its batch.

    Returning `batchItemFailures` works only where the event source mapping has
    FunctionResponseTypes=[ReportBatchItemFailures] (Chalice 1.34 never sets it); elsewhere
    Lambda deletes the whole batch, so pass partial_batch=False to raise BatchFailed instead.
    """

    def __init__(
        self,
        handlers: Mapping[str, Handler],
        *,
        is_consumed: Callable[[str], bool] | None = None,
        partial_batch: bool = True,
        batch_handler: BatchHandler | None = None,
    ) -> None:
        """`batch_handler`, if given, takes every parsed message of a batch at once (see the
        module docstring); `handlers` still name the detail-types handled and serve single
        messages (`handle_message_body`, `handle_envelope`)."""
        unknown = set(handlers) - set(REGISTRY) - AWS_DETAIL_TYPES
        if unknown:
            raise ValueError(f"no event model for detail-type(s): {', '.join(sorted(unknown))}")
        self._handlers = dict(handlers)
        self._is_consumed = is_consumed
        self._partial_batch = partial_batch
        self._batch_handler = batch_handler
        self.batch_saves = batch_handler is not None
        """False: one save per message even with a batch handler (what the bench compares)."""

    @property
    def detail_types(self) -> frozenset[str]:
        """The detail-types this consumer handles."""
        return frozenset(self._handlers)

    def handle_message_body(self, body: str | bytes) -> Outcome:
        """Handle one EventBridge envelope (JSON); raises on anything that should be retried."""
        return self._handle(EventBridgeEnvelope.model_validate_json(body))

    def handle_envelope(self, envelope: Mapping[str, Any]) -> Outcome:
        """Handle one EventBridge envelope already parsed from JSON (an in-process bus hands its
        JSON-shaped dict, skipping a dump and a parse); validated as `handle_message_body`
        validates the text, and handled the same way."""
        return self._handle(EventBridgeEnvelope.model_validate(envelope))

    def _parse(self, envelope: EventBridgeEnvelope) -> Any:
        if envelope.detail_type not in self._handlers:
            raise UnhandledEventType(f"{envelope.detail_type!r} from {envelope.source!r}")
        return _typed(envelope)

    def _seen(self, event: Any) -> bool:
        return self._is_consumed is not None and self._is_consumed(event.event_id)

    def _handle(self, envelope: EventBridgeEnvelope) -> Outcome:
        event = self._parse(envelope)
        if self._seen(event):
            return Outcome.DUPLICATE
        try:
            self._handlers[envelope.detail_type](event)
        except AlreadyConsumed:
            return Outcome.DUPLICATE
        return Outcome.HANDLED

    def handle_sqs_event(self, event: Mapping[str, Any]) -> dict[str, Any]:
        """Handle a Lambda SQS event; answers the partial batch response (see BatchFailed)."""
        records = list(event.get("Records", ()))
        if self._batch_handler is not None and self.batch_saves:
            failed = self._batch(records, self._batch_handler)
        else:
            failed = {id(record) for record in records if not self._record(record)}
        failures = [record["messageId"] for record in records if id(record) in failed]
        if failures and not self._partial_batch:
            raise BatchFailed(failures)
        return {"batchItemFailures": [{"itemIdentifier": message_id} for message_id in failures]}

    def handle_chalice_event(self, event: SupportsToDict) -> dict[str, Any]:
        """`return consumer.handle_chalice_event(event)` from an `@app.on_sqs_message` handler."""
        return self.handle_sqs_event(event.to_dict())

    def _batch(self, records: list[Mapping[str, Any]], handler: BatchHandler) -> set[int]:
        """Parse every record, hand the events to the batch handler in one call; the ids (of
        the record objects) of those that must be redelivered."""
        failed: set[int] = set()
        parsed: list[tuple[Mapping[str, Any], Any]] = []
        for record in records:
            try:
                event = self._parse(EventBridgeEnvelope.model_validate_json(record["body"]))
            except Exception as error:  # malformed, unknown or unparseable: this one alone
                _log_rejected(record, error)
                failed.add(id(record))
                continue
            if not self._seen(event):
                parsed.append((record, event))
        if not parsed:
            return failed
        try:
            outcomes = handler([event for _, event in parsed])
        except Exception:
            logger.exception("batch of %d failed: handling its messages one by one", len(parsed))
            return failed | {id(record) for record, _ in parsed if not self._record(record)}
        for (record, _), outcome in zip(parsed, outcomes, strict=True):
            if outcome is not None and not isinstance(outcome, AlreadyConsumed):
                message_id, receives = _identity(record)
                logger.error(
                    "message %s (receive %s) failed", message_id, receives, exc_info=outcome
                )
                failed.add(id(record))
        return failed

    def _record(self, record: Mapping[str, Any]) -> bool:
        """Handle one record; False (logged with its message id) when it must be redelivered."""
        message_id, receives = _identity(record)
        try:
            outcome = self.handle_message_body(record["body"])
        except (ValidationError, EventSchemaError, UnhandledEventType) as error:
            _log_rejected(record, error)
            return False
        except Exception:
            logger.exception("message %s (receive %s) failed", message_id, receives)
            return False
        logger.debug("message %s %s", message_id, outcome.value)
        return True


def _identity(record: Mapping[str, Any]) -> tuple[Any, Any]:
    """A record's message id and receive count, for the log."""
    return record.get("messageId"), record.get("attributes", {}).get("ApproximateReceiveCount")


def _log_rejected(record: Mapping[str, Any], error: Exception) -> None:
    message_id, receives = _identity(record)
    logger.error("message %s (receive %s) rejected: %s", message_id, receives, error)


def _typed(envelope: EventBridgeEnvelope) -> Any:
    """The integration event in the envelope, or an AwsEvent keyed on the envelope id."""
    if envelope.detail_type in REGISTRY:
        # Tolerant reader: a publisher deployed first may add optional fields (STYLE rule 4).
        return from_eventbridge_envelope(envelope, extra="ignore")
    return AwsEvent(event_id=envelope.id, envelope=envelope, detail=parse_aws_detail(envelope))
