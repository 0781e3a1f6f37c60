"""Counts the AWS requests a client makes, so benchmarks can price the control plane itself."""

from __future__ import annotations

import threading
from collections import Counter
from typing import Any


class RequestMeter:
    """Counts requests per (service, operation) and the capacity units AWS reports."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.requests: Counter[str] = Counter()
        self.capacity_units: dict[str, float] = {}
        self.items_read = 0
        self.write_units = 0

    def attach(self, client: Any) -> Any:
        """Count every request `client` makes from now on; returns the client."""
        service = client.meta.service_model.service_name
        client.meta.events.register(f"after-call.{service}", self._after_call)
        if service == "dynamodb":
            client.meta.events.register("before-parameter-build.dynamodb", self._before_write)
        return client

    def _before_write(self, params: Any, model: Any, **_: Any) -> None:
        units = _write_units(model.name, params)
        with self._lock:
            self.write_units += units

    def _after_call(self, http_response: Any, parsed: Any, model: Any, **_: Any) -> None:
        name = f"{model.service_model.service_name}.{model.name}"
        units = _capacity_units(parsed)
        read = _items_read(parsed)
        with self._lock:
            self.requests[name] += 1
            self.items_read += read
            if units:
                self.capacity_units[name] = self.capacity_units.get(name, 0.0) + units

    def total(self, prefix: str = "") -> int:
        """Requests whose name starts with `prefix` (e.g. "dynamodb." or "events.PutEvents")."""
        with self._lock:
            return sum(n for name, n in self.requests.items() if name.startswith(prefix))

    def snapshot(self) -> dict[str, int]:
        with self._lock:
            return dict(self.requests)

    def reset(self) -> None:
        with self._lock:
            self.requests.clear()
            self.capacity_units.clear()
            self.items_read = 0
            self.write_units = 0


def _capacity_units(parsed: Any) -> float:
    consumed = parsed.get("ConsumedCapacity") if isinstance(parsed, dict) else None
    if isinstance(consumed, dict):
        consumed = [consumed]
    return float(sum(c.get("CapacityUnits", 0.0) for c in consumed or []))


def _items_read(parsed: Any) -> int:
    if not isinstance(parsed, dict):
        return 0
    if "Count" in parsed:
        return int(parsed["Count"])
    return 1 if "Item" in parsed else 0


def _write_units(operation: str, params: Any) -> int:
    """Write units for items under 1 KB: a transactional write costs two, a plain one one."""
    if operation == "TransactWriteItems":
        return 2 * len(params.get("TransactItems", ()))
    if operation in ("PutItem", "UpdateItem", "DeleteItem"):
        return 1
    if operation == "BatchWriteItem":
        return sum(len(writes) for writes in params.get("RequestItems", {}).values())
    return 0
