"""run_demo: submit the planned bursts, follow every job to its end, gather the report."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from uuid import uuid4

from cli.api import Apis, Json
from cli.demo.clusters import ClusterWatch
from cli.demo.costs import cost_summary
from cli.demo.report import DemoReport
from cli.demo.summary import JobOutcome
from cli.demo.workload import (
    PRIORITIES,
    PROFILES,
    Burst,
    PlannedJob,
    plan_workload,
    step_parameters,
)
from cli.display import Silent
from cli.exits import ApiError, CliError, Unreachable
from cli.progress import Display, Tracker, follow
from cli.render import duration


@dataclass(frozen=True)
class DemoOptions:
    jobs: int = 60
    bursts: int = 4
    seed: int = 7
    gap_seconds: float = 8.0
    """Seconds between bursts (each jittered by up to a quarter)."""
    duration_scale: float = 1.0
    """Multiplies every step's run time."""
    profiles: Sequence[str] = PROFILES
    interval: float = 1.0
    deadline_seconds: float = 600.0
    """A job not ended this long after the demo began is stuck."""
    settle_seconds: float = 0.0
    """After the jobs ended, wait up to this long for the pools to fall back to MINIMUM."""
    cluster_every_seconds: float = 2.0
    run_id: str = field(default_factory=lambda: uuid4().hex[:8])
    """In every job's Idempotency-Key: a retried submission is the same job, a rerun is not."""


def run_demo(
    apis: Apis,
    options: DemoOptions | None = None,
    display: Display | None = None,
    *,
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], None] = time.sleep,
    today: date | None = None,
) -> DemoReport:
    """Run the demo against the platform behind `apis`; CliError if it cannot begin (a job
    profile is missing, a service does not answer)."""
    options = options or DemoOptions()
    profiles = {name: _profile(apis, name) for name in options.profiles}
    plan = plan_workload(
        options.jobs,
        options.bursts,
        options.seed,
        options.gap_seconds,
        options.profiles,
        options.duration_scale,
        allowed={name: p.get("allowed_priorities") or PRIORITIES for name, p in profiles.items()},
    )
    templates = {name: list(p["step_template"]["args"]) for name, p in profiles.items()}
    run = DemoRun(apis, options, plan, templates, display or Silent(), clock, today or date.today())
    return run.run(sleep)


def _profile(apis: Apis, profile: str) -> Json:
    try:
        return apis.jobs.profile(profile)
    except ApiError as error:
        if error.status == 404:
            error.message += (
                f"\nthe demo needs the job profiles {', '.join(PROFILES)}: "
                "`make run` seeds them (or give --profiles)"
            )
        raise


class DemoRun:
    """One run: the bursts still to submit, the jobs followed, the clusters sampled."""

    def __init__(
        self,
        apis: Apis,
        options: DemoOptions,
        plan: list[Burst],
        templates: dict[str, list[str]],
        display: Display,
        clock: Callable[[], float],
        today: date,
    ) -> None:
        self.apis, self.options, self.plan, self.templates = apis, options, plan, templates
        self.display, self.clock, self.today = display, clock, today
        self.tracker = Tracker(apis.jobs, clock)
        self.clusters = ClusterWatch(apis.clusters, options.cluster_every_seconds, clock, self.note)
        self.pending: list[PlannedJob] = []
        self.next_burst = 0
        self.notes: list[str] = []
        self.began = clock()

    def run(self, sleep: Callable[[float], None]) -> DemoReport:
        metrics_before = self._metrics(quiet=True)
        self.clusters.start()
        self.began = self.clock()
        ended = follow(
            self.tracker,
            self.display,
            interval=self.options.interval,
            timeout=self.options.deadline_seconds,
            step=self._step,
            sleep=sleep,
        )
        if ended and self.options.settle_seconds > 0:
            self._settle(sleep)
        outcomes = [self._outcome(job_id) for job_id in self.tracker.jobs]
        ends = ("succeeded", "failed", "cancelled", "lost")
        self.clusters.sample(force=True)
        return DemoReport(
            outcomes,
            sum(len(b.jobs) for b in self.plan),
            len(self.plan),
            self.options.seed,
            self.clock() - self.began,
            [o.job_id for o in outcomes if o.status not in ends],
            self.clusters.stats(),
            cost_summary(metrics_before, self._metrics()),
            self.notes,
        )

    def note(self, note: str) -> None:
        if note not in self.notes:
            self.notes.append(note)

    def _step(self) -> bool:
        """Submit what is due; sample the clusters; True while jobs are still to be submitted."""
        elapsed = self.clock() - self.began
        while self.next_burst < len(self.plan) and self.plan[self.next_burst].at_seconds <= elapsed:
            burst = self.plan[self.next_burst]
            self.pending += burst.jobs
            self.next_burst += 1
            self.display.say(f"burst {burst.index + 1} of {len(self.plan)}: {len(burst.jobs)} jobs")
        self._submit_pending()
        self.clusters.sample()
        return bool(self.pending) or self.next_burst < len(self.plan)

    def _submit_pending(self) -> None:
        while self.pending:
            job = self.pending[0]
            parameters = step_parameters(self.templates[job.profile], job.seconds, self.today)
            key = f"demo-{self.options.run_id}-{job.index}"
            try:
                accepted = self.apis.jobs.submit(
                    job.profile, job.name, parameters, job.priority, key
                )
            except Unreachable:
                return  # the next round tries again; the Idempotency-Key makes that safe
            self.pending.pop(0)
            known = {"name": job.name, "profile": job.profile, "priority": job.priority}
            self.tracker.add(accepted["job_id"], known | {"status": accepted["status"]})

    def _settle(self, sleep: Callable[[float], None]) -> None:
        """Wait for every pool to be back at its minimum, unless its idle TTL is too long."""
        ttl, limit = self.clusters.longest_idle_ttl(), self.options.settle_seconds
        if ttl > limit:
            self.note(
                f"pools above their minimum fall back after their idle TTL ({duration(ttl)}), "
                f"longer than the {duration(limit)} the demo waits (--settle)"
            )
            return
        self.display.say("every job ended; waiting for the pools to fall back to their minimum")
        if not self.clusters.settle(limit, self.options.interval, sleep):
            self.note(f"the pools were not at their minimum {duration(limit)} after the jobs ended")

    def _metrics(self, quiet: bool = False) -> Json | None:
        try:
            return self.apis.monitor.metrics()
        except CliError as error:
            if not quiet:
                self.note(f"no cost figures: {error.message.splitlines()[0]}")
            return None

    def _outcome(self, job_id: str) -> JobOutcome:
        watched = self.tracker.jobs[job_id]
        try:
            return JobOutcome.of(self.apis.jobs.job(job_id))
        except ApiError as error:
            if error.status != 404:
                raise
        return JobOutcome(
            job_id, watched.name or "", watched.profile or "", watched.priority or "", "lost"
        )
