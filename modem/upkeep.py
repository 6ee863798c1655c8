"""A modem's upkeep between messages, each on its own interval: whether it forgot its
settings, a sweep of its SIM storage, and what it says of itself."""

from __future__ import annotations

import logging
from collections.abc import Callable

from modem.drivers.contract import ModemDriver, ModemStatus
from modem.receiver import MessageReceiver

log = logging.getLogger(__name__)

STATUS_POLL_INTERVAL = 60.0
# A modem that restarts without a word (Huawei sticks say nothing) is noticed
# by its lost settings; the storage sweep catches any SMS whose +CMTI was lost.
SETTINGS_CHECK_INTERVAL = 10.0
STORAGE_SWEEP_INTERVAL = 60.0
# A modem that refuses to announce new SMS: the sweep is how they arrive.
UNANNOUNCED_SWEEP_INTERVAL = 5.0


class ModemUpkeep:
    def __init__(
        self,
        name: str,
        driver: ModemDriver,
        receiver: MessageReceiver,
        *,
        monotonic: Callable[[], float],
        record_status: Callable[[ModemStatus], None],
    ):
        self.name = name
        self.driver = driver
        self.receiver = receiver
        self._monotonic = monotonic
        self._record_status = record_status
        self._next_status_poll = 0.0
        self._next_settings_check = 0.0
        self._next_sweep = 0.0

    def connected(self, modem_id: int) -> None:
        """The modem was just set up: its storage swept now, its status asked at once
        (a new connect may be a new SIM)."""
        self.sweep(modem_id)
        self._next_settings_check = self._monotonic() + SETTINGS_CHECK_INTERVAL
        self._next_status_poll = 0.0

    def due(self) -> bool:
        return self._monotonic() >= min(
            self._next_settings_check, self._next_sweep, self._next_status_poll
        )

    def run(self, modem_id: int) -> None:
        """What is due now."""
        now = self._monotonic()
        if now >= self._next_settings_check:
            self._next_settings_check = now + SETTINGS_CHECK_INTERVAL
            if self.driver.settings_lost():
                log.warning("modem %s forgot its settings: setting it up again", self.name)
                self.set_up_again(modem_id)
        if now >= self._next_sweep:
            self.sweep(modem_id)
        if now >= self._next_status_poll:
            self._next_status_poll = now + STATUS_POLL_INTERVAL
            self._record_status(self.driver.status())

    def set_up_again(self, modem_id: int) -> None:
        self.driver.reinitialise()
        self.sweep(modem_id)

    def sweep(self, modem_id: int) -> None:
        interval = (
            STORAGE_SWEEP_INTERVAL
            if self.driver.announces_new_messages
            else UNANNOUNCED_SWEEP_INTERVAL
        )
        self._next_sweep = self._monotonic() + interval
        self.receiver.sweep(modem_id)
