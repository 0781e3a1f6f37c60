"""What every service reads from its environment the same way, and the settings they share.

Each service's `bootstrap.py` has a `<Service>Settings.from_env`, the only place that reads the
environment; the helpers here parse what they have in common (the event-store table, the
emulator's URL, the region, whole seconds and counts, y/n flags), and `ServiceSettings` holds the
fields every service has and turns them into its event store's settings.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final, TypedDict

from backbone.heartbeat import instance_id_from

DEFAULT_REGION: Final = "us-east-1"
EVENT_STORE: Final = "backbone.eventstore"
_YES: Final = ("y", "yes", "true", "1")


class SettingsError(ValueError):
    """An environment variable of a service is missing or unusable."""


@dataclass(frozen=True)
class ServiceSettings:
    """The settings every service has; each service's own settings extend them."""

    table_name: str = ""
    endpoint_url: str | None = None
    """An emulator's URL, for every AWS client; None on AWS."""
    region: str = DEFAULT_REGION
    persistence_module: str = EVENT_STORE
    create_table: bool = False
    """Create the table if it is missing (local runs and tests only)."""
    tick_interval_seconds: int = 60
    instance_id: str | None = None
    """Names this process in its heartbeats; None: a fresh id per process."""

    def store_env(self) -> dict[str, str]:
        """The eventsourcing settings of the application's event store."""
        env = {
            "PERSISTENCE_MODULE": self.persistence_module,
            "AWS_REGION": self.region,
            "CREATE_TABLE": "y" if self.create_table else "n",
        }
        env |= {"DYNAMODB_TABLE": self.table_name} if self.table_name else {}
        return env | ({"DYNAMODB_ENDPOINT_URL": self.endpoint_url} if self.endpoint_url else {})


class Common(TypedDict):
    """ServiceSettings' fields, as `common` reads them."""

    table_name: str
    endpoint_url: str | None
    region: str
    persistence_module: str
    create_table: bool
    tick_interval_seconds: int
    instance_id: str | None


def common(environ: Mapping[str, str], table_variable: str) -> Common:
    """ServiceSettings' fields from the environment: `table_variable` (or DYNAMODB_TABLE),
    AWS_ENDPOINT_URL, AWS_REGION (or AWS_DEFAULT_REGION), PERSISTENCE_MODULE, CREATE_TABLE (y/n),
    TICK_INTERVAL_SECONDS and INSTANCE_ID (else AWS_LAMBDA_LOG_STREAM_NAME)."""
    return Common(
        table_name=environ.get(table_variable) or environ.get("DYNAMODB_TABLE") or "",
        endpoint_url=environ.get("AWS_ENDPOINT_URL") or None,
        region=environ.get("AWS_REGION") or environ.get("AWS_DEFAULT_REGION") or DEFAULT_REGION,
        persistence_module=environ.get("PERSISTENCE_MODULE") or EVENT_STORE,
        create_table=flag(environ, "CREATE_TABLE"),
        tick_interval_seconds=seconds(environ, "TICK_INTERVAL_SECONDS", 60),
        instance_id=instance_id_from(environ),
    )


def flag(environ: Mapping[str, str], name: str) -> bool:
    """A y/n flag (y, yes, true or 1 in any case); unset is no."""
    return environ.get(name, "n").strip().lower() in _YES


def seconds(environ: Mapping[str, str], name: str, default: int) -> int:
    """A whole number of seconds, at least 1; `default` when unset."""
    return _whole(environ, name, default, "a whole number of seconds")


def count(environ: Mapping[str, str], name: str, default: int) -> int:
    """A whole number, at least 1; `default` when unset."""
    return _whole(environ, name, default, "a whole number")


def _whole(environ: Mapping[str, str], name: str, default: int, what: str) -> int:
    raw = environ.get(name, "").strip()
    if not raw:
        return default
    if not raw.isdigit() or int(raw) < 1:
        raise SettingsError(f"{name}={raw!r} must be {what}, at least 1")
    return int(raw)
