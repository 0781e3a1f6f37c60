"""The API's process state and request plumbing.

`ApiHolder` builds the cluster service with `bootstrap(ClusterServiceSettings.from_env(os.environ))`
the first time a request needs it (a Lambda cold start), never at import; tests hand it a
service with `use`. `serve` authenticates the operator, runs the route's action and turns every
error a client can cause into its 4xx answer (errors.py).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final, TypeVar

from chalice.app import Request, Response
from pydantic import BaseModel, ValidationError

from cluster_service.api.errors import ApiError, client_error, from_validation
from cluster_service.api.identity import operator_of
from cluster_service.api.settings import ApiSettings
from cluster_service.application import ClustersApplication
from cluster_service.bootstrap import ClusterService, ClusterServiceSettings, bootstrap

logger = logging.getLogger(__name__)

MAX_BODY_BYTES: Final = 256 * 1024
M = TypeVar("M", bound=BaseModel)


@dataclass(frozen=True)
class Api:
    """The cluster service and the API's settings, for one process."""

    service: ClusterService
    settings: ApiSettings


def build_from_env(environ: Mapping[str, str]) -> Api:
    settings = ApiSettings.from_env(environ)
    return Api(bootstrap(ClusterServiceSettings.from_env(environ)), settings)


class ApiHolder:
    """The process's Api: built by `build` on first use, once, or set by `use` (tests)."""

    def __init__(self, build: Callable[[], Api]) -> None:
        self._build = build
        self._api: Api | None = None
        self._lock = threading.Lock()

    def get(self) -> Api:
        with self._lock:
            if self._api is None:
                self._api = self._build()
            return self._api

    def use(self, api: Api | None) -> None:
        """Serve with `api` from now on (None: build it again on the next request)."""
        with self._lock:
            self._api = api


@dataclass(frozen=True)
class Call:
    """One request whose operator is known."""

    api: Api
    operator: str
    request: Request

    @property
    def app(self) -> ClustersApplication:
        return self.api.service.app

    def now(self) -> datetime:
        return self.api.service.clock()

    def body(self, model: type[M]) -> M:
        """The body as `model`; 413 past MAX_BODY_BYTES, 400 for anything `model` refuses."""
        try:
            raw = self.request.raw_body
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

    def query(self, model: type[M]) -> M:
        """The query string as `model`; each parameter may be given once."""
        params = self.request.query_params
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


def serve(
    holder: ApiHolder, request: Request, action: Callable[..., Response], *args: Any
) -> Response:
    """`action(call, *args)` for an authenticated operator, errors as their answers."""
    try:
        api = holder.get()
        operator = operator_of(request.context, request.headers, api.settings.api_keys)
        return action(Call(api, operator, request), *args)
    except ApiError as error:
        return error.response()
    except Exception as error:
        answer = client_error(error)
        if answer is not None:
            return answer.response()
        logger.exception("%s %s failed", request.method, request.path)
        message = "the cluster service could not answer; try again later"
        return ApiError(500, "internal_error", message).response()


def json_response(
    model: BaseModel, status: int = 200, headers: Mapping[str, str] | None = None
) -> Response:
    return Response(model.model_dump(mode="json"), status_code=status, headers=dict(headers or {}))
