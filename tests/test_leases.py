"""Modem leases: one daemon at a time serves a modem, on SQLite as on PostgreSQL."""

from __future__ import annotations

import os
import subprocess
from datetime import UTC, datetime, timedelta

from modem.leasing import LeaseKeeper
from smsbox import leases
from smsbox.config import DaemonConfig
from smsbox.models import ModemLease

T0 = datetime(2026, 11, 25, 21, 0, tzinfo=UTC)
FIRST = leases.Owner("box-1", "box-1:100:aaaa")
SECOND = leases.Owner("box-2", "box-2:200:bbbb")
LEASE = 30


def take(sessions, owner: leases.Owner, at: datetime, modem: str = "sim1") -> leases.Holder:
    with sessions() as session:
        holder = leases.take(session, modem, owner, LEASE, now=at)
        session.commit()
        return holder


def renew(sessions, owner: leases.Owner, at: datetime) -> bool:
    with sessions() as session:
        renewed = leases.renew(session, ["sim1"], owner, LEASE, now=at)
        session.commit()
        return renewed == {"sim1"}


def test_it_gives_a_free_modem_to_the_first_daemon_asking(sessions):
    holder = take(sessions, FIRST, T0)
    assert holder == leases.Holder("box-1", FIRST.token, T0 + timedelta(seconds=LEASE))


def test_it_refuses_a_held_modem_naming_its_host_and_when_the_lease_ends(sessions):
    take(sessions, FIRST, T0)
    holder = take(sessions, SECOND, T0 + timedelta(seconds=29))
    assert holder == leases.Holder("box-1", FIRST.token, T0 + timedelta(seconds=LEASE))


def test_it_keeps_a_renewed_lease_from_a_second_daemon(sessions):
    take(sessions, FIRST, T0)
    assert renew(sessions, FIRST, T0 + timedelta(seconds=10))
    holder = take(sessions, SECOND, T0 + timedelta(seconds=35))
    assert holder.owner == FIRST.token
    assert holder.expires_at == T0 + timedelta(seconds=40)


def test_it_lets_another_daemon_take_over_an_expired_lease(sessions):
    take(sessions, FIRST, T0)
    holder = take(sessions, SECOND, T0 + timedelta(seconds=LEASE))
    assert holder == leases.Holder("box-2", SECOND.token, T0 + timedelta(seconds=2 * LEASE))
    with sessions() as session:
        assert session.get_one(ModemLease, "sim1").acquired_at == T0 + timedelta(seconds=LEASE)


def test_it_refuses_the_renewal_of_a_lease_taken_over(sessions):
    take(sessions, FIRST, T0)
    take(sessions, SECOND, T0 + timedelta(seconds=31))
    assert not renew(sessions, FIRST, T0 + timedelta(seconds=32))
    assert take(sessions, SECOND, T0 + timedelta(seconds=33)).owner == SECOND.token


def test_it_keeps_the_first_take_time_when_its_owner_takes_it_again(sessions):
    take(sessions, FIRST, T0)
    holder = take(sessions, FIRST, T0 + timedelta(seconds=5))
    assert holder.expires_at == T0 + timedelta(seconds=35)
    with sessions() as session:
        assert session.get_one(ModemLease, "sim1").acquired_at == T0


def test_it_frees_a_released_lease_at_once_but_not_one_released_by_another(sessions):
    take(sessions, FIRST, T0)
    with sessions() as session:
        leases.release(session, "sim1", SECOND)
        session.commit()
    assert take(sessions, SECOND, T0 + timedelta(seconds=1)).owner == FIRST.token
    with sessions() as session:
        leases.release(session, "sim1", FIRST)
        session.commit()
    assert take(sessions, SECOND, T0 + timedelta(seconds=1)).owner == SECOND.token


