"""Receiving what a modem hands over: SMS read, stored (idempotently), deleted from
the SIM, then joined into messages, a keyword (STOP, START, HELP) acted on once its
message is stored; status reports matched to the parts they are about."""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import TYPE_CHECKING

from modem import pdu as pdus
from modem.drivers.contract import ModemDriver, Outcome, StatusReport, StoredSms
from modem.reports import report_from
from smsbox import account_settings, delivery, inbox, keyword_replies
from smsbox.inbox import PendingPart, ReceivedMessage
from smsbox.tables import Status
from smsbox.webhooks import events

if TYPE_CHECKING:
    from sqlalchemy import Connection

    from modem.connections import Connections

log = logging.getLogger(__name__)
REPORTED_STATES = {
    Outcome.DELIVERED: Status.DELIVERED,
    Outcome.FAILED: Status.FAILED,
    Outcome.EXPIRED: Status.EXPIRED,
}


class MessageReceiver:
    def __init__(
        self,
        modem_name: str,
        driver: ModemDriver,
        sessions: Connections,
        *,
        default_region: str,
        incomplete_after: timedelta,
    ):
        self.modem_name = modem_name
        self.driver = driver
        self.sessions = sessions
        self.default_region = default_region
        self.incomplete_after = incomplete_after

    def sweep(self, modem_id: int) -> None:
        """What is on the SIM unannounced or unread: first release the slots emptied
        just before a crash, so that the same octets now in one are a new message."""
        stored = self.driver.stored_messages()
        with self.sessions() as session:
            held = [(sms.storage, sms.index, sms.pdu) for sms in stored]
            inbox.release_emptied_slots(session, modem_id, held)
            session.commit()
        for sms in stored:
            self.receive(modem_id, sms)
        self.assemble(modem_id)

    def receive(self, modem_id: int, stored: StoredSms) -> None:
        """Store one SMS read from the modem, then delete it from there."""
        try:
            decoded = pdus.decode(stored.pdu)
        except pdus.PduError as error:
            # Left on the SIM: deleting what we cannot read would lose it.
            log.error("modem %s: unreadable SMS at %d: %s", self.modem_name, stored.index, error)
            return
        if decoded["Type"] == "Status_Report":
            # Filed among the SMS by a modem that stores its reports (AT+CNMI <ds> 2).
            self.take_report(modem_id, report_from(decoded))
            self.driver.delete_message(stored.index)
            return
        part = pdus.part_from(decoded, stored.pdu)
        with self.sessions() as session:
            inbox.store_part(session, modem_id, part, storage=stored.storage, index=stored.index)
            session.commit()
        self.driver.delete_message(stored.index)
        with self.sessions() as session:
            inbox.release_slot(session, modem_id, stored.storage, stored.index, stored.pdu)
            session.commit()

    def take_report(self, modem_id: int, report: StatusReport) -> None:
        """Move the part the report is about to what the network says became of it."""
        state = REPORTED_STATES.get(report.outcome)
        if state is None:
            return  # the network is still trying: the part stays sent
        with self.sessions() as session:
            part = delivery.record_report(
                session,
                modem_id,
                report.reference,
                report.recipient,
                state,
                report.discharged_at,
                default_region=self.default_region,
                detail=f"(TP-Status {report.status:#04x})",
            )
            events.commit(session)
        if part is None:
            log.warning(
                "modem %s: status report for no part sent (reference %d to %s, %s)",
                self.modem_name,
                report.reference,
                report.recipient,
                report.outcome,
            )

    def assemble(self, modem_id: int) -> None:
        """Turn the parts that are ready into messages."""
        with self.sessions() as session:
            for parts in inbox.ready_groups(
                session, modem_id, incomplete_after=self.incomplete_after
            ):
                try:
                    self._store_message(session, parts)
                except Exception:
                    # One message that cannot be stored must hold up neither the others
                    # nor the modem; its parts stay pending for the next attempt.
                    session.rollback()
                    log.exception("modem %s: message not stored from its parts", self.modem_name)

    def _store_message(self, session: Connection, parts: list[PendingPart]) -> None:
        """The message `parts` make: their joined text, or when they make none, the
        reason and what text each part carries."""
        hexes = [part.pdu for part in parts]
        try:
            body, error = pdus.join_text(hexes), None
        except Exception as failure:  # PduError says why; anything else is a bug, kept here
            body, error = pdus.recovered_text(hexes), f"its parts make no message: {failure}"
            log.warning(
                "modem %s: %s",
                self.modem_name,
                error,
                exc_info=not isinstance(failure, pdus.PduError),
            )
        message = inbox.assemble(
            session, parts, body, default_region=self.default_region, error=error
        )
        events.commit(session)
        log.info(
            "modem %s: received message %d from %s", self.modem_name, message.id, message.number
        )
        self._answer_keyword(session, message)

    def _answer_keyword(self, session: Connection, message: ReceivedMessage) -> None:
        """After the message is committed: whatever fails here, the message itself is
        kept in the inbox for a person to act on. The rules are read each time, so a
        change of the settings needs no restart."""
        try:
            rules = account_settings.keyword_rules(session)
            answered = keyword_replies.answer(
                session, message, rules, default_region=self.default_region
            )
            events.commit(session)
        except Exception:
            session.rollback()
            log.exception(
                "modem %s: keyword of message %d from %s not acted on",
                self.modem_name,
                message.id,
                message.number,
            )
            return
        if answered.kind is not None:
            log.info(
                "modem %s: %s said %s (message %d)%s",
                self.modem_name,
                message.number,
                answered.kind,
                message.id,
                ", answered" if answered.reply is not None else "",
            )
