"""A simulated GSM modem on a pseudo-terminal, and the network around it."""

from modem.sim.runner import SimulatedModem

__all__ = ["SimulatedModem"]
