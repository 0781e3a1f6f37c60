"""The faults of a chaos run, at random moments: processes killed, AWS failing, lost heartbeats.

Each fault is planned at a random time in the run's fault window (`plan`), then carried out in
time order (`Faults.run`). One that finds nothing to act on (no cluster running a step yet) is
tried again a little later, so every planned fault happens unless the window ends first.
"""

from __future__ import annotations

import contextlib
import os
import random
import signal
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

from local_runtime.chaos.aws import LIVE_CLUSTER, Aws
from local_runtime.harness.platform import SERVICES, Platform, wait_for

AWS_KINDS = (
    "stack_create_failed",
    "stack_rollback_complete",
    "cluster_terminated_with_errors",
    "step_failed",
    "lost_heartbeat",
)
RETRY_SECONDS = 2.0


@dataclass(order=True)
class Planned:
    at: float
    """Seconds after the faults began."""
    kind: str = field(compare=False)


def plan(kills: int, per_kind: int, window: float, rng: random.Random) -> list[Planned]:
    """`kills` kills and `per_kind` of each AWS fault, at random times in [0, window)."""
    planned = [Planned(rng.uniform(0, window), "kill") for _ in range(kills)]
    for kind in AWS_KINDS:
        planned += [Planned(rng.uniform(0, window * 0.9), kind) for _ in range(per_kind)]
    return sorted(planned)


class Faults:
    """Carries out a plan against a running platform; counts what was done."""

    def __init__(
        self, platform: Platform, aws: Aws, rng: random.Random, heartbeat_pause: float
    ) -> None:
        self.platform, self.aws, self.rng = platform, aws, rng
        self.heartbeat_pause = heartbeat_pause
        self.done: Counter[str] = Counter()
        self.killed: Counter[str] = Counter()
        self.missed: Counter[str] = Counter()

    def run(self, planned: list[Planned], window: float, stop: threading.Event) -> None:
        began = time.monotonic()
        pending = list(planned)
        actions: dict[str, Callable[[], bool]] = {
            "kill": self.kill,
            "stack_create_failed": lambda: self.fail_stack(rollback=False),
            "stack_rollback_complete": lambda: self.fail_stack(rollback=True),
            "cluster_terminated_with_errors": self.terminate_cluster,
            "step_failed": self.fail_step,
            "lost_heartbeat": self.lose_heartbeat,
        }
        while pending and not stop.is_set():
            pending.sort()
            head = pending.pop(0)
            if stop.wait(max(0.0, head.at - (time.monotonic() - began))):
                break
            try:
                done = actions[head.kind]()
            except Exception:  # the platform mid-restart: try again a little later
                done = False
            if done:
                self.done[head.kind] += 1
            elif time.monotonic() - began < window * 1.5:
                pending.append(Planned(time.monotonic() - began + RETRY_SECONDS, head.kind))
            else:
                self.missed[head.kind] += 1
        for entry in pending:
            self.missed[entry.kind] += 1

    def kill(self) -> bool:
        """SIGKILL a random service process, then wait for the runner to start it again."""
        name = self.rng.choice(SERVICES)
        pid = self.platform.pids().get(name)
        if pid is None:
            return False
        os.kill(pid, signal.SIGKILL)
        self.killed[name] += 1
        wait_for(f"{name} restarted", lambda: self.platform.pids().get(name) not in (None, pid), 60)
        return True

    def fail_stack(self, *, rollback: bool) -> bool:
        """The next stack created fails: ROLLBACK_COMPLETE, or CREATE_FAILED without rollback."""
        self.aws.control("stacks/fail-next", {"rollback": rollback, "reason": "chaos"})
        return True

    def terminate_cluster(self) -> bool:
        """A cluster running a step ends TERMINATED_WITH_ERRORS (its steps INTERRUPTED)."""
        busy = self._clusters_running_steps()
        if not busy:
            return False
        cluster = self.rng.choice(busy)
        self.aws.control(f"clusters/{cluster}/terminate", {"reason": "chaos: instance lost"})
        return True

    def fail_step(self) -> bool:
        """A running step ends FAILED."""
        busy = self._clusters_running_steps()
        if not busy:
            return False
        self.aws.control(f"clusters/{self.rng.choice(busy)}/fail-step", {"reason": "chaos"})
        return True

    def lose_heartbeat(self) -> bool:
        """Freeze a service process (SIGSTOP) past the monitor's heartbeat timeout, then thaw it."""
        name = self.rng.choice(("job", "cluster"))
        pid = self.platform.pids().get(name)
        if pid is None:
            return False
        os.kill(pid, signal.SIGSTOP)
        try:
            time.sleep(self.heartbeat_pause)
        finally:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGCONT)
        return True

    def _clusters_running_steps(self) -> list[str]:
        return [
            c["Id"]
            for c in self.aws.clusters(("RUNNING", "WAITING"))
            if c["Status"]["State"] in LIVE_CLUSTER and self.aws.steps(c["Id"], ("RUNNING",))
        ]
