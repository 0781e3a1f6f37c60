"""A model of the services' write path on DynamoDB: how many jobs per second the design sustains.

moto serializes every request, so the emulator cannot show what concurrent writers do to one
table; this model can, fed with the transactions the services really issue (counted per job on
the emulator: `bench/write_counts.py`). It is a SimPy simulation of one service's table at a time:

Writers. Saves come from Lambda invocations: the API's (one save per request, Poisson arrivals;
an idle execution environment is reused, else a new one starts) and the consumer's (messages
arrive Poisson on the service's SQS queue; the event source mapping's pollers each receive up to
10 waiting messages, `RECEIVE_SECONDS` per receive, and invoke the function with them; a poller
that got a full batch adds another, up to `max_concurrency`). An unbatched consumer saves once
per message, in order; a batched one saves the batch's effects in as few transactions as the
100-item limit allows (one, for the shapes counted). Each environment keeps its recorder's
cached counter value, as `DynamoDBApplicationRecorder` does.

Saves. A save's transaction has the shape counted on the emulator (counter item, notification
items, aggregate items, consumed markers, tracking). The recorder's loop is modelled as the code
has it (backbone/eventstore/notification_log.py): read the counter when its value is unknown
(GetItem), claim with a compare-and-set, on a cancellation learn the value (a failed condition
returns the item, ALL_OLD) or forget it (a conflict or throttle), back off
`uniform(0, min(0.2, 0.005 * 2**attempt))` s, and give up after 60 attempts.

DynamoDB. Per-item optimistic concurrency: a transaction holds its items from acceptance until
it commits, one latency later, and another transaction touching one of them meanwhile is
cancelled (TransactionConflict) instead of waiting (DynamoDB developer guide, "Transaction
conflict handling"). Only the counter item is shared by concurrent saves in this design
(notification items and markers are new items, each written once; aggregates are assumed not
written by two saves at once). Per partition, at most 1,000 write units and 3,000 read units a
second (developer guide, "warm throughput": each partition is limited to 1,000 WCU/s and
3,000 RCU/s), as token buckets of one second; a transactional write costs 2 units per KB of
item. The counter item and the `notification` partition are one partition key each, and the
notification's sort key only grows, so splitting for heat does not spread its writes.

Latency. DynamoDB publishes no latency figure for transactions. Assumed: lognormal with median
12 ms and 99th percentile 25 ms for a TransactWriteItems (10-25 ms a transaction: the figure
docs/architecture.md "The write ceiling" works with), 4 ms / 10 ms for a strongly consistent
GetItem; a cancelled transaction costs a whole latency too.

A service sustains an offered load when, over `SECONDS` of simulated time, no save gave up,
its queue did not grow (what is waiting at the end is under a second's worth of messages) and,
where it has an API, the 99th percentile of its saves there (for the job service: accepting a
job) stayed within the SLO (100 ms). The platform sustains the least of its services' figures:
every job passes through all three.
"""

from __future__ import annotations

import math
import random
from collections import deque
from collections.abc import Callable, Generator, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Final

import simpy

from bench.write_counts import TransactionShape

RECEIVE_SECONDS: Final = 0.010
"""An SQS ReceiveMessage round trip (assumed)."""
SECONDS: Final = 6.0
"""Simulated seconds per offered load (after WARM_UP)."""
WARM_UP: Final = 0.5
UNKNOWN: Final = -1
TRANSACTION_ITEMS: Final = 100


