"""A message sender on a simulated modem's port, as a worker holds one, without the
worker around it: what a send costs and in what order, seen from the sender."""

from __future__ import annotations

import threading
from collections.abc import Callable

from modem.drivers import DriverSettings, open_driver
from modem.drivers.contract import Hook, ModemDriver, PduRequest
from modem.sender import MessageSender
from modem.sim import SimulatedModem


def sender_on(sim: SimulatedModem, sessions) -> tuple[MessageSender, ModemDriver]:
    """A connected AT driver on `sim` and a sender through it; close the driver after."""
    driver = open_driver("at", DriverSettings(device=str(sim.link)))
    driver.connect()
    return sender_through(driver, sessions), driver


def sender_through(driver: ModemDriver, sessions) -> MessageSender:
    return MessageSender(
        "sim",
        driver,
        sessions,
        stop=threading.Event(),
        pause=lambda _seconds: None,
        pdu_request=PduRequest,
    )


def at_submission(
    driver: ModemDriver, number: int, then: Callable[[str, Hook, Hook], int | None]
) -> None:
    """The `number`th submission through `driver` (from 1) goes through `then` instead."""
    submit = driver.submit
    submissions = 0

    def one_submission(part: str, before_handover: Hook, meanwhile: Hook) -> int | None:
        nonlocal submissions
        submissions += 1
        if submissions == number:
            return then(part, before_handover, meanwhile)
        return submit(part, before_handover, meanwhile)

    driver.submit = one_submission  # type: ignore[method-assign]
