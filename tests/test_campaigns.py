"""Group sends: recipients deduplicated and the STOP list honoured, placeholders filled
or refused before anything is queued, caps, counts per state, cancelling."""

from __future__ import annotations

from zoneinfo import ZoneInfo

import pytest
from campaign_rows import add_contacts, group_of, number_of
from sqlalchemy import func, select, update

from smsbox import account_settings
from smsbox.activity import COMMAND_LINE
from smsbox.campaigns.placeholders import PlaceholderRefused
from smsbox.campaigns.recipients import RecipientsRefused
from smsbox.campaigns.store import (
    CampaignRefused,
    CampaignRequest,
    cancel_campaign,
    list_campaigns,
    progress,
    send_campaign,
)
from smsbox.contacts.groups import create_group
from smsbox.message_settings import MessageSettings
from smsbox.models import Campaign, Contact, Message, Status
from smsbox.numbers import InvalidNumber
from smsbox.optouts import opt_out
from smsbox.outbox import MAX_BODY_LENGTH
from smsbox.quotas import QuotaExceeded, Quotas

PARIS = ZoneInfo("Europe/Paris")


def send(session, text, groups=(), numbers=(), **options):
    return send_campaign(
        session,
        CampaignRequest(text, groups=groups, numbers=numbers, **options),
        COMMAND_LINE,
        default_region="FR",
        zone=PARIS,
    )


def queued(session) -> list[Message]:
    return list(session.scalars(select(Message).order_by(Message.id)))


def test_ten_thousand_listed_a_hundred_opted_out_fifty_twice_queue_9850_once_each(sessions):
    with sessions() as session:
        first = add_contacts(session, range(5000))
        second = add_contacts(session, range(5000, 9950))
        # Fifty contacts of the first group are in the second one too: 10,000 listed.
        clients = group_of(session, "Clients", first)
        prospects = group_of(session, "Prospects", second + first[:50])
        for index in range(0, 10_000, 100):  # 100 of them, in both groups' parts
            opt_out(session, number_of(index if index < 9950 else index - 50))
        campaign = send(session, "Bonjour {name}, -20 % ce samedi", [clients, prospects])
        session.commit()

        messages = queued(session)
        assert len(messages) == 9850
        assert len({message.number for message in messages}) == 9850
        assert messages[0].body == "Bonjour Contact 1, -20 % ce samedi"
        assert all(
            message.body == f"Bonjour {contact}, -20 % ce samedi"
            for message, contact in (
                (m, session.scalar(select(Contact.name).where(Contact.number == m.number)))
                for m in messages[:200]
            )
        )
        assert {message.status for message in messages} == {Status.QUEUED}
        assert {message.campaign_id for message in messages} == {campaign.id}
        assert not any(message.transactional for message in messages)  # commercial by default
        assert (campaign.recipients, campaign.opted_out, campaign.duplicates) == (9850, 100, 50)
        assert campaign.groups == ["Clients", "Prospects"]


def test_loose_numbers_join_the_groups_and_a_contacts_number_is_that_contact(sessions):
    with sessions() as session:
        ids = add_contacts(session, range(2), Ville="Nîmes")
        group = group_of(session, "Clients", ids[:1])
        campaign = send(
            session,
            "{prénom}, à {ville} ?",
            [group],
            ["06 10 00 00 01", "0610000000", "06 99 99 99 99"],
        )
        session.commit()
        bodies = {message.number: message.body for message in queued(session)}
    assert bodies == {
        number_of(0): "Contact, à Nîmes ?",
        number_of(1): "Contact, à Nîmes ?",
        # Nobody's contact: the placeholders are filled with nothing.
        "+33699999999": ", à  ?",
    }
    assert campaign.duplicates == 1
    assert campaign.numbers == ["06 10 00 00 01", "0610000000", "06 99 99 99 99"]


def test_a_contacts_own_field_wins_over_the_built_in_one_of_the_same_name(sessions):
    with sessions() as session:
        ids = add_contacts(session, range(1), **{"Prénom": "Élodie"})
        send(session, "Bonjour {prénom} ({name})", [group_of(session, "G", ids)])
        session.commit()
        (message,) = queued(session)
    assert message.body == "Bonjour Élodie (Contact 0)"


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("Bonjour {nom_de_famille}", "{nom_de_famille} is no placeholder these contacts have"),
        ("{name.__class__}", "{name.__class__} is not a placeholder"),
        ("{name!r}", "{name!r} is not a placeholder"),
        ("{name:>30}", "{name:>30} is not a placeholder"),
        ("{0}", "{0} is not a placeholder"),
        ("{}", "{} is not a placeholder"),
        ("Prix {", "a brace in the text is not closed"),
    ],
)
def test_a_placeholder_that_cannot_be_filled_is_refused_with_nothing_queued(sessions, text, reason):
    with sessions() as session:
        group = group_of(session, "G", add_contacts(session, range(3)))
        session.commit()
        with pytest.raises(PlaceholderRefused) as refused:
            send(session, text, [group])
        session.rollback()
        assert str(refused.value).startswith(reason)
        assert queued(session) == []
        assert session.scalar(select(func.count()).select_from(Campaign)) == 0


