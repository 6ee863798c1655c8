"""The account's own keywords: each puts the sender's contact in a group (made when
missing, the contact too) and may reply, rate-limited like the other replies."""

from __future__ import annotations

import pytest
from daemon_fixtures import SENDING_WAIT
from sqlalchemy import select
from test_keyword_replies import SENDER, said
from waiting import wait_until

from smsbox import account_settings, optouts
from smsbox.activity import COMMAND_LINE, entries
from smsbox.contacts.details import ContactDetails
from smsbox.contacts.store import save_contact
from smsbox.keywords import KeywordRules, Kind, custom_from_lines, custom_lines
from smsbox.models import Contact, Group, GroupMembership
from smsbox.refusals import Refusal

PROMO = KeywordRules(custom=(("PROMO", "Promotions", "Merci, vous recevrez nos offres."),))


def groups_of(sessions, number: str) -> dict[str, list[str]]:
    """Each contact of `number`: the groups it is in."""
    with sessions() as session:
        rows = session.execute(
            select(Contact.name, Group.name)
            .join(GroupMembership, GroupMembership.contact_id == Contact.id)
            .join(Group, Group.id == GroupMembership.group_id)
            .where(Contact.number == number)
        )
        found: dict[str, list[str]] = {}
        for contact, group in rows:
            found.setdefault(contact, []).append(group)
        return found


def test_an_unknown_number_becomes_a_contact_named_by_its_number_in_a_new_group(sessions):
    assert said(sessions, " Promo! ", rules=PROMO) == (
        Kind.CUSTOM,
        ("Merci, vous recevrez nos offres.", Kind.CUSTOM),
    )
    assert groups_of(sessions, SENDER) == {SENDER: ["Promotions"]}
    with sessions() as session:
        (logged,) = entries(session, action="keyword_tagged")
    assert (logged.actor, logged.subject) == ("sms", SENDER)


def test_a_known_contact_joins_the_existing_group_once_and_keeps_its_name(sessions):
    with sessions() as session:
        details = ContactDetails(name="Alice", number=SENDER, raw_number="06 98 76 54 32")
        save_contact(session, details, allow_duplicates=False)
        session.add(Group(name="promotions"))
        session.commit()
    said(sessions, "promo", rules=PROMO)
    said(sessions, "PROMO", rules=PROMO)
    assert groups_of(sessions, SENDER) == {"Alice": ["promotions"]}


def test_replies_are_rate_limited_and_a_number_on_the_stop_list_is_tagged_but_not_answered(
    sessions,
):
    replies = [said(sessions, "promo", rules=PROMO)[1] for _ in range(4)]
    assert [reply is not None for reply in replies] == [True, True, True, False]

    other = "+33611111111"
    with sessions() as session:
        optouts.opt_out(session, other)
        session.commit()
    assert said(sessions, "promo", rules=PROMO, number=other) == (Kind.CUSTOM, None)
    assert groups_of(sessions, other) == {other: ["Promotions"]}


def test_a_keyword_without_reply_only_tags():
    rules = KeywordRules(custom=custom_from_lines(("VIP | Clients VIP",)))
    assert rules.custom == (("VIP", "Clients VIP", ""),)
    assert custom_lines(rules) == ["VIP | Clients VIP"]


def test_a_sentence_with_the_keyword_in_it_is_no_keyword(sessions):
    assert said(sessions, "pas de promo pour moi", rules=PROMO) == (None, None)
    assert groups_of(sessions, SENDER) == {}


@pytest.mark.parametrize(
    ("custom", "reason"),
    [
        ((("", "Promotions", ""),), "A keyword list has an empty entry (custom)."),
        ((("Stop", "Promotions", ""),), "The keyword Stop is both opt_out and custom."),
        (
            (("PROMO", "A", ""), ("promo.", "B", "")),
            "The keyword promo. is given twice.",
        ),
        ((("PROMO", "  ", ""),), "The keyword PROMO names no group."),
    ],
)
def test_own_keywords_that_cannot_be_applied_are_refused(custom, reason):
    with pytest.raises(Refusal) as refused:
        KeywordRules(custom=custom)
    assert str(refused.value) == reason


def test_a_line_without_a_group_is_refused():
    with pytest.raises(Refusal) as refused:
        custom_from_lines(("PROMO",))
    assert "PROMO: write the keyword, then | and the group" in str(refused.value)


def test_the_daemon_tags_the_sender_of_an_own_keyword_and_replies(db, sim, start_daemon):
    with db() as session:
        account_settings.save(session, account_settings.KEYWORDS, PROMO, COMMAND_LINE)
        session.commit()
    start_daemon()
    sim.deliver("+33698765432", "Promo")
    (reply,) = sim.wait_for_sent(1, SENDING_WAIT)
    assert reply.text == "Merci, vous recevrez nos offres."
    wait_until(lambda: groups_of(db, SENDER) == {SENDER: ["Promotions"]})
