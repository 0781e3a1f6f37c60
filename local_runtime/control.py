"""The local driver's control API, served on the emulator's own port (WSGI middleware).

Service processes and tests reach the driver, which lives in the runner's process, over HTTP:

    POST /local-aws/clusters/{emr_cluster_id}/terminate  {"code"?, "reason"?}
        the cluster ends TERMINATED_WITH_ERRORS (its running steps INTERRUPTED) at the next tick
    POST /local-aws/clusters/{emr_cluster_id}/fail-step  {"step_id"?, "reason"?}
        a step (default: the next to finish, else the next added) ends FAILED
    POST /local-aws/stacks/fail-next                     {"reason"?, "rollback"?}
        the next stack created fails to start its cluster

Answers are JSON: 202 when done, 404 for a cluster the driver does not move, 400 for a bad body,
503 before the driver is attached. It also answers EMR's CancelSteps, which moto answers with
HTTP 500: each step is cancelled through the driver, as EMR would (CancelStepsInfoList).
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Callable, Iterable
from typing import Any

from .emulator import WsgiApp

PREFIX = "/local-aws/"
CANCEL_STEPS_TARGET = "ElasticMapReduce.CancelSteps"
_CLUSTER_ROUTE = re.compile(r"^/local-aws/clusters/([^/]+)/(terminate|fail-step)$")
_STATUS = {
    200: "200 OK",
    202: "202 Accepted",
    400: "400 Bad Request",
    404: "404 Not Found",
    405: "405 Method Not Allowed",
    503: "503 Service Unavailable",
}
Answer = tuple[int, dict[str, Any]]


class ControlError(Exception):
    """A request the control API cannot carry out: its status and message."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


class DriverControl:
    """Routes /local-aws/... and EMR's CancelSteps to a driver; everything else to the app."""

    def __init__(self) -> None:
        self._driver: Any | None = None
        self._lock = threading.Lock()

    def attach(self, driver: Any) -> None:
        """Serve with `driver` (a LocalAwsDriver) from now on; None detaches it."""
        with self._lock:
            self._driver = driver

    def wrap(self, app: WsgiApp) -> WsgiApp:
        """The middleware in front of `app`."""

        def middleware(environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
            path = str(environ.get("PATH_INFO", ""))
            target = str(environ.get("HTTP_X_AMZ_TARGET", ""))
            driver = self._driver
            if path.startswith(PREFIX):
                return _respond(start_response, *self._control(environ, path))
            if target == CANCEL_STEPS_TARGET and driver is not None:
                return _respond_emr(start_response, *_cancel_steps(driver, environ))
            return app(environ, start_response)

        return middleware

    def _control(self, environ: dict[str, Any], path: str) -> Answer:
        """One control request: (status, body)."""
        driver = self._driver
        if driver is None:
            return 503, {"error": "the local AWS driver is not running"}
        if environ.get("REQUEST_METHOD") != "POST":
            return 405, {"error": "use POST"}
        try:
            return 202, _dispatch(driver, path, _body(environ))
        except ControlError as error:
            return error.status, {"error": str(error)}


def _dispatch(driver: Any, path: str, body: dict[str, Any]) -> dict[str, Any]:
    """Carry out one control request on the driver; what it did."""
    if path == PREFIX + "stacks/fail-next":
        reason = str(body.get("reason") or "Injected stack failure")
        driver.fail_next_stack_create(reason, rollback=bool(body.get("rollback", True)))
        return {"stack": "next", "reason": reason}
    match = _CLUSTER_ROUTE.match(path)
    if match is None:
        raise ControlError(404, f"no control route {path}")
    cluster_id, action = match.groups()
    try:
        if action == "terminate":
            reason = str(body.get("reason") or "Injected cluster failure")
            code = str(body.get("code") or "INTERNAL_ERROR")
            driver.terminate_cluster_with_errors(cluster_id, reason, code)
            return {"cluster": cluster_id, "code": code, "reason": reason}
        reason = str(body.get("reason") or "Injected step failure")
        step_id = driver.fail_step(cluster_id, body.get("step_id"), reason)
        return {"cluster": cluster_id, "step_id": step_id, "reason": reason}
    except LookupError as error:
        raise ControlError(404, str(error).strip("'\"")) from None


def _cancel_steps(driver: Any, environ: dict[str, Any]) -> Answer:
    """EMR's CancelSteps through the driver: CancelStepsInfoList, or InvalidRequestException."""
    try:
        body = _body(environ)
    except ControlError as error:
        return 400, {"__type": "ValidationException", "message": str(error)}
    cluster_id = str(body.get("ClusterId", ""))
    infos = []
    for step_id in body.get("StepIds") or []:
        try:
            infos.append(driver.cancel_step(cluster_id, str(step_id)))
        except LookupError:
            message = f"Cluster id '{cluster_id}' is not valid."
            return 400, {"__type": "InvalidRequestException", "message": message}
    return 200, {"CancelStepsInfoList": infos}


def _body(environ: dict[str, Any]) -> dict[str, Any]:
    """The request's JSON object body ({} when empty)."""
    try:
        length = int(environ.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    raw = environ["wsgi.input"].read(length) if length > 0 else b""
    if not raw.strip():
        return {}
    try:
        body = json.loads(raw)
    except ValueError:
        raise ControlError(400, "the body must be a JSON object") from None
    if not isinstance(body, dict):
        raise ControlError(400, "the body must be a JSON object")
    return body


def _respond(start_response: Callable[..., Any], status: int, body: Any) -> Iterable[bytes]:
    return _send(start_response, status, body, "application/json")


def _respond_emr(start_response: Callable[..., Any], status: int, body: Any) -> Iterable[bytes]:
    return _send(start_response, status, body, "application/x-amz-json-1.1")


def _send(
    start_response: Callable[..., Any], status: int, body: Any, content_type: str
) -> Iterable[bytes]:
    data = json.dumps(body).encode()
    headers = [("Content-Type", content_type), ("Content-Length", str(len(data)))]
    start_response(_STATUS[status], headers)
    return [data]
