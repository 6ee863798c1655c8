"""The daemon's side of the modem leases (`smsbox.leases`): taking each modem's lease
before serving it, renewing them all from one thread, and telling a worker at once
when its lease is no longer sure.

A worker uses its modem only while `held()`: until two thirds of the lease have
passed since the last renewal began. A renewal that fails (database unreachable)
is tried again a third of the lease later; two failures in a row and the worker
stops, well before another daemon could take the lease over. A renewal that finds
the lease taken stops it at once.
"""

from __future__ import annotations

import logging
import os
import secrets
import socket
import threading
import time
from collections.abc import Callable

from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from smsbox import leases, sending
from smsbox.config import DaemonConfig
from smsbox.models import Modem
from smsbox.modems import STOPPED, record_state

log = logging.getLogger(__name__)

# Of the lease's length: how long after a renewal began the modem is still used.
USABLE_FRACTION = 2 / 3


def daemon_owner(settings: DaemonConfig) -> leases.Owner:
    host = settings.host_name or socket.gethostname()
    return leases.Owner(host, f"{host}:{os.getpid()}:{secrets.token_hex(4)}")


class ModemLease:
    """One modem's lease as its worker sees it."""

    def __init__(self, keeper: LeaseKeeper, modem_name: str):
        self.keeper = keeper
        self.modem_name = modem_name
        self._usable_until = 0.0
        self._refused_by: leases.Holder | None = None

    @property
    def retry_seconds(self) -> float:
        """How often a standby asks whether the lease is free."""
        return self.keeper.seconds / 3

    def held(self) -> bool:
        return self.keeper.monotonic() < self._usable_until

    def acquire(self) -> bool:
        """Take the lease if it is free or expired; else say once who holds it."""
        started = self.keeper.monotonic()
        with self.keeper.sessions() as session:
            holder = leases.take(session, self.modem_name, self.keeper.owner, self.keeper.seconds)
            session.commit()
        if holder.owner == self.keeper.owner.token:
            self._refused_by = None
            self._usable_until = started + self.keeper.usable_seconds
            log.info("modem %s: lease taken", self.modem_name)
            return True
        if self._refused_by is None or self._refused_by.owner != holder.owner:
            log.warning(
                "modem %s: not started, host %s serves it (its lease expires at %s UTC "
                "unless renewed); trying again every %g s",
                self.modem_name,
                holder.host,
                holder.expires_at.strftime("%Y-%m-%d %H:%M:%S"),
                self.retry_seconds,
            )
        self._refused_by = holder
        return False

    def renew(self) -> bool:
        """Renew the lease if held; False when it was found taken over."""
        if not self.held():
            return True
        started = self.keeper.monotonic()
        try:
            with self.keeper.sessions() as session:
                renewed = leases.renew(
                    session, self.modem_name, self.keeper.owner, self.keeper.seconds
                )
                session.commit()
        except SQLAlchemyError as error:
            log.warning("modem %s: cannot renew its lease: %s", self.modem_name, error)
            return True
        if renewed:
            self._usable_until = started + self.keeper.usable_seconds
            return True
        self._usable_until = 0.0
        log.error("modem %s: its lease was taken over by another daemon", self.modem_name)
        return False

    def release(self) -> None:
        if not self.held():
            return
        self._usable_until = 0.0
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
        sessions: sessionmaker[Session],
        settings: DaemonConfig,
        *,
        monotonic: Callable[[], float] = time.monotonic,
    ):
        self.sessions = sessions
        self.owner = daemon_owner(settings)
        self.seconds = settings.lease_seconds
        self.usable_seconds = settings.lease_seconds * USABLE_FRACTION
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
            for lease in self._leases:
                if not lease.renew():
                    on_lost(lease.modem_name)
            try:
                self.settle_lapsed()
            except SQLAlchemyError as error:
                log.warning("cannot settle the modems of daemons that died: %s", error)

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
                session.commit()
            log.warning(
                "modem %s: its daemon stopped renewing its lease: marked stopped, "
                "%d message(s) in flight interrupted",
                name,
                interrupted,
            )


def settle_orphan(session: Session, modem_name: str) -> int:
    """What a restart does for a modem, done for a daemon that died; returns how many
    messages ended interrupted."""
    modem = session.scalar(select(Modem).where(Modem.name == modem_name))
    if modem is None:
        return 0
    interrupted = sending.recover_unfinished(session, modem.id)
    record_state(session, modem.id, STOPPED, "its daemon stopped renewing the modem's lease")
    return len(interrupted)


class NoLease:
    """A worker alone with its modem (the worker's unit tests): always held."""

    retry_seconds = 0.0

    def held(self) -> bool:
        return True

    def acquire(self) -> bool:
        return True

    def release(self) -> None:
        pass
