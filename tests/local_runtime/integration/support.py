"""Small helpers for the local runtime's tests."""

from __future__ import annotations

import socket
import uuid


def unique(prefix: str) -> str:
    """A name no other test uses (moto's state is process-wide)."""
    return f"{prefix}-{uuid.uuid4().hex[:12]}"


def free_port() -> int:
    """A port that was free a moment ago."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])
