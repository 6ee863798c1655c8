"""When a driver may give the SIM its PIN: once, and never again after a refusal or a
lost answer. Both drivers follow these rules, whatever words their modem uses."""

from __future__ import annotations

from collections.abc import Callable

from modem.errors import ModemError, NoAnswer, PinRefused

# The SIM's state in AT+CPIN? words (3GPP TS 27.007 §8.3): drivers translate theirs.
READY, WANTS_PIN, WANTS_PUK = "READY", "SIM PIN", "SIM PUK"


class PinGuard:
    """A driver's PIN and what the SIM made of it; `pin_refused` is set by the worker
    from the database too, so that a PIN refused before a restart stays refused."""

    def __init__(self, pin: str):
        self.pin = pin
        self.pin_refused = False
        # A PIN whose answer never came may have counted as a wrong try.
        self._pin_answer_lost = False

    def _unlock(self, state: str, give_pin: Callable[[str], None]) -> None:
        """Give the PIN through `give_pin` if the SIM in `state` asks for it and these
        rules allow it; raise the ModemError that says what a person must do if not."""
        if state == READY:
            return
        if state == WANTS_PUK:
            raise ModemError(
                "the SIM is blocked and asks for its PUK: unlock it in a phone with the PUK "
                "from the operator, then restart the daemon",
                permanent=True,
            )
        if state != WANTS_PIN:
            raise ModemError(f"the SIM is not usable: {state or 'no answer'}", permanent=True)
        if not self.pin:
            raise ModemError(
                "the SIM asks for a PIN: set pin in this [[modem]] section", permanent=True
            )
        if self.pin_refused:
            raise PinRefused(
                "the SIM refused the pin of this [[modem]] section before; it is not tried "
                "again, so that the SIM does not lock: correct pin, then restart the daemon"
            )
        if self._pin_answer_lost:
            raise ModemError(
                "the SIM did not answer when given the PIN and still asks for it; it is not "
                "tried again, so that the SIM does not lock: check pin, then restart the daemon",
                permanent=True,
            )
        try:
            give_pin(self.pin)
        except NoAnswer:
            self._pin_answer_lost = True
            raise
        except ModemError as error:
            self.pin_refused = True
            raise PinRefused(
                f"the SIM refused the pin of this [[modem]] section ({error}); it is not "
                "tried again, so that the SIM does not lock: correct pin, then restart the daemon"
            ) from error
