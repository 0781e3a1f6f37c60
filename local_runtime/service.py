"""`python -m local_runtime.service job|cluster|monitor`: one service as its own process.

The process serves the service's Chalice app with chalice's local dev server (no autoreload) and,
on the same service instance, runs what Lambda and EventBridge Scheduler run on AWS: the queue
poller (the SQS event source), the stream relay (the DynamoDB Streams event source) and the Tick.
It stops on SIGTERM or SIGINT, and on its own when the runner that started it is gone. The
runner (`python -m local_runtime`) starts these processes with their environment; see
`services.service_environment`.
"""

from __future__ import annotations

import logging
import os
import signal
import sys
import threading
import time
from collections.abc import Callable
from types import FrameType
from typing import Any

from backbone.messaging.publisher import EventBridgePublisher
from backbone.messaging.relay import Relay

from .chaos.delivery import DeliveryChaos
from .emulator import client
from .services import Hosted, ServiceSpec, build, spec_named
from .settings import LocalSettings, RunnerSettings, SettingsError
from .sqs_poller import SqsPoller
from .stream_poller import StreamPoller

EXIT_USAGE = 2
PARENT_CHECK_SECONDS = 1.0
RETRY_VISIBILITY_SECONDS = 2
"""How soon a message its handler failed on is received again."""
log = logging.getLogger("local_runtime.service")


class ServiceProcess:
    """A service's HTTP server, queue poller, stream relay and Tick, on threads."""

    def __init__(self, spec: ServiceSpec, hosted: Hosted, runner: RunnerSettings) -> None:
        self.spec, self.hosted, self.runner = spec, hosted, runner
        self.stop_event = threading.Event()
        self._threads: list[threading.Thread] = []
        self._server: Any | None = None

    def start(self, endpoint_url: str, local: LocalSettings) -> None:
        """Start the pollers and the Tick, then serve HTTP on the service's port."""
        service = self.hosted.service
        self._loop("relay", self._relay(endpoint_url, local).run, self.runner.poll_seconds)
        self._loop("consumer", self._consumer(endpoint_url, local).run)
        self._loop("tick", self._tick_forever)
        self._server = self._http_server()
        self._loop("http", self._server.serve_forever)
        log.info(
            "%s serving on %s (tick every %s s); table %s",
            self.spec.namespace,
            self.runner.url(self.spec.name),
            self._tick_seconds(),
            service.settings.table_name,
        )

    def stop(self) -> None:
        """Stop serving, let the loops finish their round, and wait for them."""
        self.stop_event.set()
        if self._server is not None:
            self._server.shutdown()
        for thread in self._threads:
            thread.join(timeout=self.runner.queue_wait_seconds + 10)

    def _loop(self, name: str, target: Callable[..., None], *args: Any) -> None:
        stop_args = () if name == "http" else (self.stop_event, *args)
        thread = threading.Thread(target=target, args=stop_args, name=name, daemon=True)
        thread.start()
        self._threads.append(thread)

    def _relay(self, endpoint_url: str, local: LocalSettings) -> StreamPoller:
        events = client("events", endpoint_url, local.region)
        relay = Relay(
            self.hosted.service.translate,
            EventBridgePublisher(events, local.bus_name),
            namespace=self.spec.namespace,
        )
        dynamodb = client("dynamodb", endpoint_url, local.region)
        streams = client("dynamodbstreams", endpoint_url, local.region)
        return StreamPoller(relay, dynamodb, streams, self.spec.table(local))

    def _consumer(self, endpoint_url: str, local: LocalSettings) -> SqsPoller:
        sqs = client("sqs", endpoint_url, local.region)
        queue_url = sqs.get_queue_url(QueueName=self.spec.definition.queue_name)["QueueUrl"]
        return SqsPoller(
            sqs,
            queue_url,
            self.hosted.service.consumer.handle_sqs_event,
            wait_seconds=self.runner.queue_wait_seconds,
            visibility_timeout=self.runner.queue_visibility_seconds,
            retry_visibility_timeout=RETRY_VISIBILITY_SECONDS,
            chaos=DeliveryChaos.from_env(),
        )

    def _tick_forever(self, stop: threading.Event) -> None:
        """The scheduled Tick; a failed one is logged and the next one runs on time."""
        while not stop.wait(self._tick_seconds()):
            began = time.monotonic()
            try:
                report = self.hosted.service.tick()
            except Exception:
                log.exception("%s: tick failed", self.spec.namespace)
                continue
            took = time.monotonic() - began
            log.debug("%s: tick took %.2f s: %s", self.spec.namespace, took, report)

    def _tick_seconds(self) -> float:
        """The service's own Tick interval (its TICK_INTERVAL_SECONDS)."""
        return float(self.hosted.service.settings.tick_interval_seconds)

    def _http_server(self) -> Any:
        host, port = self.runner.service_host, self.runner.ports[self.spec.name]
        from chalice.config import Config
        from chalice.local import create_local_server

        config = Config.create(chalice_stage="local", app_name=self.spec.namespace)
        return create_local_server(self.hosted.app, config, host, port).server


def main(argv: list[str]) -> int:
    """Build the service named in argv, run it until told to stop; the exit code."""
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(threadName)s %(name)s %(levelname)s %(message)s"
    )
    logging.getLogger("botocore.credentials").setLevel(logging.WARNING)
    parent = os.getppid()
    try:
        spec = spec_named(argv[1] if len(argv) == 2 else "")
        local, runner = LocalSettings.from_env(), RunnerSettings.from_env()
        endpoint_url = os.environ["AWS_ENDPOINT_URL"]
    except (LookupError, SettingsError) as error:
        log.error("usage: python -m local_runtime.service job|cluster|monitor: %s", error)
        return EXIT_USAGE
    process = ServiceProcess(spec, build(spec), runner)
    _stop_on_signals(process.stop_event)
    process.start(endpoint_url, local)
    while not process.stop_event.wait(PARENT_CHECK_SECONDS):
        if os.getppid() != parent:
            log.warning("the runner (pid %s) is gone: stopping", parent)
            break
    process.stop()
    log.info("%s stopped", spec.namespace)
    return 0


def _stop_on_signals(stop: threading.Event) -> None:
    def handle(signum: int, frame: FrameType | None) -> None:
        log.info("received %s", signal.Signals(signum).name)
        stop.set()

    signal.signal(signal.SIGINT, handle)
    signal.signal(signal.SIGTERM, handle)


if __name__ == "__main__":
    sys.exit(main(sys.argv))
