"""Caps on how many SMS go out a day and a month: for the whole account, for each
user, and for each modem (a SIM plan's allowance). Days and months are those of the
account's time zone. A send over the account's or the user's cap is refused before
anything is queued; a modem at its cap takes no more until its period ends, and the
other modems take the traffic.

What counts is an outbound message created in the period (a modem: sent in it),
except those blocked by the STOP list, which never reached a modem.
"""

from __future__ import annotations

import enum
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from sqlalchemy import Column, Select, func, select

from smsbox import account_settings, activity
from smsbox.activity import Action, Actor
from smsbox.outbox import MessageRejected
from smsbox.refusals import Refusal
from smsbox.tables import Direction, Status, messages, modems, utcnow, written

if TYPE_CHECKING:
    from sqlalchemy.orm import Session


class QuotaExceeded(MessageRejected):
    """A send that would pass a cap; nothing of it was queued."""


class Scope(enum.StrEnum):
    ACCOUNT = "account"
    USER = "user"
    MODEM = "modem"


@dataclass(frozen=True)
class Quotas:
    """Each cap in SMS, None for no cap."""

    account_daily: int | None = None
    account_monthly: int | None = None
    user_daily: int | None = None
    user_monthly: int | None = None
    modem_daily: int | None = None
    modem_monthly: int | None = None

    def __post_init__(self) -> None:
        for name, cap in vars(self).items():
            if cap is not None and (not isinstance(cap, int) or cap < 0):
                raise Refusal("The cap %(name)s must be a whole number, 0 or more.", name=name)

    @property
    def modem_capped(self) -> bool:
        return self.modem_daily is not None or self.modem_monthly is not None

    def caps(self, scope: Scope) -> tuple[int | None, int | None]:
        """`scope`'s daily and monthly caps."""
        return getattr(self, f"{scope}_daily"), getattr(self, f"{scope}_monthly")

    def cap_sends_of(self, user_id: int | None) -> bool:
        """Whether a send by `user_id` (None: not a person) meets a cap to check."""
        return self.caps(Scope.ACCOUNT) != (None, None) or (
            user_id is not None and self.caps(Scope.USER) != (None, None)
        )


@dataclass(frozen=True)
class Periods:
    """The account's current day and month, as UTC bounds."""

    day_start: datetime
    day_end: datetime
    month_start: datetime
    month_end: datetime

    @classmethod
    def at(cls, moment: datetime, zone: ZoneInfo) -> Periods:
        today = moment.astimezone(zone).date()
        first = today.replace(day=1)
        next_month = (first + timedelta(days=32)).replace(day=1)

        def start_of(day) -> datetime:
            return datetime.combine(day, time(), zone).astimezone(moment.tzinfo)

        return cls(
            start_of(today),
            start_of(today + timedelta(days=1)),
            start_of(first),
            start_of(next_month),
        )


@dataclass(frozen=True)
class Usage:
    today: int
    this_month: int


def _usage(session: Session, counted: Select, moment: Column, periods: Periods) -> Usage:
    this_month = session.scalar(counted.where(moment >= periods.month_start)) or 0
    today = session.scalar(counted.where(moment >= periods.day_start)) or 0
    return Usage(today, this_month)


def account_usage(session: Session, periods: Periods) -> Usage:
    # Two counts each read from an index alone, where one with `status != blocked`
    # would visit every row of the month.
    outbound = messages.c.direction == written(Direction.OUTBOUND)
    created = select(func.count()).select_from(messages).where(outbound)
    blocked = created.where(messages.c.status == Status.BLOCKED)
    every, never_sent = (
        _usage(session, query, messages.c.created_at, periods) for query in (created, blocked)
    )
    return Usage(every.today - never_sent.today, every.this_month - never_sent.this_month)


def user_usage(session: Session, periods: Periods, user_id: int) -> Usage:
    counted = (
        select(func.count())
        .select_from(messages)
        .where(messages.c.created_by_id == user_id, messages.c.status != Status.BLOCKED)
    )
    return _usage(session, counted, messages.c.created_at, periods)


def modem_usage(session: Session, periods: Periods, modem_id: int) -> Usage:
    counted = select(func.count()).select_from(messages).where(messages.c.modem_id == modem_id)
    return _usage(session, counted, messages.c.sent_at, periods)


