"""The account's message settings: the signature on what staff send, and the validity
period and report request a running daemon writes into the next PDU."""

from __future__ import annotations

import pytest
from api_checks import assert_problem
from daemon_fixtures import EVERY_DRIVER, SENDING_WAIT
from sqlalchemy import event, select

from modem.pdu import decode
from smsbox import account_settings, outbox
from smsbox.activity import COMMAND_LINE, entries
from smsbox.message_settings import MessageSettings, message_settings
from smsbox.models import Message
from smsbox.outbox import MessageTooLong
from smsbox.quotas import Quotas
from smsbox.refusals import Refusal


def save(session, settings: MessageSettings) -> None:
    account_settings.save(session, account_settings.MESSAGES, settings, COMMAND_LINE)
    session.commit()


def test_staff_messages_carry_the_signature_and_automatic_replies_do_not(sessions):
    with sessions() as session:
        save(session, MessageSettings(signature="  ACME, 01 23 45 67 89 "))
        typed = outbox.queue_message(session, "0612345678", "Bonjour", default_region="FR")
        automatic = outbox.queue_message(
            session, "0612345678", "STOP reçu", default_region="FR", signed=False
        )
    assert typed.body == "Bonjour\nACME, 01 23 45 67 89"
    assert automatic.body == "STOP reçu"


def test_a_text_that_fits_alone_but_not_with_the_signature_is_refused(sessions):
    with sessions() as session:
        save(session, MessageSettings(signature="ACME"))
        with pytest.raises(MessageTooLong):
            outbox.queue_message(session, "0612345678", "x" * 1598, default_region="FR")


@pytest.mark.parametrize(
    ("settings", "reason"),
    [
        ({"validity_hours": 0}, "The validity period must be between 1 and"),
        ({"validity_hours": 63 * 7 * 24 + 1}, "The validity period must be between 1 and"),
        ({"signature": "x" * 61}, "The signature is longer than 60 characters."),
        ({"signature": "ACME\nParis"}, "The signature must fit on one line."),
    ],
)
def test_message_settings_that_cannot_be_applied_are_refused(settings, reason):
    with pytest.raises(Refusal) as refused:
        MessageSettings(**settings)
    assert str(refused.value).startswith(reason)


def test_a_change_is_logged_with_its_old_and_new_values(sessions):
    with sessions() as session:
        changed = MessageSettings(validity_hours=12, delivery_reports=False)
        save(session, changed)
        assert message_settings(session) == changed
        (logged,) = entries(session, action="settings_changed")
    assert logged.subject == "messages"
    assert '"validity_hours": [null, 12]' in logged.details
    assert '"delivery_reports": [true, false]' in logged.details


@EVERY_DRIVER
def test_a_change_reaches_the_running_daemons_next_pdu(db, sim, start_daemon, monkeypatch):
    # The daemon reads the settings at each message instead of once a minute.
    monkeypatch.setattr("modem.pace.SETTINGS_REFRESH", 0.0)
    with db() as session:
        outbox.queue_message(session, "0612345678", "avant", default_region="FR")
        session.commit()
    start_daemon()
    (before,) = sim.wait_for_sent(1, SENDING_WAIT)
    assert (before.validity, before.status_report) == ("2D", True)  # the configuration's 48 h

    with db() as session:
        save(session, MessageSettings(signature="ACME", validity_hours=12, delivery_reports=False))
        outbox.queue_message(session, "0612345678", "après", default_region="FR")
        session.commit()
    after = sim.wait_for_sent(2, SENDING_WAIT)[1]
    assert after.validity == "720M"  # 12 hours, as python-gammu reads the PDU back
    assert not after.status_report
    assert decode(after.parts[0])["Text"] == "après\nACME"


def test_the_api_signs_what_it_sends_and_refuses_a_text_too_long_with_it(api, sessions):
    with sessions() as session:
        save(session, MessageSettings(signature="ACME"))
    too_long = api.post("/messages", {"to": "0612345678", "text": "x" * 1598})
    assert_problem(too_long, 422, "too-long", "text")
    answer = api.post("/messages", {"to": "0612345678", "text": "Bonjour"})
    assert answer.status == 201
    with sessions() as session:
        (message,) = session.scalars(select(Message)).all()
    assert message.body == "Bonjour\nACME"


def test_a_session_given_some_settings_reads_only_the_others_and_sees_its_changes(sessions):
    queries = []

    def count(_conn, _cursor, statement, *_args):
        if "FROM settings" in statement:
            queries.append(statement)

    with sessions() as session:
        save(session, MessageSettings(signature="ACME"))
    with sessions() as session:
        account_settings.read_once(session)
        stored = session.execute(select(*account_settings.stored_values(("messages",)))).one()
        account_settings.prime(session, {"messages": stored.messages})
        event.listen(session.bind, "before_cursor_execute", count)
        try:
            assert message_settings(session).signature == "ACME"
            assert queries == []
            assert account_settings.load(session, account_settings.QUOTAS, Quotas) == Quotas()
            assert len(queries) == 1
            save(session, MessageSettings(signature="Durand"))
            assert message_settings(session).signature == "Durand"
        finally:
            event.remove(session.bind, "before_cursor_execute", count)


def test_a_session_reading_once_asks_once_and_sees_its_own_changes(sessions):
    queries = []

    def count(_conn, _cursor, statement, *_args):
        if "FROM settings" in statement:
            queries.append(statement)

    with sessions() as session, sessions() as other:
        account_settings.read_once(session)
        event.listen(session.bind, "before_cursor_execute", count)
        try:
            assert message_settings(session) == MessageSettings()
            assert message_settings(session) == MessageSettings()
            assert len(queries) == 1
            save(session, MessageSettings(signature="ACME"))
            assert message_settings(session).signature == "ACME"
            # A session that did not opt in (the daemon's) sees another's change at once.
            save(other, MessageSettings(signature="Durand"))
            assert message_settings(other).signature == "Durand"
        finally:
            event.remove(session.bind, "before_cursor_execute", count)
