"""N daemons on one PostgreSQL database, each a "host": its own directory, config,
host name and M simulated modems, and the real `smsbox daemon` in a child process.

    with Cluster(server_url, daemons=3, modems=2, send_delay=2.0) as cluster:
        cluster.start()
        cluster.queue(workload(120))
        cluster.kill9(0); cluster.restart(0)
        cluster.settle(timeout); cluster.outcome(messages)

The cluster makes its own database on the server (and drops it at the end), so it
never touches an installation's. Modem names are unique across hosts (h0m0, h0m1,
h1m0, ...): each host serves its own SIMs; the leases keep two daemons off one.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import create_engine, select, text
from sqlalchemy.engine import make_url
from throughput.ledger import Outgoing

from fault_lab.daemon_process import DaemonProcess
from fault_lab.lab import wait_for
from fault_lab.recording_network import NetworkPart, RecordingNetwork
from modem.sim import SimulatedModem
from smsbox import outbox
from smsbox.config import load_config
from smsbox.database import make_engine, make_session_factory, upgrade
from smsbox.models import Direction, Message, Modem, Status

REGION = "FR"
READY_TIMEOUT = 120.0
STOP_GRACE = 20.0
QUIET_AFTER_SETTLING = 1.0  # a late copy sent twice shows up within this
ON_THE_NETWORK = {Status.SENT, Status.DELIVERED}
SETTLED = ON_THE_NETWORK | {Status.INTERRUPTED, Status.FAILED}


@dataclass(frozen=True)
class Outcome:
    """What became of the messages queued: each must be on the networks exactly once,
    or `interrupted` (on them once or not at all: a person decides)."""

    queued: int
    exactly_once: int
    interrupted: int
    twice: int  # messages found more than once on the networks
    lost: int  # said sent but not on the networks
    failed: int
    unsettled: int  # still queued or sending when the run ended

    @property
    def correct(self) -> bool:
        return not (self.twice or self.lost or self.failed or self.unsettled)

    def describe(self) -> str:
        return (
            f"{self.queued} queued: {self.exactly_once} on the networks exactly once, "
            f"{self.interrupted} interrupted, {self.twice} twice, {self.lost} lost, "
            f"{self.failed} failed, {self.unsettled} not settled in time"
        )


def outcome(
    messages: Sequence[Outgoing], parts: Sequence[NetworkPart], statuses: dict[str, str]
) -> Outcome:
    """`statuses`: each message's status by its recipient (one recipient a message)."""
    seen = Counter(part.recipient for part in parts)
    once = interrupted = twice = lost = failed = unsettled = 0
    for message in messages:
        count, status = seen[message.recipient], statuses.get(message.recipient)
        if count > 1:
            twice += 1
        elif status == Status.INTERRUPTED:
            interrupted += 1
        elif status == Status.FAILED:
            failed += 1
        elif status in ON_THE_NETWORK and count == 1:
            once += 1
        elif status in ON_THE_NETWORK:
            lost += 1
        else:
            unsettled += 1
    return Outcome(len(messages), once, interrupted, twice, lost, failed, unsettled)


class Host:
    """One daemon's directory, config and simulated modems."""

    def __init__(self, root: Path, index: int, modems: int, database_url: str, lease: int):
        self.name = f"host{index}"
        self.directory = root / self.name
        self.directory.mkdir()
        self.modem_names = [f"h{index}m{number}" for number in range(modems)]
        self.config_path = self.directory / "smsbox.toml"
        self.config_path.write_text(
            f'data_dir = "data"\n\n[database]\nurl = "{database_url}"\n\n'
            f'[messaging]\ndefault_region = "{REGION}"\n\n'
            f'[daemon]\nlease_seconds = {lease}\nhost_name = "{self.name}"\n'
            + "".join(
                f'\n[[modem]]\nname = "{name}"\ndevice = "{self.directory / name}"\n'
                "status_reports = false\n"
                for name in self.modem_names
            ),
            encoding="utf-8",
        )
        self.daemon = DaemonProcess(self.config_path, self.directory / "daemon.log")
        self.networks: list[RecordingNetwork] = []
        self.sims: list[SimulatedModem] = []

    def start_modems(self, send_delay: float) -> None:
        for name in self.modem_names:
            network = RecordingNetwork()
            sim = SimulatedModem(self.directory / name, network)
            self.networks.append(network)
            self.sims.append(sim)
            sim.start()
            sim.slow(send_delay)

    def stop(self) -> list[str]:
        """Stop the daemon and the modems; what went wrong, if anything."""
        notes = []
        if not self.daemon.stop(grace=STOP_GRACE):
            notes.append(f"{self.name}: the daemon ignored SIGTERM (killed)")
        notes += [f"{self.name}: daemon {exit.describe()}" for exit in self.daemon.unexpected_exits]
        for sim in self.sims:
            sim.stop()
        return notes