def check(
    session: Session,
    quotas: Quotas,
    *,
    count: int,
    user_id: int | None,
    periods: Periods,
) -> None:
    """QuotaExceeded when `count` more SMS from `user_id` (None: not a person) would
    pass the account's or that user's cap."""
    if quotas.account_daily is not None or quotas.account_monthly is not None:
        used = account_usage(session, periods)
        _refuse_over(
            count,
            (quotas.account_daily, used.today),
            "%(count)d more SMS would pass the account's daily cap of %(cap)d "
            "(%(used)d today): nothing was queued",
        )
        _refuse_over(
            count,
            (quotas.account_monthly, used.this_month),
            "%(count)d more SMS would pass the account's monthly cap of %(cap)d "
            "(%(used)d this month): nothing was queued",
        )
    if user_id is not None and (quotas.user_daily is not None or quotas.user_monthly is not None):
        used = user_usage(session, periods, user_id)
        _refuse_over(
            count,
            (quotas.user_daily, used.today),
            "%(count)d more SMS would pass your daily cap of %(cap)d "
            "(%(used)d today): nothing was queued",
        )
        _refuse_over(
            count,
            (quotas.user_monthly, used.this_month),
            "%(count)d more SMS would pass your monthly cap of %(cap)d "
            "(%(used)d this month): nothing was queued",
        )


def _refuse_over(count: int, cap_and_used: tuple[int | None, int], template: str) -> None:
    cap, used = cap_and_used
    if cap is not None and used + count > cap:
        raise QuotaExceeded(template, count=count, cap=cap, used=used)


def check_send(session: Session, *, count: int, user_id: int | None, zone: ZoneInfo) -> None:
    """The account's caps checked now for a send of `count` SMS (QuotaExceeded)."""
    quotas = current_quotas(session)
    if quotas.cap_sends_of(user_id):  # the day and month in the zone cost each API send 40 µs
        check(session, quotas, count=count, user_id=user_id, periods=Periods.at(utcnow(), zone))


@contextmanager
def refusal_logged(session: Session, actor: Actor, subject: str | None = None) -> Iterator[None]:
    """Runs a send; when a cap refuses it, what the send had begun is rolled back, the
    refusal goes in the activity log in a commit of its own, and QuotaExceeded goes on
    to the caller (admins see who was refused, not only who sent)."""
    try:
        yield
    except QuotaExceeded as refused:
        session.rollback()
        activity.record(
            session,
            Action.SEND_REFUSED,
            actor,
            subject,
            recipients=refused.values["count"],
            reason=str(refused),
        )
        session.commit()
        raise


def current_quotas(session: Session) -> Quotas:
    return account_settings.load(session, account_settings.QUOTAS, Quotas)


@dataclass(frozen=True)
class CapUsage:
    """How much of one cap is used: `scope`'s SMS this day (or month) against it."""

    scope: Scope
    monthly: bool
    used: int
    cap: int
    # The modem's name, for a modem's cap.
    modem: str | None = None


def cap_usages(
    session: Session, quotas: Quotas, periods: Periods, *, user_id: int | None
) -> list[CapUsage]:
    """Each cap that is set, with its usage: the account's, `user_id`'s (None: no
    person), each modem's. A scope without caps costs no count."""
    usages: list[CapUsage] = []
    if quotas.caps(Scope.ACCOUNT) != (None, None):
        usages += _against(quotas, Scope.ACCOUNT, account_usage(session, periods))
    if user_id is not None and quotas.caps(Scope.USER) != (None, None):
        usages += _against(quotas, Scope.USER, user_usage(session, periods, user_id))
    if quotas.caps(Scope.MODEM) != (None, None):
        for modem_id, name in session.execute(
            select(modems.c.id, modems.c.name).order_by(modems.c.name)
        ):
            used = modem_usage(session, periods, modem_id)
            usages += _against(quotas, Scope.MODEM, used, name)
    return usages


def _against(quotas: Quotas, scope: Scope, used: Usage, modem: str | None = None) -> list[CapUsage]:
    daily, monthly = quotas.caps(scope)
    return [
        CapUsage(scope, is_monthly, figure, cap, modem)
        for is_monthly, cap, figure in (
            (False, daily, used.today),
            (True, monthly, used.this_month),
        )
        if cap is not None
    ]
