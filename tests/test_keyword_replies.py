"""What an inbound keyword does once its message is stored: the STOP list, the
double opt-in, the replies and their limit; the daemon's side is in
tests/test_daemon_optouts.py."""

from __future__ import annotations

import dataclasses
from datetime import timedelta

from outbox_rows import queue, status_of
from sqlalchemy import select

from smsbox import account_settings, activity, keyword_replies, optouts, sending
from smsbox.activity import COMMAND_LINE
from smsbox.keywords import KeywordRules, Kind
from smsbox.models import Direction, Message, OptOut, Status, utcnow

SENDER = "+33698765432"
RULES = KeywordRules()


def said(
    sessions,
    text: str,
    *,
    rules: KeywordRules = RULES,
    now=None,
    number: str = SENDER,
    error: str | None = None,
):
    with sessions() as session:
        message = Message(
            direction=Direction.INBOUND,
            number=number,
            raw_number=number,
            body=text,
            status=Status.RECEIVED,
            error=error,
        )
        session.add(message)
        session.flush()
        answered = keyword_replies.answer(
            session, message, rules, default_region="FR", now=now or utcnow()
        )
        session.commit()
        reply = (
            None if answered.reply is None else (answered.reply.body, answered.reply.keyword_reply)
        )
        return answered.kind, reply


def entry(sessions) -> OptOut | None:
    with sessions() as session:
        return session.scalar(select(OptOut).where(OptOut.number == SENDER))


def test_a_stop_opts_out_with_its_keyword_and_its_answer_goes_out_nothing_else(sessions, modem_id):
    (earlier,) = queue(sessions, "06 98 76 54 32", text="promo")

    assert said(sessions, " stop. ") == (Kind.OPT_OUT, (RULES.opt_out_reply, Kind.OPT_OUT))

    opted = entry(sessions)
    assert (opted.source, opted.keyword) == ("sms", "stop.")
    with sessions() as session:
        (logged,) = activity.entries(session)
        assert (logged.actor, logged.action, logged.subject) == ("sms", "optout_added", SENDER)
    with sessions() as session:
        claimed = sending.claim_next(session, modem_id)
        assert claimed.body == RULES.opt_out_reply  # the answer to its own STOP goes
        assert sending.claim_next(session, modem_id) is None
    assert status_of(sessions, earlier) == Status.BLOCKED


def test_start_asks_for_a_confirmation_and_the_second_start_brings_the_number_back(sessions):
    said(sessions, "ARRÊT")

    assert said(sessions, "Start") == (Kind.OPT_IN, (RULES.opt_in_confirm_request, Kind.OPT_IN))
    assert entry(sessions) is not None  # not yet
    assert said(sessions, "oui") == (Kind.OPT_IN, (RULES.opt_in_reply, Kind.OPT_IN))
    assert entry(sessions) is None


def test_a_confirmation_too_late_is_a_new_request(sessions):
    said(sessions, "STOP")
    start = utcnow()
    said(sessions, "START", now=start)
    late = start + timedelta(hours=RULES.confirm_within_hours, minutes=1)

    assert said(sessions, "OUI", now=late)[1] == (RULES.opt_in_confirm_request, Kind.OPT_IN)
    assert entry(sessions) is not None


def test_a_stop_after_a_request_to_come_back_forgets_the_request(sessions):
    rules = dataclasses.replace(RULES, replies_per_hour=10)
    for text in ("STOP", "START", "STOP"):
        said(sessions, text, rules=rules)

    assert said(sessions, "YES", rules=rules)[1] == (RULES.opt_in_confirm_request, Kind.OPT_IN)
    assert entry(sessions) is not None


def test_without_double_opt_in_one_start_is_enough(sessions):
    single = dataclasses.replace(RULES, double_opt_in=False)
    said(sessions, "STOP", rules=single)

    assert said(sessions, "START", rules=single)[1] == (RULES.opt_in_reply, Kind.OPT_IN)
    assert entry(sessions) is None


def test_start_from_a_number_not_on_the_list_does_nothing(sessions):
    assert said(sessions, "START") == (Kind.OPT_IN, None)


def test_help_is_answered_but_not_to_an_opted_out_number(sessions):
    assert said(sessions, "Aide") == (Kind.HELP, (RULES.help_reply, Kind.HELP))
    said(sessions, "STOP")
    assert said(sessions, "HELP") == (Kind.HELP, None)


def test_the_default_reply_is_off_unless_set_and_never_goes_to_an_opted_out_number(sessions):
    assert said(sessions, "Bonjour, je serai en retard") == (None, None)
    with_default = dataclasses.replace(RULES, default_reply="Message reçu, merci.")
    assert said(sessions, "Bonjour", rules=with_default) == (
        None,
        ("Message reçu, merci.", keyword_replies.DEFAULT_REPLY),
    )
    said(sessions, "STOP", rules=with_default)
    assert said(sessions, "Bonjour", rules=with_default) == (None, None)


def test_two_machines_answering_each_other_get_a_few_replies_an_hour(sessions):
    chatty = dataclasses.replace(RULES, default_reply="Message reçu.", replies_per_hour=3)
    replies = [said(sessions, "Message reçu.", rules=chatty)[1] for _ in range(5)]

    assert [reply is not None for reply in replies] == [True, True, True, False, False]
    later = utcnow() + timedelta(hours=1, minutes=1)
    assert said(sessions, "Message reçu.", rules=chatty, now=later)[1] is not None


def test_an_empty_reply_text_sends_nothing_yet_the_keyword_acts(sessions):
    silent = dataclasses.replace(RULES, opt_out_reply="")
    assert said(sessions, "STOP", rules=silent) == (Kind.OPT_OUT, None)
    assert entry(sessions) is not None


def test_a_sender_that_takes_no_reply_still_opts_out(sessions):
    assert said(sessions, "STOP", number="ORANGE") == (Kind.OPT_OUT, None)
    with sessions() as session:
        assert optouts.is_opted_out(session, "ORANGE")


def test_a_message_whose_parts_made_no_message_is_no_keyword(sessions):
    assert said(sessions, "STOP", error="its parts make no message: part 0 of 2") == (None, None)
    assert entry(sessions) is None


def test_saved_rules_are_the_ones_the_next_message_meets(sessions):
    with sessions() as session:
        changed = dataclasses.replace(RULES, help=("INFOS",))
        account_settings.save(session, account_settings.KEYWORDS, changed, COMMAND_LINE)
        session.commit()
        rules = account_settings.keyword_rules(session)
    assert said(sessions, "infos", rules=rules)[0] is Kind.HELP
