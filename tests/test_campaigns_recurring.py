"""Campaigns at a local time and again and again: daylight saving, each occurrence
made once whatever the daemons do, pause and removal."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

import pytest
from campaign_rows import add_contacts, group_of, number_of
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from smsbox.account_settings import QUOTAS, save
from smsbox.activity import COMMAND_LINE, Action, details_of, entries
from smsbox.campaigns.due import create_due
from smsbox.campaigns.local_times import moment_of, send_time
from smsbox.campaigns.recurring import (
    THE_DAEMON,
    Frequency,
    Rule,
    add_recurrence,
    list_recurrences,
    parse_weekdays,
    remove_recurrence,
    set_paused,
)
from smsbox.campaigns.store import CampaignRefused, CampaignRequest, send_campaign
from smsbox.contacts.groups import add_members
from smsbox.models import Campaign, Message, Status
from smsbox.outbox import release_due_scheduled
from smsbox.quotas import Quotas
from smsbox.scheduled import ScheduleRefused

PARIS = ZoneInfo("Europe/Paris")


def utc(*fields: int) -> datetime:
    return datetime(*fields, tzinfo=UTC)


def test_a_time_the_clocks_skip_is_when_they_jump_and_one_they_repeat_is_the_first():
    # 2026-03-29: 02:00 becomes 03:00 in Paris; 2026-10-25: 03:00 becomes 02:00.
    assert moment_of(datetime(2026, 3, 29, 2, 30), PARIS) == utc(2026, 3, 29, 1, 0)
    assert moment_of(datetime(2026, 3, 29, 3, 0), PARIS) == utc(2026, 3, 29, 1, 0)
    assert moment_of(datetime(2026, 10, 25, 2, 30), PARIS) == utc(2026, 10, 25, 0, 30)
    assert moment_of(datetime(2026, 12, 24, 9, 0), PARIS) == utc(2026, 12, 24, 8, 0)


def test_a_send_time_is_refused_past_too_far_or_unreadable():
    now = utc(2026, 11, 25, 12, 0)
    assert send_time("2026-11-25 14:00", PARIS, now) == utc(2026, 11, 25, 13, 0)
    assert send_time("2026-11-25T14:00", PARIS, now) == utc(2026, 11, 25, 13, 0)
    for text, reason in [
        ("2026-11-25 12:00", "2026-11-25 12:00 is in the past"),
        ("2028-01-01 09:00", "2028-01-01 09:00 is more than a year ahead"),
        ("demain 9h", "“demain 9h” is not a date and time"),
    ]:
        with pytest.raises(ScheduleRefused) as refused:
            send_time(text, PARIS, now)
        assert str(refused.value).startswith(reason)


def occurrences(rule: Rule, start: datetime, count: int) -> list[datetime]:
    found, moment = [], start
    for _ in range(count):
        moment = rule.next_after(moment, PARIS)
        if moment is None:
            break
        found.append(moment)
    return found


def test_a_daily_0230_goes_at_0300_on_the_spring_night_and_once_on_the_autumn_night():
    daily = Rule(Frequency.DAILY, time(2, 30))
    assert occurrences(daily, utc(2026, 3, 27, 12), 3) == [
        utc(2026, 3, 28, 1, 30),  # 02:30 winter time
        utc(2026, 3, 29, 1, 0),  # 03:00 summer time: 02:30 never comes
        utc(2026, 3, 30, 0, 30),  # 02:30 summer time
    ]
    assert occurrences(daily, utc(2026, 10, 24, 12), 2) == [
        utc(2026, 10, 25, 0, 30),  # the first 02:30 of the night, not the second
        utc(2026, 10, 26, 1, 30),
    ]


def test_weekly_on_chosen_days_and_monthly_on_a_day_the_month_may_lack():
    weekly = Rule(Frequency.WEEKLY, time(9, 0), parse_weekdays("mon,thu"))
    # 2026-11-25 is a Wednesday.
    assert occurrences(weekly, utc(2026, 11, 25, 12), 3) == [
        utc(2026, 11, 26, 8),
        utc(2026, 11, 30, 8),
        utc(2026, 12, 3, 8),
    ]
    monthly = Rule(Frequency.MONTHLY, time(9, 0), month_day=31, ends_on=date(2027, 3, 1))
    assert occurrences(monthly, utc(2026, 11, 25, 12), 5) == [
        utc(2026, 11, 30, 8),  # November's last day
        utc(2026, 12, 31, 8),
        utc(2027, 1, 31, 8),
        utc(2027, 2, 28, 8),
    ]


@pytest.mark.parametrize(
    ("make", "reason"),
    [
        (lambda: Rule(Frequency.WEEKLY, time(9)), "a weekly campaign needs at least one day"),
        (lambda: Rule(Frequency.MONTHLY, time(9), month_day=32), "a monthly campaign needs"),
        (lambda: parse_weekdays("lundi"), "“lun” is no day of the week"),
    ],
)
def test_a_rule_that_cannot_be_is_refused(make, reason):
    with pytest.raises(CampaignRefused) as refused:
        make()
    assert str(refused.value).startswith(reason)


def daily_at_0830(session, groups, numbers=()):
    """ "Bonjour" every day at 8:30 Paris time, added on 2026-11-25 at noon UTC."""
    return add_recurrence(
        session,
        text="Bonjour",
        rule=Rule(Frequency.DAILY, time(8, 30)),
        groups=groups,
        numbers=list(numbers),
        zone=PARIS,
        default_region="FR",
        now=utc(2026, 11, 25, 12),
    )


def campaigns(sessions) -> list[Campaign]:
    with sessions() as session:
        return list(session.scalars(select(Campaign).order_by(Campaign.id)))


def test_each_occurrence_is_made_once_with_the_groups_members_of_that_time(sessions):
    created = utc(2026, 11, 25, 12)
    with sessions() as session:
        group = group_of(session, "Équipe", add_contacts(session, range(2)))
        recurrence = add_recurrence(
            session,
            text="Réunion à 9 h, {name}",
            rule=Rule(Frequency.DAILY, time(8, 30)),
            groups=[group],
            numbers=[],
            zone=PARIS,
            default_region="FR",
            now=created,
        )
        session.commit()
        recurrence_id, group_id = recurrence.id, group.id
        assert recurrence.next_at == utc(2026, 11, 26, 7, 30)

    def run(now: datetime) -> int:
        # A daemon's pass, each in its own session as after a restart.
        with sessions() as session:
            return create_due(session, zone=PARIS, default_region="FR", now=now)

    assert run(utc(2026, 11, 26, 7, 29)) == 0
    assert run(utc(2026, 11, 26, 7, 30)) == 1
    assert run(utc(2026, 11, 26, 7, 31)) == 0  # restarted: already made
    with sessions() as session:
        add_members(session, session.get(type(group), group_id), add_contacts(session, range(2, 3)))
        session.commit()
    assert run(utc(2026, 11, 27, 7, 30)) == 1
    made = campaigns(sessions)
    assert [(c.recurrence_id, c.occurrence_at, c.recipients) for c in made] == [
        (recurrence_id, utc(2026, 11, 26, 7, 30), 2),
        (recurrence_id, utc(2026, 11, 27, 7, 30), 3),  # the member added meanwhile
    ]
    with sessions() as session:
        bodies = session.scalars(
            select(Message.body).where(Message.campaign_id == made[1].id).order_by(Message.id)
        ).all()
        assert bodies[-1] == "Réunion à 9 h, Contact 2"
        assert {m.status for m in session.scalars(select(Message))} == {Status.QUEUED}


def test_a_second_daemon_that_read_the_same_occurrence_does_not_make_it_again(sessions):
    with sessions() as session:
        group = group_of(session, "G", add_contacts(session, range(1)))
        daily_at_0830(session, [group])
        session.commit()
    due = utc(2026, 11, 26, 7, 30)
    # Both read the recurrence due before either made its campaign.
    with sessions() as first, sessions() as second:
        assert len(list_recurrences(first)) == 1
        list_recurrences(second)
        assert create_due(first, zone=PARIS, default_region="FR", now=due) == 1
        assert create_due(second, zone=PARIS, default_region="FR", now=due) == 0
    assert len(campaigns(sessions)) == 1
    with sessions() as session:
        assert session.scalar(select(Message.number)) == number_of(0)


def test_an_occurrence_over_the_cap_is_skipped_logged_and_the_next_one_awaited(sessions):
    with sessions() as session:
        group = group_of(session, "G", add_contacts(session, range(2)))
        daily_at_0830(session, [group])
        save(session, QUOTAS, Quotas(account_daily=1), COMMAND_LINE)
        session.commit()
        assert create_due(session, zone=PARIS, default_region="FR", now=utc(2026, 11, 26, 8)) == 0
    assert campaigns(sessions) == []
    with sessions() as session:
        (entry,) = entries(session, action=Action.SEND_REFUSED)
        (recurrence,) = list_recurrences(session)
    assert (entry.actor, entry.subject, details_of(entry)["recipients"]) == ("daemon", "Bonjour", 2)
    assert recurrence.next_at == utc(2026, 11, 27, 7, 30)


def test_a_daemon_back_after_missed_occurrences_sends_the_last_one_once(sessions):
    with sessions() as session:
        group = group_of(session, "G", add_contacts(session, range(1)))
        daily_at_0830(session, [group])
        session.commit()
        assert create_due(session, zone=PARIS, default_region="FR", now=utc(2026, 11, 29, 9)) == 1
    (made,) = campaigns(sessions)
    assert made.occurrence_at == utc(2026, 11, 29, 7, 30)


def test_a_paused_recurrence_sends_nothing_and_resumes_from_its_next_occurrence(sessions):
    with sessions() as session:
        group = group_of(session, "G", add_contacts(session, range(1)))
        recurrence = daily_at_0830(session, [group], ["06 99 99 99 99"])
        set_paused(session, recurrence.id, True, PARIS)
        session.commit()
        assert create_due(session, zone=PARIS, default_region="FR", now=utc(2026, 11, 27)) == 0
        resumed = set_paused(session, recurrence.id, False, PARIS, now=utc(2026, 11, 28, 12))
        assert resumed.next_at == utc(2026, 11, 29, 7, 30)
        remove_recurrence(session, recurrence.id)
        session.commit()
        assert list_recurrences(session) == []
        with pytest.raises(CampaignRefused):
            remove_recurrence(session, recurrence.id)


def test_the_database_refuses_a_second_campaign_for_the_same_occurrence(sessions):
    with sessions() as session:
        group = group_of(session, "G", add_contacts(session, range(1)))
        recurrence = daily_at_0830(session, [group])
        session.commit()
        occurrence = (recurrence.id, utc(2026, 11, 26, 7, 30))
        request = CampaignRequest("Bonjour", groups=[group])
        send_campaign(
            session, request, THE_DAEMON, default_region="FR", zone=PARIS, recurrence=occurrence
        )
        session.commit()
        with pytest.raises(IntegrityError):
            send_campaign(
                session, request, THE_DAEMON, default_region="FR", zone=PARIS, recurrence=occurrence
            )
        session.rollback()
    assert len(campaigns(sessions)) == 1


def test_the_daemon_s_connection_makes_an_occurrence_due_and_goes_on_writing(sessions):
    with sessions() as session:
        group = group_of(session, "G", add_contacts(session, range(1)))
        daily_at_0830(session, [group])
        session.commit()
    with sessions.kw["bind"].connect() as connection:
        due = utc(2026, 11, 26, 7, 30)
        assert create_due(connection, zone=PARIS, default_region="FR", now=due) == 1
        release_due_scheduled(connection)  # as the daemon's pass goes on
        connection.commit()
    (made,) = campaigns(sessions)
    assert (made.occurrence_at, made.recipients) == (utc(2026, 11, 26, 7, 30), 1)
