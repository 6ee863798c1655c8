"""What the daemon sees happen (send and delivery latencies, modem faults), counted
for the Prometheus metrics it serves on `[metrics] port` (`smsbox.metrics`) once
`count_from_now` is called, when it starts serving them: prometheus_client and the
HTTP stack it loads, 2 MB, stay out of a daemon that serves none.
"""

from __future__ import annotations

from types import ModuleType
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from smsbox.models import Message

# smsbox.metrics once the daemon serves its metrics; None until then.
_metrics: ModuleType | None = None


def count_from_now() -> None:
    global _metrics
    from smsbox import metrics

    _metrics = metrics


def observe_sent(message: Message) -> None:
    if _metrics is not None:
        _metrics.observe_sent(message)


def observe_delivered(message: Message) -> None:
    if _metrics is not None:
        _metrics.observe_delivered(message)


def count_modem_fault(modem_name: str) -> None:
    if _metrics is not None:
        _metrics.MODEM_FAULTS.labels(modem_name).inc()