@dataclass(frozen=True)
class Assumptions:
    """Every figure the model takes that was not counted; printed with the results."""

    transaction_median_s: float = 0.012
    transaction_p99_s: float = 0.025
    read_median_s: float = 0.004
    read_p99_s: float = 0.010
    partition_write_units: float = 1_000.0
    partition_read_units: float = 3_000.0
    max_attempts: int = 60
    max_concurrency: int = 100
    """Concurrent executions of one function (the consumer's pollers; the API's environments)."""
    batch_size: int = 10
    initial_pollers: int = 5
    slo_s: float = 0.100
    logs: int = 1
    """Independent notification logs per table (counter and partition each); 1 today."""

    def describe(self) -> list[str]:
        return [
            f"transaction latency lognormal, median {self.transaction_median_s * 1000:.0f} ms, "
            f"p99 {self.transaction_p99_s * 1000:.0f} ms (assumed; a cancelled one costs as much)",
            f"counter GetItem lognormal, median {self.read_median_s * 1000:.0f} ms, "
            f"p99 {self.read_p99_s * 1000:.0f} ms (assumed)",
            f"per partition {self.partition_write_units:,.0f} WCU/s and "
            f"{self.partition_read_units:,.0f} RCU/s (DynamoDB guide, warm throughput); "
            f"2 WCU per KB of each item in a transaction",
            f"retries: the recorder's, up to {self.max_attempts} attempts, back-off "
            f"uniform(0, min(0.2, 0.005 * 2^attempt)) s",
            f"SQS batches of up to {self.batch_size}, {self.initial_pollers} pollers at first, "
            f"at most {self.max_concurrency} concurrent executions per function",
            f"sustained: no save gives up, no queue grows, the API's p99 save latency <= "
            f"{self.slo_s * 1000:.0f} ms",
        ]


@dataclass(frozen=True)
class ServiceLoad:
    """One service's writes per job, as counted: the API's saves and one save per consumed
    message that saved (its shape in the unbatched design)."""

    name: str
    jobs: int
    api: Sequence[TransactionShape]
    consume: Sequence[TransactionShape]
    hot_reads_per_job: float = 0.0
    """Strongly consistent reads of the counter or notification partition per job (1 RCU each)."""
    batched: bool = False

    def saves_per_job(self, batch: float = 1.0) -> float:
        """Transactions per job, with consumed messages saved `batch` to a transaction."""
        return (len(self.api) + len(self.consume) / batch) / self.jobs


@dataclass
class Outcome:
    """What one service did at one offered load."""

    service: str
    offered_jobs_per_s: float
    saves: int = 0
    attempts: int = 0
    cancelled: int = 0
    gave_up: int = 0
    reads_throttled: int = 0
    latencies: list[float] = field(default_factory=list)
    api_latencies: list[float] = field(default_factory=list)
    backlog: int = 0
    """Messages waiting or being handled at the end."""
    messages_per_s: float = 0.0
    jobs_done: float = 0.0
    """Jobs' worth of saves committed per second of the measured interval."""

    @property
    def conflict_rate(self) -> float:
        """Attempts cancelled (conflict, failed condition or throttle) per attempt."""
        return self.cancelled / self.attempts if self.attempts else 0.0

    @property
    def p99_s(self) -> float:
        return _percentile(self.latencies, 0.99)

    @property
    def api_p99_s(self) -> float:
        return _percentile(self.api_latencies, 0.99)

    def sustained(self, slo_s: float) -> bool:
        """Every save committed, every read served, no backlog growing, and the API's p99
        within the SLO."""
        keeps_up = self.gave_up == 0 and self.reads_throttled == 0
        keeps_up = keeps_up and self.backlog <= max(10.0, self.messages_per_s)
        return keeps_up and self.api_p99_s <= slo_s


