"""What can go wrong with a modem, whichever driver speaks to it.

The daemon acts on the kind alone: a refusal (`ModemError`) is retried or fails its
message as `permanent` says; no answer (`NoAnswer`) reconnects; an unknown outcome
(`SubmitOutcomeUnknown`) is never resent by itself.
"""

from __future__ import annotations


class ModemError(Exception):
    """A command the modem did not carry out.

    `permanent` says whether retrying can help: a rejected number will be
    rejected again, a network congestion or a timeout may not.
    """

    def __init__(self, message: str, *, permanent: bool = False, code: int | None = None):
        super().__init__(message)
        self.permanent = permanent
        self.code = code


class NoAnswer(ModemError):
    """No answer came, as opposed to an error the modem answered."""


class ModemTimeout(NoAnswer):
    """The modem did not finish answering in time."""


class PortError(NoAnswer):
    """The serial port failed: unplugged, or the modem vanished from the bus."""


class ModemRestarted(NoAnswer):
    """The modem rebooted while a command ran: the command will never be answered."""


class SubmitOutcomeUnknown(ModemError):
    """The modem took a PDU and its Ctrl-Z, and no answer came: the SMS may be on
    the network. Resending it automatically is how duplicates happen."""


class PinRefused(ModemError):
    """The SIM answered that the PIN is wrong. Never send it again: after three
    wrong tries the SIM asks for its PUK, which only the operator gives."""

    def __init__(self, message: str):
        super().__init__(message, permanent=True)
