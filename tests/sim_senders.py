"""A message sender on a simulated modem's port, as a worker holds one, without the
worker around it: what a send costs and in what order, seen from the sender."""

from __future__ import annotations

import threading

from modem.drivers import DriverSettings, open_driver
from modem.drivers.contract import ModemDriver, PduRequest
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
