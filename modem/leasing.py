"""The daemon's side of the modem leases (`smsbox.leases`): taking each modem's lease
before serving it, renewing them all from one thread, and telling a worker at once
when its lease is no longer sure.

A worker takes new work only while `held()`: until two thirds of the lease have
passed since the last renewal began, so a renewal may be late by one (a busy
database). Later than that it waits, its port still open; once the whole lease
has passed (`gone()`: another daemon may take it over now), or as soon as a
renewal finds it taken over, it leaves the modem and writes nothing more of it.
A daemon's leases are renewed in one statement, whatever their number.
"""

from __future__ import annotations

import logging
import os
import secrets
import socket
import threading
import time
from collections.abc import Callable
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError

from smsbox import leases, sending
from smsbox.config import DaemonConfig
from smsbox.modems import STOPPED, record_state
from smsbox.tables import modems
from smsbox.webhooks import events

if TYPE_CHECKING:
    from sqlalchemy import Connection

    from modem.connections import Connections

log = logging.getLogger(__name__)

# Of the lease's length: how long after a renewal began the modem takes new work.
USABLE_FRACTION = 2 / 3


def daemon_owner(settings: DaemonConfig) -> leases.Owner:
    host = settings.host_name or socket.gethostname()
    return leases.Owner(host, f"{host}:{os.getpid()}:{secrets.token_hex(4)}")


class ModemLease:
    """One modem's lease as its worker sees it, from the times renewals began: the
    database's expiry is at least that late."""

    def __init__(self, keeper: LeaseKeeper, modem_name: str):
        self.keeper = keeper
        self.modem_name = modem_name
        self._renewed_at: float | None = None  # None: not held
        self._refused_by: leases.Holder | None = None
        self._told_of: str | None = None  # the owner last named in the log

    @property
    def retry_seconds(self) -> float:
        """How often a standby asks whether the lease is free."""
        return self.keeper.seconds / 3

    def held(self) -> bool:
        """Sure enough to take new work: a renewal is at most one late."""
        return self._age() < self.keeper.seconds * USABLE_FRACTION

    def gone(self) -> bool:
        """Taken over, or expired by now as far as another daemon can tell: the
        worker leaves the modem."""
        return self._age() >= self.keeper.seconds

    def _age(self) -> float:
        if self._renewed_at is None:
            return float("inf")
        return self.keeper.monotonic() - self._renewed_at

    def acquire(self) -> bool:
        """Take the lease if it is free or expired; else say once who holds it."""
        if self._take():
            return True
        if self._died_here():
            # Restarted after a crash (systemd): the lease of its own dead predecessor
            # on this host need not be waited out.
            log.info("modem %s: its daemon before this one died: lease taken over", self.modem_name)
            if self._take(supersede=self._refused_by.owner):
                return True
        holder = self._refused_by
        if holder.owner != self._told_of:
            self._told_of = holder.owner
            log.warning(
                "modem %s: not started, host %s serves it (its lease expires at %s UTC "
                "unless renewed); trying again every %g s",
                self.modem_name,
                holder.host,
                holder.expires_at.strftime("%Y-%m-%d %H:%M:%S"),
                self.retry_seconds,
            )
        return False

    def _take(self, supersede: str | None = None) -> bool:
        started = self.keeper.monotonic()
        with self.keeper.sessions() as session:
            holder = leases.take(
                session,
                self.modem_name,
                self.keeper.owner,
                self.keeper.seconds,
                supersede=supersede,
            )
            session.commit()
        if holder.owner != self.keeper.owner.token:
            self._refused_by = holder
            return False
        self._refused_by = self._told_of = None
        self._renewed_at = started
        log.info("modem %s: lease taken", self.modem_name)
        return True

    def _died_here(self) -> bool:
        """Whether the lease that refused us is of a daemon on this host whose process
        is gone."""
        holder = self._refused_by
        if holder is None or holder.host != self.keeper.owner.host:
            return False
        _, pid, _ = holder.owner.rsplit(":", 2)
        try:
            os.kill(int(pid), 0)
        except ProcessLookupError:
            return True
        except (PermissionError, ValueError):
            return False
        return False

    def renewed(self, started: float) -> None:
        self._renewed_at = started

    def taken_over(self) -> None:
        self._renewed_at = None
        log.error("modem %s: its lease was taken over by another daemon", self.modem_name)

    def release(self) -> None:
        if self._renewed_at is None:
            return
        self._renewed_at = None
        try:
            with self.keeper.sessions() as session:
                leases.release(session, self.modem_name, self.keeper.owner)
                session.commit()
        except SQLAlchemyError as error:  # it expires by itself
            log.warning("modem %s: cannot release its lease: %s", self.modem_name, error)


