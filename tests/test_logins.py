from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from smsbox.logins import LoginAttempt, try_login
from smsbox.models import LoginFailure
from smsbox.users import create_user

PASSWORD = "correct horse battery"
WRONG = "a wrong guess"
START = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)


@pytest.fixture
def alice(sessions) -> None:
    with sessions() as session:
        create_user(session, "alice", PASSWORD)
        session.commit()


def attempt(
    sessions, password: str, at: datetime, name: str = "alice", address: str = "192.0.2.1"
) -> LoginAttempt:
    with sessions() as session:
        result = try_login(session, name, password, address=address, now=at)
        session.commit()
        return result


def counters(sessions) -> dict[tuple[str, str], int]:
    with sessions() as session:
        return {(f.scope, f.key): f.failures for f in session.scalars(select(LoginFailure))}


def fail(sessions, times: int, at: datetime, **who: str) -> LoginAttempt:
    for _ in range(times):
        result = attempt(sessions, WRONG, at, **who)
    return result


def test_it_locks_a_name_for_a_minute_then_longer_after_each_further_failure(sessions, alice):
    assert fail(sessions, 4, START).locked_for is None
    assert fail(sessions, 1, START).locked_for == timedelta(minutes=1)

    refused = attempt(sessions, PASSWORD, START + timedelta(seconds=59))
    assert (refused.user, refused.locked_for) == (None, timedelta(seconds=1))

    after_first = START + timedelta(minutes=1)
    assert fail(sessions, 1, after_first).locked_for == timedelta(minutes=5)
    after_second = after_first + timedelta(minutes=5)
    assert fail(sessions, 1, after_second).locked_for == timedelta(minutes=15)
    assert attempt(sessions, PASSWORD, after_second + timedelta(minutes=15)).user is not None


def test_it_leaves_failures_uncounted_while_locked(sessions, alice):
    fail(sessions, 5, START)
    fail(sessions, 3, START + timedelta(seconds=30))
    assert counters(sessions)[("name", "alice")] == 5


def test_it_forgets_failures_after_fifteen_quiet_minutes(sessions, alice):
    fail(sessions, 4, START)
    later = START + timedelta(minutes=15)
    assert fail(sessions, 4, later).locked_for is None
    assert fail(sessions, 1, later).locked_for == timedelta(minutes=1)


def test_it_counts_the_quiet_minutes_from_the_end_of_a_lockout(sessions, alice):
    fail(sessions, 5, START)
    moment = START
    for lockout in (1, 5, 15, 30):
        moment += timedelta(minutes=lockout)
        fail(sessions, 1, moment)
    # Now locked for an hour, longer than the quiet minutes: the count still goes on.
    moment += timedelta(minutes=60)
    assert fail(sessions, 1, moment).locked_for == timedelta(minutes=60)
    assert counters(sessions)[("name", "alice")] == 10


def test_it_clears_the_name_but_not_the_address_on_success(sessions, alice):
    fail(sessions, 4, START)
    assert attempt(sessions, PASSWORD, START).user is not None
    assert counters(sessions) == {("address", "192.0.2.1"): 4}


def test_it_deletes_counters_once_forgotten(sessions, alice):
    fail(sessions, 2, START, name="bob", address="192.0.2.3")
    fail(sessions, 1, START + timedelta(minutes=15), name="carol")
    assert counters(sessions) == {("name", "carol"): 1, ("address", "192.0.2.1"): 1}


def test_it_keeps_only_the_start_of_a_very_long_name(sessions, alice):
    fail(sessions, 1, START, name="x" * 100_000)
    assert ("name", "x" * 255) in counters(sessions)
