"""Weighted fair share between tenants within a priority class, and what overrules it."""

from collections import Counter
from uuid import UUID, uuid4

from hypothesis import given, settings
from hypothesis import strategies as st

from job_service.domain import DispatchQueue
from job_service.domain.dispatch import PATIENCE
from tests.job_service.support import at


class Shares:
    """Running jobs per tenant, weights, and tenants refused (the board's part in a test)."""

    def __init__(self, weights: dict[str, float], blocked: frozenset[str] = frozenset()) -> None:
        self.weights, self.blocked = weights, blocked
        self.counts: Counter[str] = Counter()

    def running(self, tenant_id: str) -> int:
        return self.counts[tenant_id]

    def weight(self, tenant_id: str) -> float:
        return self.weights[tenant_id]

    def admits(self, tenant_id: str) -> bool:
        return tenant_id not in self.blocked


weights_st = st.lists(
    st.floats(min_value=0.1, max_value=10, allow_nan=False), min_size=2, max_size=4
)


@settings(max_examples=60, deadline=None)
@given(
    weights=weights_st,
    slots=st.integers(min_value=1, max_value=12),
    arrivals=st.lists(st.integers(min_value=0, max_value=3), min_size=1, max_size=40),
    finishes=st.lists(st.integers(min_value=0, max_value=10_000), max_size=60),
)
def test_with_every_tenant_backlogged_running_shares_stay_within_one_slot_of_the_weights(
    weights: list[float], slots: int, arrivals: list[int], finishes: list[int]
) -> None:
    tenants = [f"t{i}" for i in range(len(weights))]
    shares = Shares(dict(zip(tenants, weights, strict=True)))
    queue = DispatchQueue()
    tenant_of: dict[UUID, str] = {}
    seq = 0

    def arrive(tenant: str) -> None:
        nonlocal seq
        job_id = uuid4()
        tenant_of[job_id] = tenant
        queue.enqueue(job_id, "normal", at(0), seq, tenant_id=tenant)
        seq += 1

    # Any arrival order, then enough of every tenant's jobs that none runs out (backlog).
    for index in arrivals:
        arrive(tenants[index % len(tenants)])
    for tenant in tenants:
        for _ in range(slots + len(finishes) + 1):
            arrive(tenant)

    running: list[UUID] = []

    def dispatch_one() -> None:
        job_id = queue.next(at(0), shares)
        assert job_id is not None
        running.append(job_id)
        shares.counts[tenant_of[job_id]] += 1
        total, weight = len(running), sum(weights)
        for tenant in tenants:
            target = total * shares.weights[tenant] / weight
            assert abs(shares.counts[tenant] - target) < 1 + 1e-9, (tenant, dict(shares.counts))

    for _ in range(slots):
        dispatch_one()
    for pick in finishes:  # any running job ends, and its slot goes to the next job
        done = running.pop(pick % len(running))
        shares.counts[tenant_of[done]] -= 1
        dispatch_one()


@settings(max_examples=40, deadline=None)
@given(
    weights=weights_st,
    slots=st.integers(min_value=1, max_value=6),
    run_seconds=st.lists(st.integers(min_value=1, max_value=600), min_size=1, max_size=20),
)
def test_a_tenant_with_queued_work_never_waits_forever(
    weights: list[float], slots: int, run_seconds: list[int]
) -> None:
    """However small its weight, every backlogged tenant gets a slot within PATIENCE, plus a
    longest run for each tenant that may be starving at once, since it last had one."""
    tenants = [f"t{i}" for i in range(len(weights))]
    shares = Shares(dict(zip(tenants, weights, strict=True)))
    queue = DispatchQueue()
    tenant_of: dict[UUID, str] = {}
    seq = 0

    def arrive(tenant: str, now: float) -> None:
        nonlocal seq
        job_id = uuid4()
        tenant_of[job_id] = tenant
        queue.enqueue(job_id, "normal", at(now), seq, tenant_id=tenant)
        seq += 1

    for tenant in tenants:
        arrive(tenant, 0.0)
    ends: list[tuple[float, UUID]] = []  # (when it ends, job)
    last_slot = dict.fromkeys(tenants, 0.0)
    now, step = 0.0, 0
    while now < 4 * PATIENCE:
        while len(ends) < slots:
            job_id = queue.next(at(now), shares)
            assert job_id is not None
            tenant = tenant_of[job_id]
            shares.counts[tenant] += 1
            last_slot[tenant] = now
            arrive(tenant, now)  # the backlog never runs out
            ends.append((now + run_seconds[step % len(run_seconds)], job_id))
            step += 1
        for tenant in tenants:
            assert now - last_slot[tenant] <= PATIENCE + len(tenants) * max(run_seconds), tenant
        ends.sort(key=lambda end: end[0])
        now, done = ends.pop(0)
        shares.counts[tenant_of[done]] -= 1


