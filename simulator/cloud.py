"""CloudFormation + EMR on a SimPy clock: the cluster service's Provisioner and ClusterInspector,
and the job service's StepRunner, moving through AWS's real state sequences and putting AWS's
events on the simulated bus.

A stack: CREATE_IN_PROGRESS at once; its EMR cluster STARTING after the stack's own draw,
BOOTSTRAPPING for the start-up's last `bootstrap_share`, WAITING at the start-up draw, then the
stack CREATE_COMPLETE. DeleteStack: DELETE_IN_PROGRESS and TERMINATING at once, TERMINATED after
the termination draw, DELETE_COMPLETE just after. Billing runs from CreateStack to TERMINATED
(EC2 bills instances from launch, EMR per second of the cluster, one minute at least; the
stack's first seconds before EC2 is asked are counted too, which errs on the dear side).

A step (AddJobFlowSteps): PENDING, RUNNING after `step_overhead_s`, COMPLETED after its run time
(the `--run-seconds=` argument of the simulator's step template). Events for RUNNING and
COMPLETED are sent; EMR's PENDING event is left out (the job service does nothing on it).

The start-up draws and the bill are `simulator.clusters`', shared with the pool model.
"""

from __future__ import annotations

import json
import re
from collections import deque
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Final

import simpy

from cluster_service.application.ports import (
    ClusterInspector,
    EmrClusterInfo,
    Provisioner,
    StackInfo,
)
from job_service.application.ports import ClusterGone, StepNotFound, StepRunner, StepStatus
from simulator.clusters import ClusterLedger, StartupDraws

REGION_ACCOUNT: Final = "us-east-1:123456789012"
CFN_SOURCE: Final = "aws.cloudformation"
EMR_SOURCE: Final = "aws.emr"
_RUN = re.compile(r"--run-seconds=([0-9.]+)")
_JOB = re.compile(r"--job=(\d+)")

AwsEmit = Callable[[str, str, dict[str, Any]], None]
"""(source, detail-type, detail) → put on the default bus."""


@dataclass
class _Stack:
    name: str
    n: int
    profile: str
    tags: dict[str, str]
    cluster_name: str
    created_at: float
    status: str = "CREATE_IN_PROGRESS"
    emr_state: str = "STARTING"
    running_steps: int = 0
    idle_since: float | None = None
    terminate_s: float = 60.0
    steps: dict[str, _Step] = field(default_factory=dict)
    """Its steps that have not ended (a deletion cancels them)."""

    @property
    def stack_id(self) -> str:
        return f"arn:aws:cloudformation:{REGION_ACCOUNT}:stack/{self.name}/{self.n:08d}"

    @property
    def emr_id(self) -> str:
        return f"j-SIM{self.n:010d}"


@dataclass
class _Step:
    step_id: str
    emr_id: str
    name: str
    job: int
    run_s: float
    state: str = "PENDING"


StepStarted = Callable[[int, float], None]
"""(job index, virtual time) when a step goes RUNNING."""


