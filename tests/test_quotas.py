"""Caps on SMS a day and a month: for the account, each user, each modem."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from fake_driver import FakeDriver, connected_worker
from sqlalchemy import select, update
from test_web import log_in, send

from smsbox import account_settings, quotas
from smsbox.activity import COMMAND_LINE, Action, details_of, entries
from smsbox.models import Message, Status, utcnow
from smsbox.models import Modem as ModemRow
from smsbox.outbox import queue_message
from smsbox.quotas import (
    Periods,
    QuotaExceeded,
    Quotas,
    account_usage,
    check,
    check_send,
    user_usage,
)
from smsbox.refusals import Refusal
from smsbox.users import create_user

PARIS = ZoneInfo("Europe/Paris")


def save(sessions, quotas: Quotas) -> None:
    with sessions() as session:
        account_settings.save(session, account_settings.QUOTAS, quotas, COMMAND_LINE)
        session.commit()


def queued(sessions, count: int, *, user_id=None, at: datetime | None = None, status=None):
    with sessions() as session:
        for _ in range(count):
            message = queue_message(
                session, "0612345678", "hello", default_region="FR", created_by_id=user_id
            )
            if at is not None:
                message.created_at = at
            if status is not None:
                message.status = status
        session.commit()


def test_a_negative_cap_is_refused():
    with pytest.raises(Refusal, match=r"The cap user_daily must be a whole number, 0 or more\."):
        Quotas(user_daily=-1)


def test_days_and_months_are_the_account_s_even_across_a_change_of_clock():
    periods = Periods.at(datetime(2026, 3, 29, 12, 0, tzinfo=UTC), PARIS)
    assert periods.day_start == datetime(2026, 3, 28, 23, 0, tzinfo=UTC)  # winter time
    assert periods.day_end == datetime(2026, 3, 29, 22, 0, tzinfo=UTC)  # summer time
    assert periods.month_start == datetime(2026, 2, 28, 23, 0, tzinfo=UTC)
    assert periods.month_end == datetime(2026, 3, 31, 22, 0, tzinfo=UTC)


def test_usage_counts_the_period_s_messages_but_not_those_blocked(sessions):
    now = utcnow()
    periods = Periods.at(now, PARIS)
    queued(sessions, 2)
    queued(sessions, 1, status=Status.BLOCKED)
    queued(sessions, 1, at=periods.day_start - timedelta(seconds=1))
    queued(sessions, 1, at=periods.month_start - timedelta(seconds=1))

    with sessions() as session:
        used = account_usage(session, periods)
    in_month = 3 if periods.day_start > periods.month_start else 2
    assert (used.today, used.this_month) == (2, in_month)


def test_a_send_over_the_account_s_or_the_user_s_cap_is_refused_naming_it(sessions):
    with sessions() as session:
        alice = create_user(session, "alice", "correct horse battery")
        session.commit()
        alice_id = alice.id
    queued(sessions, 2, user_id=alice_id)
    queued(sessions, 1)
    periods = Periods.at(utcnow(), PARIS)

    with sessions() as session:
        assert user_usage(session, periods, alice_id).today == 2
        check(session, Quotas(account_daily=4), count=1, user_id=alice_id, periods=periods)
        with pytest.raises(QuotaExceeded) as refused:
            check(session, Quotas(account_daily=4), count=2, user_id=alice_id, periods=periods)
        assert str(refused.value) == (
            "2 more SMS would pass the account's daily cap of 4 (3 today): nothing was queued"
        )
        with pytest.raises(QuotaExceeded, match="pass your monthly cap of 2 \\(2 this month\\)"):
            check(session, Quotas(user_monthly=2), count=1, user_id=alice_id, periods=periods)
        check(session, Quotas(user_monthly=2), count=1, user_id=None, periods=periods)


def test_the_web_refuses_a_send_over_the_cap_and_queues_nothing(client, sessions):
    save(sessions, Quotas(user_daily=1))
    log_in(client)
    assert send(client, "0612345678", "first").status_code == 302
    refused = send(client, "0612345678", "second")

    assert refused.status_code == 400
    assert "would pass your daily cap of 1 (1 today)" in refused.get_data(as_text=True)
    with sessions() as session:
        assert session.scalars(select(Message.body)).all() == ["first"]
        (entry,) = entries(session, action=Action.SEND_REFUSED)
        assert (entry.actor, entry.subject) == ("alice", "+33612345678")
        assert details_of(entry) == {
            "recipients": 1,
            "reason": "1 more SMS would pass your daily cap of 1 (1 today): nothing was queued",
        }


def test_check_send_reads_the_caps_an_admin_saved(sessions):
    save(sessions, Quotas(account_monthly=0))
    with sessions() as session, pytest.raises(QuotaExceeded):
        check_send(session, count=1, user_id=None, zone=PARIS)


def test_a_send_that_meets_no_cap_costs_no_count_nor_period(sessions, monkeypatch):
    # An API send without caps (the common case) worked out the day and month anyway.
    save(sessions, Quotas(user_daily=0))

    def counted(*_, **__):
        raise AssertionError("a send no cap applies to was counted")

    monkeypatch.setattr(quotas.Periods, "at", counted)
    with sessions() as session:
        check_send(session, count=1, user_id=None, zone=PARIS)  # a key naming nobody
        with pytest.raises(AssertionError):
            check_send(session, count=1, user_id=1, zone=PARIS)


def test_a_modem_at_its_daily_cap_sends_no_more_and_says_until_when(sessions, clock):
    save(sessions, Quotas(modem_daily=1))
    queued(sessions, 2)
    driver = FakeDriver()
    worker = connected_worker(sessions, driver, clock)
    for _ in range(3):
        worker.step()

    assert driver.texts_on_the_network() == ["hello"]
    with sessions() as session:
        statuses = session.scalars(select(Message.status).order_by(Message.id)).all()
        until = session.scalar(select(ModemRow.rate_limited_until))
    assert statuses == [Status.SENT, Status.QUEUED]
    assert abs(until - Periods.at(utcnow(), PARIS).day_end) < timedelta(seconds=1)

    # An admin raises the cap: within a minute the modem sends again.
    save(sessions, Quotas(modem_daily=5))
    with sessions() as session:
        session.execute(update(ModemRow).values(rate_limited_until=None))
        session.commit()
    clock.now += 60
    worker.step()
    assert len(driver.texts_on_the_network()) == 2