def _percentile(values: list[float], q: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def _lognormal(median: float, p99: float) -> Callable[[random.Random], float]:
    sigma = math.log(p99 / median) / 2.326
    mu = math.log(median)
    return lambda rng: rng.lognormvariate(mu, sigma)


class Bucket:
    """A partition's units per second, a one-second token bucket."""

    def __init__(self, env: simpy.Environment, rate: float) -> None:
        self.env, self.rate, self.tokens, self.at = env, rate, rate, 0.0

    def take(self, units: float) -> bool:
        self.tokens = min(self.rate, self.tokens + (self.env.now - self.at) * self.rate)
        self.at = self.env.now
        if units > self.tokens:
            return False
        self.tokens -= units
        return True


class Table:
    """One service's table as the model sees it: per log, the counter and the notification
    partition."""

    def __init__(self, env: simpy.Environment, a: Assumptions) -> None:
        self.env = env
        self.last = [0] * a.logs
        self.held_until = [0.0] * a.logs
        self.counter_units = [Bucket(env, a.partition_write_units) for _ in range(a.logs)]
        self.log_units = [Bucket(env, a.partition_write_units) for _ in range(a.logs)]
        self.read_units = [Bucket(env, a.partition_read_units) for _ in range(a.logs)]

    def attempt(self, log: int, expected: int, shape: TransactionShape, hold: float) -> str:
        """'ok', 'conflict', 'throttled' or 'condition' (the counter moved: learn it)."""
        if not shape.counter:
            return "ok"
        if self.env.now < self.held_until[log]:
            return "conflict"
        if not self.counter_units[log].take(shape.counter_units):
            return "throttled"
        if not self.log_units[log].take(shape.notification_units):
            return "throttled"
        if self.last[log] != expected:
            return "condition"
        self.last[log] += shape.notifications
        self.held_until[log] = self.env.now + hold
        return "ok"


class Writer:
    """One Lambda execution environment: its recorder's cached counter values."""

    def __init__(self, logs: int) -> None:
        self.cached = [UNKNOWN] * logs


class ServiceModel:
    """One service's writers against its table at one offered load."""

    def __init__(self, load: ServiceLoad, jobs_per_s: float, a: Assumptions, seed: int) -> None:
        self.load, self.a = load, a
        self.rng = random.Random(seed)
        self.env = simpy.Environment()
        self.table = Table(self.env, a)
        self.latency = _lognormal(a.transaction_median_s, a.transaction_p99_s)
        self.read_latency = _lognormal(a.read_median_s, a.read_p99_s)
        self.out = Outcome(load.name, jobs_per_s)
        self.api_rate = jobs_per_s * len(load.api) / load.jobs
        self.message_rate = jobs_per_s * len(load.consume) / load.jobs
        self.read_rate = jobs_per_s * load.hot_reads_per_job
        self.queue: deque[TransactionShape] = deque()
        self.waiting = simpy.Store(self.env)
        self.idle: list[Writer] = []
        self.api_busy = 0
        self.pollers = 0
        self.in_flight = 0
        """Messages received by a poller and not yet saved."""
        self.committed_items = 0.0

    def run(self) -> Outcome:
        end = WARM_UP + SECONDS
        if self.api_rate:
            self.env.process(self._api_arrivals(end))
        if self.message_rate:
            self.env.process(self._message_arrivals(end))
            for _ in range(self.a.initial_pollers):
                self._add_poller()
        if self.read_rate:
            self.env.process(self._reads(end))
        self.env.run(until=end)
        self.out.backlog = len(self.queue) + self.in_flight
        self.out.messages_per_s = self.message_rate
        per_job = self.load.saves_per_job()
        self.out.jobs_done = self.committed_items / SECONDS / per_job if per_job else 0.0
        return self.out

    def _measured(self) -> bool:
        return self.env.now >= WARM_UP

    def _api_arrivals(self, end: float) -> Generator[Any, Any, None]:
        while self.env.now < end:
            yield self.env.timeout(self.rng.expovariate(self.api_rate))
            if self.api_busy >= self.a.max_concurrency:
                self.out.gave_up += 1  # throttled by Lambda: a 429 to the client
                continue
            writer = self.idle.pop() if self.idle else Writer(self.a.logs)
            self.env.process(self._api_request(writer, self.rng.choice(self.load.api)))

    def _api_request(self, writer: Writer, shape: TransactionShape) -> Generator[Any, Any, None]:
        self.api_busy += 1
        started = self.env.now
        yield from self._save(writer, shape, 1)
        if self._measured():
            self.out.api_latencies.append(self.env.now - started)
        self.api_busy -= 1
        self.idle.append(writer)

    def _message_arrivals(self, end: float) -> Generator[Any, Any, None]:
        while self.env.now < end:
            yield self.env.timeout(self.rng.expovariate(self.message_rate))
            self.queue.append(self.rng.choice(self.load.consume))
            if len(self.waiting.items) == 0:
                self.waiting.put(True)

    def _add_poller(self) -> None:
        self.pollers += 1
        self.env.process(self._poller(Writer(self.a.logs)))

    def _poller(self, writer: Writer) -> Generator[Any, Any, None]:
        while True:
            if not self.queue:
                yield self.waiting.get()
                continue
            yield self.env.timeout(RECEIVE_SECONDS)
            batch = [self.queue.popleft() for _ in range(min(self.a.batch_size, len(self.queue)))]
            if not batch:
                continue
            if len(batch) == self.a.batch_size and self.pollers < self.a.max_concurrency:
                self._add_poller()
            self.in_flight += len(batch)
            if self.load.batched:
                for shape in merged(batch):
                    yield from self._save(writer, shape, len(batch))
            else:
                for shape in batch:
                    yield from self._save(writer, shape, 1)
            self.in_flight -= len(batch)

    def _reads(self, end: float) -> Generator[Any, Any, None]:
        while self.env.now < end:
            yield self.env.timeout(self.rng.expovariate(self.read_rate))
            if not self.table.read_units[self.rng.randrange(self.a.logs)].take(1.0):
                self.out.reads_throttled += 1

    def _save(
        self, writer: Writer, shape: TransactionShape, messages: int
    ) -> Generator[Any, Any, None]:
        """The recorder's insert_events loop (notification_log.py), on the model's table."""
        started = self.env.now
        log = self.rng.randrange(self.a.logs)
        for attempt in range(self.a.max_attempts):
            if shape.counter and writer.cached[log] == UNKNOWN:
                yield self.env.timeout(self.read_latency(self.rng))
                writer.cached[log] = self.table.last[log]
            expected = writer.cached[log]
            latency = self.latency(self.rng)
            result = self.table.attempt(log, expected, shape, latency)
            yield self.env.timeout(latency)
            if self._measured():
                self.out.attempts += 1
            if result == "ok":
                writer.cached[log] = expected + shape.notifications
                if self._measured():
                    self.out.saves += 1
                    self.out.latencies.append(self.env.now - started)
                    self.committed_items += messages
                return
            if self._measured():
                self.out.cancelled += 1
            writer.cached[log] = self.table.last[log] if result == "condition" else UNKNOWN
            yield self.env.timeout(self.rng.uniform(0, min(0.2, 0.005 * 2**attempt)))
        if self._measured():
            self.out.gave_up += 1


def merged(batch: Sequence[TransactionShape]) -> list[TransactionShape]:
    """A batch's saves as the batched consumer makes them: as few transactions as the 100-item
    limit allows, each claiming its events' notification ids with one counter update."""
    out: list[TransactionShape] = []
    current: TransactionShape | None = None
    for shape in batch:
        if current is None:
            current = shape
            continue
        joined = _join(current, shape)
        if joined.items > TRANSACTION_ITEMS:
            out.append(current)
            current = shape
        else:
            current = joined
    if current is not None:
        out.append(current)
    return out


def _join(a: TransactionShape, b: TransactionShape) -> TransactionShape:
    return TransactionShape(
        counter=max(a.counter, b.counter),
        notifications=a.notifications + b.notifications,
        aggregates=a.aggregates + b.aggregates,
        markers=a.markers + b.markers,
        tracking=max(a.tracking, b.tracking),
        notification_units=a.notification_units + b.notification_units,
    )


def simulate(load: ServiceLoad, jobs_per_s: float, a: Assumptions, seed: int = 1) -> Outcome:
    return ServiceModel(load, jobs_per_s, a, seed).run()


def sustained(
    load: ServiceLoad, a: Assumptions, *, low: float = 0.25, high: float = 2_000.0
) -> Outcome:
    """The outcome at the highest offered load sustained (to about 3%), by bisection on a
    log scale; offered_jobs_per_s 0 if not even `low` is."""
    best = simulate(load, low, a)
    if not best.sustained(a.slo_s):
        return replace(best, offered_jobs_per_s=0.0)
    while high / low > 1.03:
        middle = math.sqrt(low * high)
        outcome = simulate(load, middle, a)
        if outcome.sustained(a.slo_s):
            low, best = middle, outcome
        else:
            high = middle
    return best
