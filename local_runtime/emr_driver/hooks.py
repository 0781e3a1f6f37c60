"""Lets a started driver take in moto's changes the moment moto makes them.

moto creates a stack CREATE_COMPLETE (its cluster TERMINATED), RunJobFlow's cluster WAITING, and
deletes a stack at once. Between two ticks a client would see those states; while a driver is
started for an account and region, these backend methods call it back as soon as they return,
so DescribeStacks/DescribeCluster show CREATE_IN_PROGRESS/STARTING/DELETE_IN_PROGRESS at once.
Without a started driver the wrapped methods behave exactly as moto's.
"""

from __future__ import annotations

import functools
import logging
import threading
from collections.abc import Callable
from typing import Any

from moto.cloudformation.models import CloudFormationBackend
from moto.emr.models import ElasticMapReduceBackend

Observer = Callable[[], None]
WRAPPED = (
    (CloudFormationBackend, "create_stack"),
    (CloudFormationBackend, "delete_stack"),
    (ElasticMapReduceBackend, "run_job_flow"),
)

_observers: dict[tuple[str, str], Observer] = {}
_lock = threading.Lock()
_installed = False
log = logging.getLogger(__name__)


def watch(account: str, region: str, observer: Observer) -> None:
    """Call `observer` after each wrapped call on this account's and region's backends."""
    _install()
    with _lock:
        _observers[(account, region)] = observer


def unwatch(account: str, region: str, observer: Observer) -> None:
    """Stop calling `observer` (if it is still the one watching)."""
    with _lock:
        if _observers.get((account, region)) == observer:
            del _observers[(account, region)]


def _install() -> None:
    """Wrap moto's backend methods once per process."""
    global _installed
    with _lock:
        if _installed:
            return
        for cls, name in WRAPPED:
            setattr(cls, name, _wrap(getattr(cls, name)))
        _installed = True


def _wrap(original: Callable[..., Any]) -> Callable[..., Any]:
    """moto's method, then the observer of its backend's account and region (if any)."""

    @functools.wraps(original)
    def wrapper(backend: Any, *args: Any, **kwargs: Any) -> Any:
        result = original(backend, *args, **kwargs)
        observer = _observers.get((backend.account_id, backend.region_name))
        if observer is not None:
            try:
                observer()
            except Exception:
                log.exception("local AWS driver: observing %s failed", original.__name__)
        return result

    return wrapper