class SimCloud(Provisioner, ClusterInspector, StepRunner):
    """CloudFormation, EMR clusters and EMR steps in one SimPy model (see the module doc)."""

    def __init__(
        self,
        env: simpy.Environment,
        draws: StartupDraws,
        ledger: ClusterLedger,
        emit: AwsEmit,
        on_step_started: StepStarted,
    ) -> None:
        self.env = env
        self.draws = draws
        self.ledger = ledger
        self.emit = emit
        self.on_step_started = on_step_started
        self.stacks: dict[str, _Stack] = {}
        self._by_emr: dict[str, _Stack] = {}
        self.steps: dict[str, _Step] = {}
        self._ended: deque[str] = deque()
        self._ordinal: dict[str, int] = {}
        self._ids = 0
        self.transitions = 0
        """Stack, cluster and step state changes, for the events/s figure."""

    # Provisioner ----------------------------------------------------------------------------

    def create_stack(
        self,
        stack_name: str,
        template: str,
        parameters: Sequence[Mapping[str, str]],
        client_request_token: str,
        tags: Mapping[str, str],
    ) -> None:
        if stack_name in self.stacks:
            return
        values = {p["ParameterKey"]: p["ParameterValue"] for p in parameters}
        profile = values["PoolProfile"]
        self._ids += 1
        ordinal = self._ordinal.get(profile, 0)
        self._ordinal[profile] = ordinal + 1
        stack = _Stack(
            name=stack_name,
            n=self._ids,
            profile=profile,
            tags=dict(tags),
            cluster_name=f"emrcp-{profile}-{values['ClusterId']}",
            created_at=self.env.now,
        )
        self.stacks[stack_name] = stack
        self._by_emr[stack.emr_id] = stack
        self.ledger.start(profile)
        startup = self.draws.draw(profile, ordinal)
        stack.terminate_s = startup.terminate_s
        self._stack_event(stack, "CREATE_IN_PROGRESS")
        share = self.draws.model.bootstrap_share
        bootstrapping = startup.waiting_s - share * (startup.waiting_s - startup.stack_s)
        self._at(startup.stack_s, lambda: self._emr(stack, "STARTING"))
        self._at(bootstrapping, lambda: self._emr(stack, "BOOTSTRAPPING"))
        self._at(startup.waiting_s, lambda: self._ready(stack))

    def _ready(self, stack: _Stack) -> None:
        if stack.status != "CREATE_IN_PROGRESS":
            return
        stack.idle_since = self.env.now
        self._emr(stack, "WAITING")
        stack.status = "CREATE_COMPLETE"
        self._stack_event(stack, "CREATE_COMPLETE")

    def delete_stack(self, stack_name: str, client_request_token: str) -> None:
        stack = self.stacks.get(stack_name)
        if stack is None or stack.status == "DELETE_IN_PROGRESS":
            return
        stack.status = "DELETE_IN_PROGRESS"
        self._stack_event(stack, "DELETE_IN_PROGRESS")
        self._emr(stack, "TERMINATING", "USER_REQUEST")
        for step in list(stack.steps.values()):
            self._step_event(step, "CANCELLED")
        self._at(stack.terminate_s, lambda: self._terminated(stack))

    def _terminated(self, stack: _Stack) -> None:
        self._emr(stack, "TERMINATED", "USER_REQUEST")
        self.ledger.stop(stack.profile, self.env.now - stack.created_at)
        self._at(5.0, lambda: self._deleted(stack))

    def _deleted(self, stack: _Stack) -> None:
        stack.status = "DELETE_COMPLETE"
        self._stack_event(stack, "DELETE_COMPLETE")
        self.stacks.pop(stack.name, None)
        self._by_emr.pop(stack.emr_id, None)

    def describe_stack(self, stack_name: str) -> StackInfo | None:
        stack = self.stacks.get(stack_name)
        return None if stack is None else _info(stack)

    def emr_cluster_id(self, stack_name: str) -> str | None:
        stack = self.stacks.get(stack_name)
        return None if stack is None else stack.emr_id

    def stacks_tagged(self, tag_key: str) -> list[StackInfo]:
        return [_info(s) for s in self.stacks.values() if tag_key in s.tags]

    # ClusterInspector -----------------------------------------------------------------------

    def describe(self, emr_cluster_id: str) -> EmrClusterInfo | None:
        stack = self._by_emr.get(emr_cluster_id)
        if stack is None:
            issued = emr_cluster_id.startswith("j-SIM")
            return EmrClusterInfo(emr_cluster_id, "TERMINATED") if issued else None
        return EmrClusterInfo(
            emr_cluster_id, stack.emr_state, stack.cluster_name, tags=dict(stack.tags)
        )

    # StepRunner -----------------------------------------------------------------------------

    def add_step(self, emr_cluster_id: str, step_config: Mapping[str, Any]) -> str:
        stack = self._by_emr.get(emr_cluster_id)
        if stack is None or stack.emr_state not in ("WAITING", "RUNNING"):
            raise ClusterGone(f"{emr_cluster_id} takes no steps")
        args = " ".join(step_config.get("HadoopJarStep", {}).get("Args", ()))
        run, job = _RUN.search(args), _JOB.search(args)
        self._ids += 1
        step = _Step(
            step_id=f"s-SIM{self._ids:010d}",
            emr_id=emr_cluster_id,
            name=str(step_config.get("Name", "")),
            job=int(job.group(1)) if job else -1,
            run_s=float(run.group(1)) if run else 0.0,
        )
        self.steps[step.step_id] = step
        stack.steps[step.step_id] = step
        self._at(self.draws.model.step_overhead_s, lambda: self._run(step))
        return step.step_id

    def _run(self, step: _Step) -> None:
        if step.state != "PENDING":
            return
        stack = self._by_emr.get(step.emr_id)
        if stack is None:
            return
        stack.running_steps += 1
        if stack.emr_state == "WAITING":
            stack.emr_state = "RUNNING"
        self._step_event(step, "RUNNING")
        self.on_step_started(step.job, self.env.now)
        started = self.env.now
        self._at(step.run_s, lambda: self._complete(step, started))

    def _complete(self, step: _Step, started: float) -> None:
        if step.state != "RUNNING":
            return
        self.ledger.busy_slot_seconds += self.env.now - started
        self._step_event(step, "COMPLETED")
        stack = self._by_emr.get(step.emr_id)
        if stack is not None:
            stack.running_steps -= 1
            if stack.running_steps == 0 and stack.emr_state == "RUNNING":
                stack.emr_state = "WAITING"
                stack.idle_since = self.env.now

    def describe_step(self, emr_cluster_id: str, step_id: str) -> StepStatus:
        step = self.steps.get(step_id)
        if step is None or step.emr_id != emr_cluster_id:
            raise StepNotFound(f"{emr_cluster_id} has no step {step_id}")
        return StepStatus(step.state)

    def find_step(self, emr_cluster_id: str, name: str) -> str | None:
        found = [
            s.step_id for s in self.steps.values() if s.emr_id == emr_cluster_id and s.name == name
        ]
        return found[-1] if found else None

    def cancel_step(self, emr_cluster_id: str, step_id: str) -> None:
        step = self.steps.get(step_id)
        if step is None or step.emr_id != emr_cluster_id:
            raise StepNotFound(f"{emr_cluster_id} has no step {step_id}")
        if step.state in ("PENDING", "RUNNING"):
            was_running = step.state == "RUNNING"
            self._step_event(step, "CANCELLED")
            stack = self._by_emr.get(step.emr_id)
            if was_running and stack is not None:
                stack.running_steps -= 1

    # What the simulator reads ---------------------------------------------------------------

    def in_transition(self) -> bool:
        """Whether some stack is being created or deleted (the platform is not at rest)."""
        return any(
            s.status in ("CREATE_IN_PROGRESS", "DELETE_IN_PROGRESS") for s in self.stacks.values()
        )

    def idle_clusters(self) -> list[tuple[str, float]]:
        """(profile, idle since) of every cluster that is up and runs no step."""
        return [
            (s.profile, s.idle_since)
            for s in self.stacks.values()
            if s.status == "CREATE_COMPLETE" and s.running_steps == 0 and s.idle_since is not None
        ]

    # Inner workings -------------------------------------------------------------------------

    def _at(self, delay: float, action: Callable[[], None]) -> None:
        timeout = self.env.timeout(max(0.0, delay))
        timeout.callbacks.append(lambda _: action())

    def _stack_event(self, stack: _Stack, status: str) -> None:
        self.transitions += 1
        detail = {
            "stack-id": stack.stack_id,
            "client-request-token": "",
            "status-details": {"status": status, "status-reason": ""},
        }
        self.emit(CFN_SOURCE, "CloudFormation Stack Status Change", detail)

    def _emr(self, stack: _Stack, state: str, code: str = "") -> None:
        if stack.emr_state in ("TERMINATING", "TERMINATED") and state not in (
            "TERMINATING",
            "TERMINATED",
        ):
            return
        self.transitions += 1
        stack.emr_state = state
        detail = {
            "clusterId": stack.emr_id,
            "state": state,
            "name": stack.cluster_name,
            "stateChangeReason": json.dumps({"code": code} if code else {}),
        }
        self.emit(EMR_SOURCE, "EMR Cluster State Change", detail)

    def _step_event(self, step: _Step, state: str) -> None:
        self.transitions += 1
        step.state = state
        detail = {
            "clusterId": step.emr_id,
            "stepId": step.step_id,
            "state": state,
            "name": step.name,
            "actionOnFailure": "CONTINUE",
            "stateChangeReason": {},
        }
        self.emit(EMR_SOURCE, "EMR Step Status Change", detail)
        if state in ("COMPLETED", "CANCELLED", "FAILED"):
            stack = self._by_emr.get(step.emr_id)
            if stack is not None:
                stack.steps.pop(step.step_id, None)
            self._ended.append(step.step_id)
            while len(self._ended) > 5_000:
                self.steps.pop(self._ended.popleft(), None)


def _info(stack: _Stack) -> StackInfo:
    return StackInfo(
        name=stack.name,
        stack_id=stack.stack_id,
        status=stack.status,
        reason="",
        tags=dict(stack.tags),
        outputs={"EmrClusterId": stack.emr_id} if stack.status == "CREATE_COMPLETE" else {},
    )
