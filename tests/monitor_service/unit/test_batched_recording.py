"""Recording an SQS batch in few saves: the same decisions, exactly once, failures alone."""

from __future__ import annotations

import json
from typing import Any
from uuid import uuid4

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bench.monitor_scenario import generate
from events.schemas import to_envelope
from monitor_service.domain import AuditQuery, MonitorPolicy, SlaTargets
from tests.monitor_service import support as s

EVENTS = generate(jobs=25, seed=5)
TIGHT = MonitorPolicy(sla=SlaTargets(dict.fromkeys(("critical", "high", "normal", "low"), 30.0)))
"""SLA targets most of the stream's jobs miss, so that breaches are decided within batches."""


def _body(event: s.Event) -> str:
    envelope = event if isinstance(event, dict) else to_envelope(event, envelope_id=str(uuid4()))
    return json.dumps(envelope)


def _sqs(bodies: list[str]) -> dict[str, Any]:
    return {
        "Records": [
            {"messageId": f"m{i}", "body": body, "attributes": {"ApproximateReceiveCount": "1"}}
            for i, body in enumerate(bodies)
        ]
    }


def _failed(answer: dict[str, Any]) -> list[str]:
    return [failure["itemIdentifier"] for failure in answer["batchItemFailures"]]


def _saves(world: s.World) -> list[int]:
    """Counts the recorder's saves (each one transaction on DynamoDB) into the list returned."""
    recorder = world.app.recorder
    original = recorder.insert_events
    saves = [0]

    def insert_events(*args: Any, **kwargs: Any) -> Any:
        saves[0] += 1
        return original(*args, **kwargs)

    recorder.insert_events = insert_events  # type: ignore[method-assign]
    return saves


def _ids(world: s.World) -> list[str]:
    return [r.event_id for r in world.app.audit_events(AuditQuery(limit=1000)).records]


def _decided(world: s.World) -> list[tuple[str, Any]]:
    """The log's decisions (every stored event but the audit entries), in log order."""
    log = world.app.recorder.select_notifications(start=1, limit=1_000_000)
    return [(n.topic, n.originator_id) for n in log if "AuditEntry" not in n.topic]


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.integers(min_value=1, max_value=10), min_size=len(EVENTS), max_size=len(EVENTS)))
def test_a_batch_decides_exactly_what_one_by_one_decides(sizes: list[int]) -> None:
    # Given the same stream cut into SQS batches of random sizes, each handled at its last
    # event's time, by a batching monitor and by one saving every message alone
    batched, alone = s.World(policy=TIGHT), s.World(policy=TIGHT)
    alone.service.consumer.batch_saves = False
    start = 0
    for size in sizes:
        batch = EVENTS[start : start + size]
        if not batch:
            break
        start += size
        bodies = [_body(event) for _, event in batch]
        for world in (batched, alone):
            world.set(batch[-1][0])
            # Then no message fails
            assert _failed(world.service.consumer.handle_sqs_event(_sqs(bodies))) == []
    # Then both hold the same records, the same decisions and the same metrics
    assert sum("SlaBreach" in topic for topic, _ in _decided(alone)) > 10
    assert _ids(batched) == _ids(alone)
    assert _decided(batched) == _decided(alone)
    assert batched.published_types() == alone.published_types()
    end = s.at(EVENTS[-1][0] + 60)
    assert batched.app.metrics(end) == alone.app.metrics(end)


def test_a_batch_of_unrelated_events_is_one_save_and_related_ones_wait_for_the_board() -> None:
    # Given a batch of ten different jobs' submissions
    world = s.World()
    saves = _saves(world)
    bodies = [_body(s.submitted(f"job-{i}", 0)) for i in range(10)]
    # When it is handled
    world.service.consumer.handle_sqs_event(_sqs(bodies))
    # Then one save recorded all ten
    assert saves[0] == 1
    assert len(_ids(world)) == 10
    # And a batch with a job's late start after its submission takes two: the start is decided
    # on a board that knows the submission, so the breach is found
    world.set(7_200)
    late = [s.submitted("late", 0, priority="critical"), s.started("late", 7_000)]
    world.service.consumer.handle_sqs_event(_sqs([_body(e) for e in late]))
    assert saves[0] == 3
    assert [t for t, _ in _decided(world) if "SlaBreach" in t]


def test_a_poison_message_fails_alone_and_the_others_commit() -> None:
    # Given a batch holding a malformed message and an event whose save always fails
    world = s.World()
    poison = s.submitted("poison", 0)
    store = world.app.store
    original = store.commit

    def commit(*aggregates: Any, consumed: Any = ()) -> None:
        if poison.event_id in consumed:
            raise RuntimeError("this event cannot be saved")
        original(*aggregates, consumed=consumed)

    store.commit = commit  # type: ignore[method-assign]
    events = [s.submitted("a", 0), poison, s.submitted("b", 0)]
    bodies = [_body(events[0]), "{not json", _body(events[1]), _body(events[2])]
    # When the batch is handled
    answer = world.service.consumer.handle_sqs_event(_sqs(bodies))
    # Then only those two are reported, and the others are recorded once
    assert _failed(answer) == ["m1", "m2"]
    assert sorted(_ids(world)) == sorted([events[0].event_id, events[2].event_id])


def test_a_redelivered_batch_has_no_second_effect() -> None:
    # Given a batch handled once
    world = s.World()
    event = _sqs([_body(e) for _, e in EVENTS[:10]])
    world.set(EVENTS[9][0])
    assert _failed(world.service.consumer.handle_sqs_event(event)) == []
    log = world.app.recorder.max_notification_id()
    # When SQS delivers it again (and once more, mixed with one new event)
    again = world.service.consumer.handle_sqs_event(event)
    more = _sqs([*(r["body"] for r in event["Records"]), _body(EVENTS[10][1])])
    mixed = world.service.consumer.handle_sqs_event(more)
    # Then nothing fails, the first time's effects are not repeated, and only the new one is added
    assert _failed(again) == _failed(mixed) == []
    assert world.app.recorder.max_notification_id() == (log or 0) + 1
    assert len(_ids(world)) == 11
