"""The job and cluster services' Chalice apps served over HTTP on free ports, for jobctl.

Each service runs on the in-memory store (the cluster service on a fake cloud, seeding the
cluster profiles small, medium and large); `FakeEmr` plays the rest of the platform for the
job service: it brings up one cluster per cluster profile and completes every step it is given.
No tests here.
"""

from __future__ import annotations

import io
import json
import socket
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import HTTPServer
from typing import Any
from uuid import uuid4

from chalice.app import Chalice
from chalice.config import Config
from chalice.local import ChaliceRequestHandler, LocalDevServer

from cli.main import main
from cluster_service import app as cluster_app
from cluster_service.adapters import FakeProvisioner, FakeThresholds
from cluster_service.api.runtime import Api as ClusterApi
from cluster_service.api.settings import ApiSettings as ClusterApiSettings
from cluster_service.bootstrap import ClusterServiceSettings
from cluster_service.bootstrap import bootstrap as cluster_bootstrap
from events.schemas import ClusterIdle, ClusterReady, to_envelope
from job_service import app as job_app
from job_service.adapters import FakeStepRunner
from job_service.api.runtime import Api as JobApi
from job_service.api.settings import ApiSettings as JobApiSettings
from job_service.bootstrap import JobService, JobServiceSettings
from job_service.bootstrap import bootstrap as job_bootstrap
from job_service.domain import ProfileTerms, StepTemplate
from monitor_service import app as monitor_app
from monitor_service.api.runtime import Api as MonitorApi
from monitor_service.api.settings import ApiSettings as MonitorApiSettings
from tests.monitor_service.support import World as MonitorWorld

TENANT_KEY, OTHER_KEY, OPERATOR_KEY = "local-demo-key", "key-of-tenant-2", "local-operator-key"
MEMORY = "backbone.eventstore.memory"
JOB_PROFILES = {"training": "large", "scoring": "small", "predicting": "medium"}
"""Job profile -> its cluster profile, as local_runtime/seed.py seeds them."""
FRAGILE = "fragile"
"""A job profile of one attempt: a failed step fails its job."""
SCRIPTS = "s3://emr-control-plane-demo/jobs"


def seeded_terms() -> dict[str, ProfileTerms]:
    """The job profiles as local_runtime/seed.py has them (a test there keeps them alike),
    plus FRAGILE."""
    every = frozenset({"critical", "high", "normal", "low"})
    return {
        "training": _terms(
            "training",
            "large",
            "spark",
            (
                "--deploy-mode",
                "cluster",
                f"{SCRIPTS}/train.py",
                "--dataset",
                "{dataset}",
                "--sleep-seconds={duration}",
            ),
            frozenset({"high", "normal", "low"}),
        ),
        "scoring": _terms(
            "scoring",
            "small",
            "spark",
            (
                "--deploy-mode",
                "cluster",
                f"{SCRIPTS}/score.py",
                "--date",
                "{date}",
                "--sleep-seconds={duration}",
            ),
            every,
        ),
        "predicting": _terms(
            "predicting",
            "medium",
            "command",
            (
                "spark-submit",
                "--deploy-mode",
                "cluster",
                f"{SCRIPTS}/predict.py",
                "--input",
                "{input}",
                "--sleep-seconds={duration}",
            ),
            every,
            "high",
        ),
        FRAGILE: _terms(
            "scoring",
            "small",
            "spark",
            (
                f"{SCRIPTS}/score.py",
                "--date",
                "{date}",
                "--sleep-seconds={duration}",
            ),
            every,
            max_attempts=1,
        ),
    }


def _terms(
    job_type: Any,
    cluster_profile: str,
    kind: Any,
    args: tuple[str, ...],
    allowed: frozenset[str],
    priority_class: Any = "normal",
    max_attempts: int = 3,
) -> ProfileTerms:
    return ProfileTerms(
        job_type=job_type,
        cluster_profile=cluster_profile,
        step_template=StepTemplate(kind, args),
        priority_class=priority_class,
        allowed_priorities=allowed,
        max_attempts=max_attempts,  # type: ignore[arg-type]
        timeout_seconds=600,
    )


