"""A modem's incoming calls: each logged once with its rings, and, when [calls] says so,
hung up after some rings and answered with an SMS to the caller."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from modem.drivers.contract import CallRang, IncomingCall, ModemDriver
from modem.errors import ModemError, NoAnswer
from smsbox import calls
from smsbox.config import CallsConfig
from smsbox.tables import utcnow
from smsbox.webhooks import events

if TYPE_CHECKING:
    from sqlalchemy import Connection

    from modem.connections import Connections

log = logging.getLogger(__name__)

# No call rings this long: calls started earlier are forgotten by this process.
REMEMBERED_FOR = timedelta(hours=1)


class CallHandler:
    def __init__(
        self,
        modem_name: str,
        driver: ModemDriver,
        sessions: Connections,
        *,
        settings: CallsConfig,
        default_region: str,
    ):
        self.modem_name = modem_name
        self.driver = driver
        self.sessions = sessions
        self.settings = settings
        self.default_region = default_region
        # The calls this process recorded, by the time their first ring came: the call's
        # id and the rings it had before (a call first heard before a restart has some).
        self._recorded: dict[datetime, tuple[int, int]] = {}
        self._hung_up: set[int] = set()

    def take(self, modem_id: int, event: IncomingCall | CallRang) -> None:
        with self.sessions() as session:
            call_id, rings, number = self._record(session, modem_id, event)
            events.commit(session)
        limit = self.settings.hang_up_after_rings
        if limit and rings >= limit and call_id not in self._hung_up:
            self._hang_up(call_id, number)

    def _record(
        self, session: Connection, modem_id: int, event: IncomingCall | CallRang
    ) -> tuple[int, int, str | None]:
        if isinstance(event, CallRang):
            known = self._recorded.get(event.started_at)
            if known is None:  # its first ring was never recorded (a fault came between)
                return self._record(
                    session, modem_id, IncomingCall(event.started_at, event.number, event.rings)
                )
            call_id, rings_before = known
            call = calls.count_rings(session, call_id, rings_before + event.rings, at=utcnow())
            return call.id, call.rings, call.number
        self._forget_before(event.started_at - REMEMBERED_FOR)
        call = calls.record_call(
            session,
            modem_id,
            event.number,
            event.started_at,
            event.rings,
            default_region=self.default_region,
            known_calls={call_id for call_id, _ in self._recorded.values()},
        )
        self._recorded[event.started_at] = (call.id, call.rings - event.rings)
        log.info("modem %s: call from %s", self.modem_name, event.number or "a withheld number")
        if self.settings.auto_reply and calls.reply_to_caller(
            session,
            call,
            self.settings.auto_reply,
            every=timedelta(hours=self.settings.auto_reply_every_hours),
            default_region=self.default_region,
        ):
            log.info("modem %s: automatic reply queued to %s", self.modem_name, call.number)
        return call.id, call.rings, call.number

    def _forget_before(self, moment: datetime) -> None:
        for started_at in [started for started in self._recorded if started < moment]:
            self._hung_up.discard(self._recorded.pop(started_at)[0])

    def _hang_up(self, call_id: int, number: str | None) -> None:
        # Tried once per call: a modem that refuses will refuse at the next ring too.
        self._hung_up.add(call_id)
        try:
            self.driver.hang_up()
        except NoAnswer:
            raise
        except ModemError as error:
            log.warning("modem %s: cannot hang up: %s", self.modem_name, error)
            return
        with self.sessions() as session:
            calls.record_hang_up(session, call_id)
            session.commit()
        log.info("modem %s: hung up on %s", self.modem_name, number or "a withheld number")
