"""A simulated GSM modem on a pseudo-terminal, and the network around it."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from modem.sim.runner import SimulatedModem

__all__ = ["SimulatedModem"]


def __getattr__(name: str) -> Any:
    # Lazy, so that `smsbox sim status` (modem.sim.control) loads no PDU stack.
    if name == "SimulatedModem":
        from modem.sim.runner import SimulatedModem

        return SimulatedModem
    raise AttributeError(name)
