"""One process's REST API: its service built once on first use, and each request served.

`ApiHolder(build, identity)` builds the service's Api the first time a request needs it (a
Lambda cold start), never at import; tests hand it one with `use`. Until it is built, callers
are judged by `identity()`, made from the settings alone, so that a request without a known key
is a 401 even when the service cannot be built. `Server.serve` authenticates the caller, makes
the action's argument (usually a `Call`), runs the route's action and turns every error a client
can cause into its 4xx answer; anything else is logged and answers 500 without its cause. `Call`
reads a request's headers, JSON body and query string into models.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Final, Generic, Protocol, TypeVar

from chalice.app import Request, Response
from pydantic import BaseModel, ValidationError

from backbone.http.errors import ApiError, ErrorMap, from_validation, internal_error
from backbone.http.identity import Identity

logger = logging.getLogger(__name__)

MAX_BODY_BYTES: Final = 256 * 1024


class Secured(Protocol):
    """An Api as ApiHolder needs it: it knows who may call."""

    @property
    def identity(self) -> Identity: ...


A = TypeVar("A")
S = TypeVar("S", bound=Secured)
C = TypeVar("C")
M = TypeVar("M", bound=BaseModel)


class ApiHolder(Generic[S]):
    """The process's Api: built by `build` on first use, once, or set by `use` (tests)."""

    def __init__(self, build: Callable[[], S], identity: Callable[[], Identity]) -> None:
        """`identity()` makes the Identity of the settings alone, without building the Api."""
        self._build, self._make_identity = build, identity
        self._api: S | None = None
        self._identity: Identity | None = None
        self._lock = threading.Lock()

    def get(self) -> S:
        """The Api, built now if it was not yet."""
        with self._lock:
            if self._api is None:
                self._api = self._build()
            return self._api

    def identity(self) -> Identity:
        """Who may call: the Api's identity once there is one, the settings' until then."""
        with self._lock:
            if self._api is not None:
                return self._api.identity
            if self._identity is None:
                self._identity = self._make_identity()
            return self._identity

    def use(self, api: S | None) -> None:
        """Serve with `api` from now on (None: build it again on the next request)."""
        with self._lock:
            self._api, self._identity = api, None


def header(request: Request, name: str) -> str | None:
    """A request header by name (any case); None if absent."""
    value = request.headers.get(name.lower())
    return None if value is None else str(value)


def read_body(request: Request, model: type[M]) -> M:
    """The body as `model`; 413 past MAX_BODY_BYTES, 400 for anything `model` refuses."""
    try:
        raw = request.raw_body
        data = raw if isinstance(raw, bytes) else raw.encode("utf-8")
    except ValueError:  # bad base64, or text that is not Unicode
        raise ApiError(400, "malformed_json", "the body could not be read as UTF-8") from None
    if len(data) > MAX_BODY_BYTES:
        message = f"the body has {len(data)} bytes; send at most {MAX_BODY_BYTES}"
        raise ApiError(413, "body_too_large", message)
    if not data.strip():
        raise ApiError(400, "missing_body", "send a JSON object as the body")
    try:
        return model.model_validate_json(data)
    except ValidationError as error:
        raise from_validation(error) from None


def read_query(request: Request, model: type[M]) -> M:
    """The query string as `model` (by its aliases); each parameter may be given once."""
    params = request.query_params
    values: dict[str, str] = {}
    for name in params or ():
        given = params.getlist(name) if params is not None else []
        if len(given) != 1:
            raise ApiError(400, "invalid_request", f"{name}: give it once", field=name)
        values[name] = given[0]
    try:
        return model.model_validate(values)
    except ValidationError as error:
        raise from_validation(error) from None


@dataclass(frozen=True)
class Call(Generic[A]):
    """One request whose caller is known, on the process's Api."""

    api: A
    principal: str
    request: Request

    def header(self, name: str) -> str | None:
        """A header of the request; None if absent."""
        return header(self.request, name)

    def body(self, model: type[M]) -> M:
        """The JSON body as `model` (see read_body)."""
        return read_body(self.request, model)

    def query(self, model: type[M]) -> M:
        """The query string as `model` (see read_query)."""
        return read_query(self.request, model)


class Server(Generic[S, C]):
    """Runs route actions with authentication and the API's error answers."""

    def __init__(
        self,
        holder: ApiHolder[S],
        call: Callable[[S, str, Request], C],
        errors: ErrorMap,
        service: str,
    ) -> None:
        """`call(api, principal, request)` makes the action's argument (e.g. a Call subclass);
        `service` names the service in a 500's message."""
        self.holder, self.call, self.errors, self.service = holder, call, errors, service

    def serve(self, request: Request, action: Callable[..., Response], *args: Any) -> Response:
        """`action(call(api, principal, request), *args)` for a known caller, every error as its
        answer; an unknown one is a 401 before the Api is built."""
        return self._guarded(request, lambda: action(self._enter(request), *args))

    def _enter(self, request: Request) -> C:
        principal = self.holder.identity().principal(request.context, request.headers)
        return self.call(self.holder.get(), principal, request)

    def serve_public(
        self, request: Request, action: Callable[..., Response], *args: Any
    ) -> Response:
        """`action(request, *args)` for any caller, without building the Api."""
        return self._guarded(request, lambda: action(request, *args))

    def _guarded(self, request: Request, run: Callable[[], Response]) -> Response:
        try:
            return run()
        except ApiError as error:
            return error.response()
        except Exception as error:
            answer = self.errors.answer(error)
            if answer is not None:
                return answer.response()
            logger.exception("%s %s failed", request.method, request.path)
            return internal_error(self.service).response()


def json_response(
    model: BaseModel, status: int = 200, headers: Mapping[str, str] | None = None
) -> Response:
    """`model` as JSON (times in ISO 8601), with `status` and `headers`."""
    return Response(model.model_dump(mode="json"), status_code=status, headers=dict(headers or {}))
