"""run_demo: submit the planned bursts, follow every job to its end, gather the report.

With the keys of further tenants (`DemoOptions.tenants`), the demo's own tenant submits half the
jobs in bursts and the others share the rest as steady streams over the same time; a tenant whose
key the job service refuses is left out (with a note), down to the demo's own tenant alone.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from uuid import uuid4

from cli.api import MAX_PAGE, Apis, JobApi, Json
from cli.demo.clusters import ClusterWatch
from cli.demo.costs import cost_summary
from cli.demo.report import DemoReport
from cli.demo.summary import JobOutcome
from cli.demo.workload import (
    PRIORITIES,
    PROFILES,
    Burst,
    PlannedJob,
    plan_steady,
    plan_workload,
    step_parameters,
)
from cli.display import Silent
from cli.exits import ApiError, CliError, Unreachable
from cli.http import ServiceClient
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
    tenant_name: str = "demo"
    """What the report calls the tenant of the demo's own key."""
    tenants: Sequence[tuple[str, str]] = ()
    """Further tenants as (name, API key): each submits a steady stream."""


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
    profiles = {name: _profile(apis.jobs, name) for name in options.profiles}
    notes: list[str] = []
    tenants = {options.tenant_name: apis.jobs} | _other_tenants(apis, options, notes)
    plan = _plan(options, list(tenants)[1:], profiles)
    templates = {name: list(p["step_template"]["args"]) for name, p in profiles.items()}
    run = DemoRun(
        apis, options, plan, templates, display or Silent(), clock, today or date.today(), tenants
    )
    run.notes += notes
    return run.run(sleep)


def _other_tenants(apis: Apis, options: DemoOptions, notes: list[str]) -> dict[str, JobApi]:
    """The further tenants whose keys the job service takes (it must show them the profiles)."""
    found = {}
    for name, key in options.tenants:
        api = JobApi(ServiceClient(replace(apis.settings.job, key=key)))
        try:
            for profile in options.profiles:
                api.profile(profile)
        except ApiError as error:
            notes.append(f"tenant {name} left out: the job service answered {error.status}")
            continue
        found[name] = api
    return found


def _plan(options: DemoOptions, others: list[str], profiles: Mapping[str, Json]) -> list[Burst]:
    """The demo's own tenant's bursts, and each other tenant's steady stream, by time."""
    allowed = {name: p.get("allowed_priorities") or PRIORITIES for name, p in profiles.items()}
    own = options.jobs if not others else max(1, options.jobs // 2)
    plan = plan_workload(
        own,
        min(options.bursts, own),
        options.seed,
        options.gap_seconds,
        options.profiles,
        options.duration_scale,
        allowed=allowed,
    )
    span = max(plan[-1].at_seconds, options.gap_seconds)
    first, rest = own, options.jobs - own
    for n, tenant in enumerate(others):
        jobs = rest // len(others) + (1 if n < rest % len(others) else 0)
        if jobs:
            plan += plan_steady(
                jobs,
                options.seed + n + 1,
                span,
                tenant,
                first,
                options.profiles,
                options.duration_scale,
                allowed,
            )
            first += jobs
    return sorted(plan, key=lambda burst: burst.at_seconds)


def _profile(api: JobApi, profile: str) -> Json:
    try:
        return api.profile(profile)
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
        tenants: Mapping[str, JobApi] | None = None,
    ) -> None:
        self.apis, self.options, self.plan, self.templates = apis, options, plan, templates
        self.display, self.clock, self.today = display, clock, today
        self.tenants = dict(tenants or {options.tenant_name: apis.jobs})
        self.tenant_of: dict[str, str] = {}
        self.estimates: dict[str, str | None] = {}
        """What POST /jobs said of each job's start."""
        self.tracker = Tracker(_AllTenants(apis.jobs, self.tenants, self.tenant_of), clock)
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
            sum(1 for b in self.plan if not b.steady),
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
            if not burst.steady:
                bursts = sum(1 for b in self.plan if not b.steady)
                self.display.say(f"burst {burst.index + 1} of {bursts}: {len(burst.jobs)} jobs")
        self._submit_pending()
        self.clusters.sample()
        return bool(self.pending) or self.next_burst < len(self.plan)

    def _submit_pending(self) -> None:
        while self.pending:
            job = self.pending[0]
            parameters = step_parameters(self.templates[job.profile], job.seconds, self.today)
            key = f"demo-{self.options.run_id}-{job.index}"
            tenant = job.tenant or self.options.tenant_name
            try:
                accepted = self.tenants[tenant].submit(
                    job.profile, job.name, parameters, job.priority, key
                )
            except Unreachable:
                return  # the next round tries again; the Idempotency-Key makes that safe
            self.pending.pop(0)
            self.tenant_of[accepted["job_id"]] = tenant
            self.estimates[accepted["job_id"]] = accepted.get("estimated_start_at")
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
        tenant = self.tenant_of.get(job_id, self.options.tenant_name)
        estimate = self.estimates.get(job_id)
        try:
            found = JobOutcome.of(self.tenants[tenant].job(job_id))
            return replace(found, tenant=tenant, estimated_start=estimate)
        except ApiError as error:
            if error.status != 404:
                raise
        return JobOutcome(
            job_id,
            watched.name or "",
            watched.profile or "",
            watched.priority or "",
            "lost",
            tenant=tenant,
            estimated_start=estimate,
        )


class _AllTenants(JobApi):
    """The demo's tenants' job APIs as one, for the tracker: a job is read with its tenant's
    key, listings go through each tenant's."""

    def __init__(
        self, own: JobApi, tenants: Mapping[str, JobApi], tenant_of: Mapping[str, str]
    ) -> None:
        super().__init__(own.client)
        self._own, self._tenants, self._tenant_of = own, tenants, tenant_of

    def job(self, job_id: str) -> Json:
        owner = self._tenant_of.get(job_id)
        return (self._own if owner is None else self._tenants[owner]).job(job_id)

    def jobs(
        self, status: str | None = None, profile: str | None = None, page_size: int = MAX_PAGE
    ) -> Iterator[Json]:
        for api in self._tenants.values():
            yield from api.jobs(status, profile, page_size)
