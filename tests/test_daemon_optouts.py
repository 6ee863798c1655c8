"""The STOP list end to end: the real daemon and the simulated modem on a pty."""

from __future__ import annotations

import time

from daemon_fixtures import messages
from outbox_rows import status_of
from waiting import wait_until

from smsbox import optouts, outbox
from smsbox.keywords import KeywordRules
from smsbox.models import Direction, Message, Status

STOPPED = "+33698765432"


def test_it_never_sends_to_a_number_that_said_stop_but_its_confirmation(db, sim, start_daemon):
    start_daemon()
    sim.deliver(STOPPED, " stop. ")
    (stop,) = wait_until(lambda: messages(db, Direction.INBOUND))
    wait_until(lambda: _opted_out(db))
    (confirmation,) = sim.wait_for_sent(1)
    assert (confirmation.recipient, confirmation.text) == (STOPPED, KeywordRules().opt_out_reply)

    with db() as session:
        blocked = outbox.queue_message(session, "06 98 76 54 32", "promo", default_region="FR")
        outbox.queue_message(session, "0612345678", "rendez-vous demain", default_region="FR")
        session.commit()

    submitted = sim.wait_for_sent(2)[1]
    assert (submitted.recipient, submitted.text) == ("+33612345678", "rendez-vous demain")
    # A claim that began before both were queued sends the other first; the next blocks it.
    wait_until(lambda: status_of(db, blocked.id) == Status.BLOCKED)
    with db() as session:
        message = session.get_one(Message, blocked.id)
        assert message.error.startswith("the recipient opted out (STOP on ")
        assert [(row.number, row.source_message_id) for row in optouts.list_optouts(session)] == [
            (STOPPED, stop.id)
        ]
    time.sleep(0.5)
    assert [sent.recipient for sent in sim.sent()] == [STOPPED, "+33612345678"]


def test_a_number_that_said_arret_comes_back_after_start_and_its_confirmation(
    db, sim, start_daemon
):
    rules = KeywordRules()
    start_daemon()
    sim.deliver(STOPPED, "Arrêt")
    wait_until(lambda: _opted_out(db))
    sim.deliver(STOPPED, "START")
    sim.wait_for_sent(2)
    assert _opted_out(db)
    sim.deliver(STOPPED, "Oui")
    wait_until(lambda: not _opted_out(db))

    assert [sent.text for sent in sim.wait_for_sent(3)] == [
        rules.opt_out_reply,
        rules.opt_in_confirm_request,
        rules.opt_in_reply,
    ]


def _opted_out(db) -> bool:
    with db() as session:
        return optouts.is_opted_out(session, STOPPED)