def free_port() -> int:
    """A port nothing listens on (bound and released)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


class QuietHandler(ChaliceRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        """No line per request on stderr."""


class Served:
    """A Chalice app behind one HTTP server thread on 127.0.0.1 (one request at a time)."""

    def __init__(self, app: Chalice) -> None:
        self.dev = LocalDevServer(
            app, Config.create(), "127.0.0.1", 0, handler_cls=QuietHandler, server_cls=HTTPServer
        )
        self.url = f"http://127.0.0.1:{self.dev.server.server_address[1]}"
        self.thread = threading.Thread(
            target=self.dev.server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )
        self.thread.start()

    def close(self) -> None:
        self.dev.server.shutdown()
        self.dev.server.server_close()
        self.thread.join(5)


@dataclass(frozen=True)
class Result:
    code: int
    out: str
    err: str

    def json(self) -> Any:
        return json.loads(self.out)


@dataclass
class Platform:
    """The served services, with the environment jobctl needs to reach them."""

    jobs: JobService
    runner: FakeStepRunner
    job_server: Served
    cluster_server: Served
    env: dict[str, str] = field(default_factory=dict)
    monitor_server: Served | None = None

    @classmethod
    def start(cls, monitor: MonitorWorld | None = None) -> Platform:
        """The job and cluster services; the monitor service too if `monitor` is given (else
        JOBCTL_MONITOR_URL names a port nothing listens on)."""
        runner = FakeStepRunner()
        jobs = job_bootstrap(
            JobServiceSettings("unused", persistence_module=MEMORY), step_runner=runner
        )
        for name, terms in seeded_terms().items():
            jobs.app.create_profile(name, terms, at=_now())
        keys = {TENANT_KEY: "demo", OTHER_KEY: "tenant-2"}
        job_settings = JobApiSettings(api_keys=keys, operator_keys={OPERATOR_KEY: "operator"})
        job_app.api.use(JobApi.serving(jobs, job_settings))
        cloud = FakeProvisioner()
        clusters = cluster_bootstrap(
            ClusterServiceSettings(persistence_module=MEMORY, seed_profiles=True),
            provisioner=cloud,
            inspector=cloud.inspector,
            thresholds=FakeThresholds(),
        )
        operators = {OPERATOR_KEY: "operator"}
        cluster_app.api.use(ClusterApi(clusters, ClusterApiSettings(api_keys=operators)))
        job_server, cluster_server = Served(job_app.app), Served(cluster_app.app)
        monitor_server = None
        if monitor is not None:
            monitor_app.api.use(MonitorApi(monitor.service, MonitorApiSettings(operators)))
            monitor_server = Served(monitor_app.app)
        env = {
            "JOBCTL_JOB_URL": job_server.url,
            "JOBCTL_CLUSTER_URL": cluster_server.url,
            "JOBCTL_MONITOR_URL": monitor_server.url
            if monitor_server
            else f"http://127.0.0.1:{free_port()}",
        }
        return cls(jobs, runner, job_server, cluster_server, env, monitor_server)

    def close(self) -> None:
        for server in (self.job_server, self.cluster_server, self.monitor_server):
            if server is not None:
                server.close()
        job_app.api.use(None)
        cluster_app.api.use(None)
        monitor_app.api.use(None)

    def run(self, *argv: str, **env: str) -> Result:
        """jobctl with `argv`, in this platform's environment plus `env`."""
        out, err = io.StringIO(), io.StringIO()
        code = main(list(argv), environ=self.env | env, out=out, err=err)
        return Result(code, out.getvalue(), err.getvalue())


class FakeEmr:
    """What the cluster service, EMR and the Tick would do for the job service: one cluster per
    cluster profile comes up with `slots` slots (after `delay` seconds), every step completes as
    soon as it is added (or fails, if its id is in `fail`), and the job service ticks."""

    def __init__(
        self, platform: Platform, slots: int = 2, fail: set[str] | None = None, delay: float = 0
    ) -> None:
        self.platform, self.slots, self.fail, self.delay = platform, slots, fail or set(), delay
        self.finished: set[str] = set()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> FakeEmr:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(5)

    def _run(self) -> None:
        if self._stop.wait(self.delay):
            return
        profiles = {f"j-EMR{n}": p for n, p in enumerate(sorted(set(JOB_PROFILES.values())))}
        for emr, profile in profiles.items():
            self._deliver(
                ClusterReady(
                    **_common(),
                    cluster_id=f"c-{profile}",
                    cluster_profile=profile,
                    emr_cluster_id=emr,
                    slots=self.slots,
                )
            )
        while not self._stop.wait(0.02):
            self.platform.jobs.app.tick(_now())  # as the job service's Tick does
            for step_id, step in list(self.platform.runner.steps.items()):
                if step_id in self.finished:
                    continue
                self.finished.add(step_id)
                state = "FAILED" if step_id in self.fail else "COMPLETED"
                self._deliver(_step_event(step_id, state, step.emr_cluster_id))
                profile = profiles[step.emr_cluster_id]
                self._deliver(
                    ClusterIdle(
                        **_common(),
                        cluster_id=f"c-{profile}",
                        cluster_profile=profile,
                        free_slots=1,
                    )
                )

    def _deliver(self, event: Any) -> None:
        body = event if isinstance(event, dict) else to_envelope(event, envelope_id=str(uuid4()))
        self.platform.jobs.consumer.handle_message_body(json.dumps(body))


def _now() -> datetime:
    return datetime.now(UTC)


def _common() -> dict[str, Any]:
    return {"event_id": str(uuid4()), "occurred_at": _now()}


def _step_event(step_id: str, state: str, emr: str) -> dict[str, Any]:
    return {
        "version": "0",
        "id": str(uuid4()),
        "detail-type": "EMR Step Status Change",
        "source": "aws.emr",
        "time": _now().isoformat().replace("+00:00", "Z"),
        "region": "us-east-1",
        "detail": {"clusterId": emr, "stepId": step_id, "state": state},
    }


def wait_for(condition: Any, seconds: float = 5.0) -> None:
    until = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < until, "timed out waiting"
        time.sleep(0.02)