def test_given_two_tenants_weighted_2_to_1_when_six_slots_fill_then_4_and_2() -> None:
    shares = Shares({"a": 2.0, "b": 1.0})
    queue = DispatchQueue()
    tenant_of = {}
    for seq in range(20):  # b submitted its burst first
        tenant = "b" if seq < 10 else "a"
        job_id = uuid4()
        tenant_of[job_id] = tenant
        queue.enqueue(job_id, "normal", at(0), seq, tenant_id=tenant)
    for _ in range(6):
        job_id = queue.next(at(0), shares)
        assert job_id is not None
        shares.counts[tenant_of[job_id]] += 1

    assert shares.counts == Counter({"a": 4, "b": 2})


def test_given_a_tenant_below_its_share_when_a_critical_job_waits_then_critical_first() -> None:
    shares = Shares({"a": 1.0, "b": 1.0})
    shares.counts["a"] = 5
    queue = DispatchQueue()
    normal, critical = uuid4(), uuid4()
    queue.enqueue(normal, "normal", at(0), 1, tenant_id="b")
    queue.enqueue(critical, "critical", at(0), 2, tenant_id="a")

    assert queue.next(at(0), shares) == critical


def test_given_an_aged_class_when_tenants_wait_in_it_then_the_class_goes_then_share_decides() -> (
    None
):
    """The low class aged to critical (15 min) goes before a younger critical job; within it
    the tenant below its share goes, though its job is younger than the other tenant's."""
    shares = Shares({"a": 1.0, "b": 1.0})
    shares.counts["a"] = 3
    queue = DispatchQueue()
    old_a, young_b, critical = uuid4(), uuid4(), uuid4()
    queue.enqueue(old_a, "low", at(0), 1, tenant_id="a")
    queue.enqueue(young_b, "low", at(10), 2, tenant_id="b")
    queue.enqueue(critical, "critical", at(899), 3, tenant_id="a")

    assert queue.next(at(900), shares) == young_b


def test_given_a_tenant_at_its_quota_when_decided_then_other_tenants_go_and_it_waits() -> None:
    shares = Shares({"a": 1.0, "b": 1.0}, blocked=frozenset({"a"}))
    queue = DispatchQueue()
    first_a, later_b = uuid4(), uuid4()
    queue.enqueue(first_a, "critical", at(0), 1, tenant_id="a")
    queue.enqueue(later_b, "low", at(0), 2, tenant_id="b")

    assert queue.next(at(0), shares) == later_b
    assert queue.next(at(0), shares) is None
    assert first_a in queue
    shares.blocked = frozenset()  # the quota changed: the next decision sees it
    assert queue.next(at(0), shares) == first_a


def test_a_queue_restored_from_its_state_decides_as_the_original() -> None:
    shares = Shares({"a": 1.0, "b": 3.0})
    queue = DispatchQueue()
    for seq in range(12):
        queue.enqueue(uuid4(), "normal", at(seq), seq, tenant_id="ab"[seq % 2])
    queue.enqueue(uuid4(), "high", at(0), 20, retry_at=at(50), tenant_id="a")
    queue.next(at(1), shares)
    restored = DispatchQueue.from_state(queue.state())

    assert restored.state() == queue.state()
    for moment in (5, 60, 1000):
        assert restored.next(at(moment), shares) == queue.next(at(moment), shares)
