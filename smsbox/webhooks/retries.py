"""When a failed delivery is tried again: exponential backoff with jitter, for a day."""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import datetime, timedelta

from smsbox.config import WebhooksConfig

LONGEST_WAIT = timedelta(hours=1)
# Each wait is drawn between these fractions of its nominal length, so that endpoints
# back up after an outage do not all come back at the same instant.
JITTER = (0.75, 1.25)


def next_attempt(
    settings: WebhooksConfig,
    attempts: int,
    created_at: datetime,
    now: datetime,
    uniform: Callable[[float, float], float] = random.uniform,
) -> datetime | None:
    """When to try again after the `attempts`-th attempt failed; None: give up."""
    first = timedelta(milliseconds=settings.first_retry_ms)
    nominal = min(first * 2 ** min(attempts - 1, 32), LONGEST_WAIT)
    then = now + nominal * uniform(*JITTER)
    if then > created_at + timedelta(hours=settings.give_up_after_hours):
        return None
    return then