class LeaseKeeper:
    """All the leases of one daemon, renewed together every third of their length."""

    def __init__(
        self,
        sessions: Connections,
        settings: DaemonConfig,
        *,
        monotonic: Callable[[], float] = time.monotonic,
    ):
        self.sessions = sessions
        self.owner = daemon_owner(settings)
        self.seconds = settings.lease_seconds
        self.monotonic = monotonic
        self._leases: list[ModemLease] = []

    def lease(self, modem_name: str) -> ModemLease:
        lease = ModemLease(self, modem_name)
        self._leases.append(lease)
        return lease

    def renew_until(self, stop: threading.Event, on_lost: Callable[[str], None]) -> None:
        """Every third of the lease until `stop`; `on_lost` hears the name of a modem
        whose lease another daemon took, for its worker to leave it at once. Modems
        of daemons that died are settled on the way."""
        while not stop.wait(self.seconds / 3):
            try:
                for name in self.renew():
                    on_lost(name)
                self.settle_lapsed()
            except SQLAlchemyError as error:
                # The workers stop taking work once a renewal is one late.
                log.warning("cannot renew the modems' leases: %s", error)

    def renew(self) -> list[str]:
        """Renew every lease held, in one statement; returns the names of those found
        taken over."""
        held = [lease for lease in self._leases if not lease.gone()]
        if not held:
            return []
        started = self.monotonic()
        with self.sessions() as session:
            renewed = leases.renew(
                session, [lease.modem_name for lease in held], self.owner, self.seconds
            )
            session.commit()
        lost = []
        for lease in held:
            if lease.modem_name in renewed:
                lease.renewed(started)
            else:
                lease.taken_over()
                lost.append(lease.modem_name)
        return lost

    def settle_lapsed(self) -> None:
        """A modem whose daemon died and that no daemon here serves: under its lease,
        for a moment, its messages in flight end interrupted (as at a restart) and it
        is marked stopped, so that nothing waits for it; what it had queued but not
        started goes to the other modems. Its own daemon, back, takes it again."""
        mine = {lease.modem_name for lease in self._leases}
        with self.sessions() as session:
            orphans = [name for name in leases.lapsed_names(session) if name not in mine]
        for name in orphans:
            with self.sessions() as session:
                holder = leases.take(session, name, self.owner, self.seconds)
                session.commit()
                if holder.owner != self.owner.token:
                    continue  # another daemon got there first, or its own came back
                interrupted = settle_orphan(session, name)
                leases.release(session, name, self.owner)
                events.commit(session)
            log.warning(
                "modem %s: its daemon stopped renewing its lease: marked stopped, "
                "%d message(s) in flight interrupted",
                name,
                interrupted,
            )


def settle_orphan(session: Connection, modem_name: str) -> int:
    """What a restart does for a modem, done for a daemon that died; returns how many
    messages ended interrupted."""
    modem_id = session.scalar(select(modems.c.id).where(modems.c.name == modem_name))
    if modem_id is None:
        return 0
    interrupted = sending.recover_unfinished(session, modem_id)
    record_state(session, modem_id, STOPPED, "its daemon stopped renewing the modem's lease")
    return len(interrupted)


class NoLease:
    """A worker alone with its modem (the worker's unit tests): always held."""

    retry_seconds = 0.0

    def held(self) -> bool:
        return True

    def gone(self) -> bool:
        return False

    def acquire(self) -> bool:
        return True

    def release(self) -> None:
        pass
