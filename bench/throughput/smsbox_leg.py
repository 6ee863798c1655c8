"""smsbox's leg: the real `smsbox daemon` in a child process, serving simulated modems.

A child process, not a thread: its peak memory is its own, not the bench's
with the simulators in it.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from contextlib import ExitStack
from pathlib import Path

from sqlalchemy import select

from fault_lab.daemon_process import DaemonProcess
from fault_lab.recording_network import NetworkPart, RecordingNetwork
from modem.sim import SimulatedModem
from smsbox import outbox
from smsbox.config import load_config
from smsbox.database import make_engine, make_session_factory
from smsbox.models import Modem
from smsbox.setup import initialise
from throughput.ledger import POLL, READY_TIMEOUT, Outgoing
from throughput.scratch import make_workdir, tidy

REGION = "FR"
STOP_GRACE = 15.0


class SmsboxLeg:
    """`with SmsboxLeg(modems=16, send_delay=2.0) as leg:` a fresh data directory
    (SQLite), `modems` simulated modems, and the daemon configured for all of them.

    Delivery reports are off, as gammu-smsd's `DeliveryReport = no`: the same work
    on the line. `transcripts` keeps every byte each modem saw (`transcript(i)`).
    """

    name = "smsbox"

    def __init__(
        self,
        modems: int = 1,
        *,
        send_delay: float = 0.0,
        baud: int | None = None,
        transcripts: bool = False,
    ):
        self.modem_count = modems
        self.send_delay = send_delay
        self.baud = baud
        self.transcripts = transcripts
        self.networks: list[RecordingNetwork] = []
        self.daemon: DaemonProcess | None = None

    def __enter__(self) -> SmsboxLeg:
        self.workdir = make_workdir("smsbox")
        with ExitStack() as stack:
            config_path = self.workdir / "smsbox.toml"
            config_path.write_text(self._config_text(), encoding="utf-8")
            config = load_config(config_path)
            initialise(config)
            engine = make_engine(config.database_url)
            stack.callback(engine.dispose)
            self.sessions = make_session_factory(engine)
            for index in range(self.modem_count):
                network = RecordingNetwork()
                sim = SimulatedModem(
                    self._device(index),
                    network,
                    baud=self.baud,
                    transcript=self.transcript(index) if self.transcripts else None,
                )
                self.networks.append(network)
                stack.enter_context(sim)
                if self.send_delay:
                    sim.slow(self.send_delay)
            self.daemon = DaemonProcess(config_path, self.workdir / "daemon.log")
            stack.callback(self.daemon.stop, grace=STOP_GRACE)
            # Closed in __exit__: the daemon stopped first, then the modems, the engine.
            self._resources = stack.pop_all()
        return self

    def __exit__(self, *exc: object) -> None:
        self._resources.close()
        assert self.daemon is not None
        for crash in self.daemon.unexpected_exits:  # restarted, as systemd would
            print(f"the daemon ended by itself: {crash.describe()}")
        tidy(self.workdir, failed=exc[0] is not None, contents="daemon.log, database, transcripts")

    def _config_text(self) -> str:
        modems = "".join(
            f'\n[[modem]]\nname = "modem{index:02d}"\ndevice = "{self._device(index)}"\n'
            "status_reports = false\n"
            for index in range(self.modem_count)
        )
        return f'data_dir = "data"\n\n[messaging]\ndefault_region = "{REGION}"\n{modems}'

    def _device(self, index: int) -> Path:
        return self.workdir / f"modem{index:02d}"

    def transcript(self, index: int) -> Path:
        return self.workdir / f"modem{index:02d}.log"

    # -- the leg ----------------------------------------------------------------------

    def start(self, first: Outgoing) -> None:
        assert self.daemon is not None
        self.daemon.start()
        deadline = time.monotonic() + READY_TIMEOUT
        while not self._serving():
            if time.monotonic() > deadline:
                raise TimeoutError(f"the daemon was not serving after {READY_TIMEOUT:g} s")
            time.sleep(POLL)
        self.queue([first])

    def _serving(self) -> bool:
        """Every modem connected and idle: its first signal poll done."""
        with self.sessions() as session:
            modems = session.scalars(select(Modem)).all()
        return len(modems) == self.modem_count and all(
            modem.state == "ready" and modem.signal_quality is not None for modem in modems
        )

    def queue(self, messages: Sequence[Outgoing]) -> None:
        """In one transaction, as `smsbox send` does each."""
        with self.sessions() as session:
            for message in messages:
                outbox.queue_message(
                    session, message.recipient, message.text, default_region=REGION
                )
            session.commit()

    def parts(self) -> list[NetworkPart]:
        return [part for network in self.networks for part in network.parts()]

    def pid(self) -> int:
        pid = self.daemon.pid if self.daemon is not None else None
        if pid is None:
            raise RuntimeError(f"the daemon is not running (see {self.workdir / 'daemon.log'})")
        return pid

    def spread(self) -> list[int]:
        """Messages each modem sent."""
        return [network.part_count() for network in self.networks]