class Cluster:
    def __init__(
        self,
        server_url: str,
        *,
        daemons: int,
        modems: int,
        send_delay: float,
        lease_seconds: int = 10,
        keep: bool = False,
    ):
        self.server_url = make_url(server_url)
        self.database = f"smsbox_scale_out_{os.getpid()}"
        self.daemons = daemons
        self.modems = modems
        self.send_delay = send_delay
        self.lease_seconds = lease_seconds
        self.keep = keep
        self.hosts: list[Host] = []
        self.notes: list[str] = []

    @property
    def database_url(self) -> str:
        return self.server_url.set(database=self.database).render_as_string(hide_password=False)

    def __enter__(self) -> Cluster:
        self.root = Path(tempfile.mkdtemp(prefix="smsbox-scale-out-"))
        self._admin = create_engine(self.server_url, isolation_level="AUTOCOMMIT")
        try:
            self._execute(f'DROP DATABASE IF EXISTS "{self.database}" WITH (FORCE)')
            self._execute(f'CREATE DATABASE "{self.database}"')
            upgrade(self.database_url)
            self._engine = make_engine(self.database_url)
            self.sessions = make_session_factory(self._engine)
            for index in range(self.daemons):
                host = Host(self.root, index, self.modems, self.database_url, self.lease_seconds)
                load_config(host.config_path)  # a wrong config fails here, not in a child
                self.hosts.append(host)
                host.start_modems(self.send_delay)
        except BaseException:
            self.__exit__()
            raise
        return self

    def __exit__(self, *exc: object) -> None:
        for host in self.hosts:
            self.notes += host.stop()
        engine = getattr(self, "_engine", None)
        if engine is not None:
            engine.dispose()
        self._execute(f'DROP DATABASE IF EXISTS "{self.database}" WITH (FORCE)')
        self._admin.dispose()
        if self.keep:
            print(f"kept {self.root} (each host's smsbox.toml and daemon.log)")
        else:
            shutil.rmtree(self.root, ignore_errors=True)

    def _execute(self, statement: str) -> None:
        with self._admin.connect() as connection:
            connection.execute(text(statement))

    # -- daemons ----------------------------------------------------------------------

    def start(self) -> None:
        """Every daemon started, and every modem ready (its first status poll done)."""
        for host in self.hosts:
            host.daemon.start()
        if not self.wait_for(self._all_ready, READY_TIMEOUT):
            raise RuntimeError(
                f"not every modem was ready after {READY_TIMEOUT:g} s (see {self.root})"
            )

    def _all_ready(self) -> bool:
        with self.sessions() as session:
            rows = session.execute(select(Modem.state, Modem.signal_quality)).all()
        expected = self.daemons * self.modems
        return len(rows) == expected and all(
            state == "ready" and signal is not None for state, signal in rows
        )

    def kill9(self, index: int) -> None:
        self.hosts[index].daemon.kill9()

    def restart(self, index: int) -> None:
        self.hosts[index].daemon.restart_now()

    # -- traffic ----------------------------------------------------------------------

    def queue(self, messages: Sequence[Outgoing]) -> None:
        """In one transaction, as `smsbox send` does each."""
        with self.sessions() as session:
            for message in messages:
                outbox.queue_message(
                    session, message.recipient, message.text, default_region=REGION
                )
            session.commit()

    def parts(self) -> list[NetworkPart]:
        return [
            part for host in self.hosts for network in host.networks for part in network.parts()
        ]

    def part_count(self) -> int:
        return sum(network.part_count() for host in self.hosts for network in host.networks)

    def statuses(self) -> dict[str, str]:
        """Each outbound message's status, by recipient."""
        with self.sessions() as session:
            rows = session.execute(
                select(Message.number, Message.status).where(
                    Message.direction == Direction.OUTBOUND
                )
            ).all()
        return {number: status for number, status in rows}

    def settle(self, timeout: float) -> bool:
        """Wait until every outbound message has settled (or `timeout`)."""
        settled = self.wait_for(
            lambda: all(status in SETTLED for status in self.statuses().values()), timeout
        )
        time.sleep(QUIET_AFTER_SETTLING)
        return settled

    def outcome(self, messages: Sequence[Outgoing]) -> Outcome:
        return outcome(messages, self.parts(), self.statuses())

    def wait_for(self, condition: Callable[[], object], timeout: float) -> bool:
        return wait_for(condition, timeout)
