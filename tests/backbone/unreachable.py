"""A service environment whose store cannot be reached: building the service fails.

Shared by each service's test that callers are judged before the service is built; it holds no
tests.
"""

from __future__ import annotations

import socket

import pytest


def closed_port_url() -> str:
    """http://127.0.0.1:<port> of a port nothing listens on: every connection is refused."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}"


def unreachable_store(monkeypatch: pytest.MonkeyPatch, table_setting: str) -> None:
    """Point the process's environment at a DynamoDB table on a closed port, created on start."""
    env = {
        table_setting: "unreachable",
        "PERSISTENCE_MODULE": "backbone.eventstore",
        "AWS_ENDPOINT_URL": closed_port_url(),
        "CREATE_TABLE": "y",
    }
    for name, value in env.items():
        monkeypatch.setenv(name, value)