def test_doubled_braces_stay_in_the_text(sessions):
    with sessions() as session:
        send(
            session,
            "Code {{promo}} pour {name}",
            [group_of(session, "G", add_contacts(session, range(1)))],
        )
        session.commit()
        (message,) = queued(session)
    assert message.body == "Code {promo} pour Contact 0"


def test_a_group_with_no_reachable_member_is_refused_clearly(sessions):
    with sessions() as session:
        empty = create_group(session, "Vide")
        stopped = group_of(session, "Partis", add_contacts(session, range(2)))
        opt_out(session, number_of(0))
        opt_out(session, number_of(1))
        session.commit()
        with pytest.raises(RecipientsRefused) as refused:
            send(session, "Bonjour", [empty])
        assert str(refused.value) == "these groups have no members and no number was given"
        with pytest.raises(RecipientsRefused) as refused:
            send(session, "Bonjour", [stopped, empty])
        assert str(refused.value) == ("nobody to send to: all 2 recipient(s) are on the STOP list")
        with pytest.raises(CampaignRefused):
            send(session, "Bonjour")
        session.rollback()
        assert queued(session) == []


def test_a_bad_loose_number_or_a_text_too_long_for_one_recipient_queues_nothing(sessions):
    with sessions() as session:
        ids = add_contacts(session, range(2))
        session.execute(
            update(Contact).where(Contact.id == ids[1]).values(fields={"Note": "x" * 1590})
        )
        group = group_of(session, "G", ids)
        session.commit()
        with pytest.raises(InvalidNumber):
            send(session, "Bonjour", [group], ["06 12 AB"])
        with pytest.raises(CampaignRefused) as refused:
            send(session, "Bonjour {name}, {note}", [group])
        assert str(refused.value).startswith(f"the text for {number_of(1)} cannot be sent")
        session.rollback()
        assert queued(session) == []


def test_the_caps_are_checked_with_the_real_recipient_count_before_anything_is_queued(sessions):
    with sessions() as session:
        account_settings.save(
            session, account_settings.QUOTAS, Quotas(account_daily=3), COMMAND_LINE
        )
        group = group_of(session, "G", add_contacts(session, range(5)))
        opt_out(session, number_of(0))
        session.commit()
        with pytest.raises(QuotaExceeded) as refused:
            send(session, "Bonjour", [group])
        assert str(refused.value).startswith("4 more SMS would pass the account's daily cap of 3")
        session.rollback()
        assert queued(session) == []
        opt_out(session, number_of(1))
        send(session, "Bonjour", [group])
        session.commit()
        assert len(queued(session)) == 3


def test_a_transactional_group_send_is_marked_so(sessions):
    with sessions() as session:
        group = group_of(session, "G", add_contacts(session, range(2)))
        send(session, "Rappel : rendez-vous demain", [group], transactional=True)
        session.commit()
        assert all(message.transactional for message in queued(session))


def test_counts_per_state_and_cancelling_leaves_what_already_left(sessions):
    with sessions() as session:
        group = group_of(session, "G", add_contacts(session, range(10)))
        campaign = send(session, "Bonjour", [group])
        session.commit()
        ids = [message.id for message in queued(session)]
        session.execute(
            update(Message).where(Message.id.in_(ids[:2])).values(status=Status.DELIVERED)
        )
        session.execute(update(Message).where(Message.id == ids[2]).values(status=Status.SENDING))
        session.execute(update(Message).where(Message.id == ids[3]).values(status=Status.FAILED))
        session.commit()

        counts = progress(session, campaign.id).counts
        assert (counts[Status.QUEUED], counts[Status.DELIVERED], counts[Status.SENDING]) == (
            6,
            2,
            1,
        )
        assert counts[Status.FAILED] == 1 and counts[Status.CANCELLED] == 0

        assert cancel_campaign(session, campaign.id, COMMAND_LINE) == 6
        session.commit()
        after = progress(session, campaign.id)
        assert after.counts[Status.CANCELLED] == 6
        assert after.counts[Status.SENDING] == 1  # claimed by the daemon: it goes out
        assert after.campaign.state == "cancelled" and after.campaign.cancelled == 6
        assert cancel_campaign(session, campaign.id, COMMAND_LINE) == 0
        with pytest.raises(CampaignRefused):
            progress(session, campaign.id + 1)


def test_the_campaigns_are_listed_newest_first(sessions):
    with sessions() as session:
        group = group_of(session, "G", add_contacts(session, range(1)))
        made = [send(session, f"Envoi {n}", [group]).id for n in range(3)]
        session.commit()
        assert [c.id for c in list_campaigns(session)] == made[::-1]
        assert [c.id for c in list_campaigns(session, before=made[2], limit=1)] == [made[1]]


def test_each_message_carries_the_signature_and_is_checked_with_it(sessions):
    with sessions() as session:
        account_settings.save(
            session, account_settings.MESSAGES, MessageSettings(signature="ACME"), COMMAND_LINE
        )
        ids = add_contacts(session, range(2))
        group = group_of(session, "Clients", ids)
        send(session, "Bonjour {name}", [group])
        session.commit()
        assert {message.body for message in queued(session)} == {
            "Bonjour Contact 0\nACME",
            "Bonjour Contact 1\nACME",
        }
        with pytest.raises(CampaignRefused, match="cannot be sent"):
            send(session, "x" * (MAX_BODY_LENGTH - 2), [group])  # fits alone, not signed
