"""moto in server mode, hosted in-process, with DynamoDB requests serialized."""

from __future__ import annotations

import errno
import logging
import socket
import threading
import urllib.request
from collections.abc import Callable, Iterable, Sequence
from types import TracebackType
from typing import Any

import boto3
from botocore.config import Config
from moto.moto_server.werkzeug_app import (
    DomainDispatcherApplication,
    MotoRequestHandler,
    create_backend_app,
)
from werkzeug.serving import BaseWSGIServer, make_server, select_address_family

from local_runtime import moto_patches

DUMMY_CREDENTIAL = "testing"
RESET_PATH = "/moto-api/reset"
_WILDCARD_HOSTS = {"", "0.0.0.0", "::"}

WsgiApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]
Middleware = Callable[[WsgiApp], WsgiApp]

# moto's backends are process-wide, so every emulator in a process shares one lock.
DYNAMODB_LOCK = threading.Lock()


class PortInUseError(OSError):
    """The emulator's port is already taken by another program."""

    def __init__(self, host: str, port: int) -> None:
        super().__init__(errno.EADDRINUSE, f"port {port} on {host} is already in use")
        self.host = host
        self.port = port


class DynamoDBSerializer:
    """WSGI middleware: one DynamoDB (or Streams) request at a time, all else concurrent."""

    def __init__(self, app: WsgiApp, lock: threading.Lock = DYNAMODB_LOCK) -> None:
        self._app = app
        self.lock = lock

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        """Hold the lock around DynamoDB requests until their body is fully produced."""
        if not _is_serialized(environ):
            return self._app(environ, start_response)
        with self.lock:
            result = self._app(environ, start_response)
            try:
                return list(result)
            finally:
                close = getattr(result, "close", None)
                if close is not None:
                    close()


def _is_serialized(environ: dict[str, Any]) -> bool:
    """DynamoDB and DynamoDB Streams calls, and moto's reset, which clears their state."""
    target = environ.get("HTTP_X_AMZ_TARGET", "")
    return target.startswith("DynamoDB") or environ.get("PATH_INFO") == RESET_PATH


class Emulator:
    """A threaded moto server on host:port (port 0 picks a free one); `middleware` wraps the
    server's WSGI app, the first outermost (e.g. the local driver's control API)."""

    def __init__(
        self, host: str = "127.0.0.1", port: int = 5000, middleware: Sequence[Middleware] = ()
    ) -> None:
        self._host = host
        self._port = port
        self._middleware = tuple(middleware)
        self._server: BaseWSGIServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def port(self) -> int:
        """The port actually bound (resolves port 0 once started)."""
        if self._server is None:
            return self._port
        return int(self._server.server_address[1])

    @property
    def endpoint_url(self) -> str:
        """The URL clients use to reach the emulator."""
        if self._server is None:
            raise RuntimeError("the emulator is not started")
        host = "127.0.0.1" if self._host in _WILDCARD_HOSTS else self._host
        host = f"[{host}]" if ":" in host else host
        return f"http://{host}:{self.port}"

    def start(self) -> None:
        """Bind the port and serve in a daemon thread; returns when requests are accepted."""
        if self._server is not None:
            return
        moto_patches.apply()
        logging.getLogger("werkzeug").setLevel(logging.WARNING)  # one line per request otherwise
        sock = self._bind()
        try:
            app: WsgiApp = DynamoDBSerializer(DomainDispatcherApplication(create_backend_app))
            for wrap in reversed(self._middleware):
                app = wrap(app)
            self._server = make_server(
                self._host,
                self._port,
                app,
                threaded=True,
                request_handler=MotoRequestHandler,
                fd=sock.fileno(),
            )
        finally:
            sock.close()
        self._thread = threading.Thread(
            target=self._server.serve_forever, name="moto-emulator", daemon=True
        )
        self._thread.start()

    def _bind(self) -> socket.socket:
        """Bind and listen ourselves, so a taken port raises instead of exiting the process."""
        family = select_address_family(self._host, self._port)
        try:
            return socket.create_server((self._host, self._port), family=family, backlog=128)
        except OSError as error:
            if error.errno == errno.EADDRINUSE:
                raise PortInUseError(self._host, self._port) from None
            raise

    def stop(self) -> None:
        """Stop serving and release the port; safe to call twice."""
        server, thread = self._server, self._thread
        self._server, self._thread = None, None
        if server is None:
            return
        server.shutdown()
        server.server_close()
        if thread is not None:
            thread.join()

    def reset(self) -> None:
        """Clear moto's state (process-wide: every emulator in this process) via its reset API."""
        request = urllib.request.Request(self.endpoint_url + RESET_PATH, data=b"", method="POST")
        with urllib.request.urlopen(request, timeout=30) as response:
            response.read()

    def __enter__(self) -> Emulator:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()


def client(service: str, endpoint_url: str, region: str = "us-east-1") -> Any:
    """A boto3 client for the emulator, with dummy credentials and standard retries."""
    session = boto3.session.Session(
        aws_access_key_id=DUMMY_CREDENTIAL,
        aws_secret_access_key=DUMMY_CREDENTIAL,
        region_name=region,
    )
    config = Config(retries={"max_attempts": 10, "mode": "standard"})
    return session.client(service, endpoint_url=endpoint_url, config=config)
