"""The back-off policy: how long a job waits before its next attempt.

When counted attempt n (1-based) ends without success at `at`,
    retry_at = at + min(BACKOFF_CAP, BACKOFF_BASE * 2**(n - 1))
with BACKOFF_BASE = 30 s and BACKOFF_CAP = 15 min: 30 s, 60 s, 120 s, 240 s, 480 s after
attempts 1 to 5, then 900 s after attempt 6 and every later one.
"""

from datetime import timedelta
from typing import Final

BACKOFF_BASE: Final = timedelta(seconds=30)
BACKOFF_CAP: Final = timedelta(minutes=15)


def backoff(attempt: int) -> timedelta:
    """How long to wait after counted attempt `attempt` (1-based) ended without success."""
    if attempt < 1:
        raise ValueError(f"attempt must be >= 1, not {attempt}")
    return min(BACKOFF_CAP, BACKOFF_BASE * (1 << min(attempt - 1, 20)))