def test_it_renews_all_of_a_daemons_leases_at_once_but_none_taken_over(sessions):
    for modem in ("sim1", "sim2", "sim3"):
        take(sessions, FIRST, T0, modem=modem)
    take(sessions, SECOND, T0 + timedelta(seconds=LEASE), modem="sim2")
    with sessions() as session:
        renewed = leases.renew(
            session, ["sim1", "sim2", "sim3"], FIRST, LEASE, now=T0 + timedelta(seconds=31)
        )
        session.commit()
    assert renewed == {"sim1", "sim3"}
    with sessions() as session:
        held = leases.holders(session, now=T0 + timedelta(seconds=59))
    assert {name: holder.host for name, holder in held.items()} == {
        "sim1": "box-1",
        "sim2": "box-2",
        "sim3": "box-1",
    }


def test_it_leases_each_modem_on_its_own(sessions):
    take(sessions, FIRST, T0, modem="sim1")
    assert take(sessions, SECOND, T0, modem="sim2").owner == SECOND.token
    with sessions() as session:
        held = leases.holders(session, now=T0 + timedelta(seconds=1))
    assert {name: holder.host for name, holder in held.items()} == {
        "sim1": "box-1",
        "sim2": "box-2",
    }
    with sessions() as session:
        assert leases.holders(session, now=T0 + timedelta(seconds=LEASE)) == {}


def test_it_reads_the_time_from_the_database(sessions):
    with sessions() as session:
        now = leases.database_now(session)
    assert abs(now - datetime.now(UTC)) < timedelta(minutes=1)


def test_a_daemon_takes_no_new_work_once_a_renewal_is_late_and_leaves_after_a_whole_lease(
    sessions,
):
    clock = [1000.0]
    settings = DaemonConfig(lease_seconds=LEASE, host_name="box-1")
    keeper = LeaseKeeper(sessions, settings, monotonic=lambda: clock[0])
    lease = keeper.lease("sim1")
    assert lease.gone()
    assert lease.acquire()
    clock[0] += 19
    assert lease.held()
    clock[0] += 1  # two renewals missed
    assert (lease.held(), lease.gone()) == (False, False)
    assert keeper.renew() == []
    assert lease.held()
    clock[0] += LEASE
    assert lease.gone()


def test_a_daemon_hears_at_once_of_a_lease_taken_over(sessions):
    keeper = LeaseKeeper(sessions, DaemonConfig(lease_seconds=LEASE, host_name="box-1"))
    mine, stolen = keeper.lease("sim1"), keeper.lease("sim2")
    assert mine.acquire() and stolen.acquire()
    with sessions() as session:
        leases.release(session, "sim2", keeper.owner)
        leases.take(session, "sim2", SECOND, LEASE)
        session.commit()
    assert keeper.renew() == ["sim2"]
    assert stolen.gone()
    assert mine.held()


def test_a_daemon_restarted_after_a_crash_takes_over_at_once_only_from_a_dead_one_of_its_host(
    sessions,
):
    dead_pid = _ended_pid()
    keeper = LeaseKeeper(sessions, DaemonConfig(lease_seconds=LEASE, host_name="box-1"))
    now = datetime.now(UTC)
    with sessions() as session:
        leases.take(session, "crashed", leases.Owner("box-1", f"box-1:{dead_pid}:dead"), LEASE)
        leases.take(session, "alive", leases.Owner("box-1", f"box-1:{os.getpid()}:live"), LEASE)
        leases.take(session, "elsewhere", leases.Owner("box-2", f"box-2:{dead_pid}:far"), LEASE)
        session.commit()
    assert keeper.lease("crashed").acquire()
    assert not keeper.lease("alive").acquire()
    assert not keeper.lease("elsewhere").acquire()
    with sessions() as session:
        held = leases.holders(session, now=now)
    assert {name: holder.owner for name, holder in held.items()} == {
        "crashed": keeper.owner.token,
        "alive": f"box-1:{os.getpid()}:live",
        "elsewhere": f"box-2:{dead_pid}:far",
    }


def _ended_pid() -> int:
    process = subprocess.Popen(["true"])
    process.wait()
    return process.pid
