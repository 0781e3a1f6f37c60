"""The dispatch ranking policy: which eligible job goes first (Invariants 3 and 5).

Ranks: critical 0, high 1, normal 2, low 3. A job's aging clock starts when it becomes eligible
(when enqueued, or at its retry_at if that is later). After waiting w seconds its effective rank
is max(0, rank - floor(w / AGING_STEP)), with AGING_STEP = 300 s:
- a low job ranks 3 until 4:59, 2 (as normal) from 5:00, 1 (as high) from 10:00 and 0 (as
  critical) from 15:00; a normal job ranks 0 from 10:00; a high job from 5:00.
The next job has the smallest (effective rank, eligible since, rank, seq): the highest effective
priority first; among equal effective ranks the one eligible longest. So a low job eligible for
15 min goes before every critical job that became eligible after it: after at most 900 s of
eligibility a job's class is only ever passed by jobs that became eligible before it.
The queues that apply it are in dispatch.py: they judge each class by its oldest tenant head, and
share a class's slots between its tenants by weighted fair share (which lets no tenant starve
either: dispatch.PATIENCE).
"""

from datetime import timedelta
from typing import Final

AGING_STEP: Final = timedelta(seconds=300)
_AGING_SECONDS: Final = AGING_STEP.total_seconds()


def dispatch_key(rank: int, since: float, seq: int, now: float) -> tuple[int, float, int, int]:
    """The job's place in dispatch order at `now` (smallest first): its effective rank, then
    since when it is eligible, its rank and its seq (times as POSIX timestamps)."""
    aged = int(max(0.0, now - since) // _AGING_SECONDS)
    return (max(0, rank - aged), since, rank, seq)
