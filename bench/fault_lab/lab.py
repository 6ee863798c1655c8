"""One scenario's bench: a fresh data directory, a simulated modem on a pty, the
real daemon in a child process, and the bookkeeping the ledger needs.

    with Lab("vanish") as lab:
        lab.start_daemon()
        ...
        lab.tally()
    lab.result  # the figures; the directory is kept (and named) when a target is missed
"""

from __future__ import annotations

import shutil
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine, select
from sqlalchemy.engine import make_url

from fault_lab.daemon_process import DaemonProcess
from fault_lab.ledger import (
    OutboundState,
    QueuedMessage,
    ScenarioResult,
    resume_sample,
    tally_inbound,
    tally_outbound,
)
from fault_lab.recording_network import NetworkPart, RecordingNetwork
from modem import pdu_encoding
from modem.sim import SimulatedModem
from modem.sim.profiles import DEFAULT_PROFILE, PROFILES
from smsbox import outbox
from smsbox.config import load_config
from smsbox.database import make_engine, make_session_factory
from smsbox.models import Direction, Message, Modem, Status
from smsbox.setup import initialise

REGION = "FR"
READY_TIMEOUT = 30.0
STOP_GRACE = 15.0  # seconds a daemon has to honour SIGTERM before it counts as frozen
POLL = 0.1
QUIET_AFTER_SETTLING = 1.0  # late duplicates still show up within this


def wait_for(condition: Callable[[], object], timeout: float) -> bool:
    """Whether `condition()` came true within `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(POLL)
    return True


@dataclass(frozen=True)
class LabModem:
    """One simulated modem of a lab, on a network of its own."""

    name: str
    profile: str = DEFAULT_PROFILE.name


class Lab:
    def __init__(
        self,
        name: str,
        *,
        sim_pin: str = "",
        config_pin: str = "",
        modems: tuple[LabModem, ...] = (),
        driver: str = "at",
        status_reports: bool = True,
        baud: int | None = None,
        root: Path | None = None,
        database_url: str = "",
    ):
        self.name = name
        self.database_url = database_url  # "": SQLite in the lab's data directory
        self.root = root  # where the scenario's directory goes (default: the temp dir)
        self.sim_pin = sim_pin
        self.config_pin = config_pin
        self.modem_specs = modems or (LabModem(name),)
        self.driver = driver
        self.status_reports = status_reports
        self.baud = baud  # the simulated modems' line rate (None: unpaced)
        self.result = ScenarioResult(name)
        self.queued: list[QueuedMessage] = []
        self.delivered: Counter[str] = Counter()
        self._fault_ends: list[float] = []
        self._started = time.monotonic()
        # Set by __enter__; whatever of them exists is closed by _tear_down.
        self._engine: Engine | None = None
        self.sims: list[SimulatedModem] = []
        self.networks: list[RecordingNetwork] = []
        self.daemon: DaemonProcess

    @property
    def sim(self) -> SimulatedModem:
        """The first modem: the only one, in most scenarios."""
        return self.sims[0]

    @property
    def network(self) -> RecordingNetwork:
        return self.networks[0]

    # -- set up and tear down -------------------------------------------------------

    def __enter__(self) -> Lab:
        self.workdir = Path(tempfile.mkdtemp(prefix=f"smsbox-{self.name}-", dir=self.root))
        self.result.workdir = self.workdir
        try:
            self._set_up()
        except BaseException:
            self._tear_down()
            raise
        return self

    def _set_up(self) -> None:
        self.config_path = self.workdir / "smsbox.toml"
        self.config_path.write_text(self._config_text(), encoding="utf-8")
        self.config = load_config(self.config_path)
        initialise(self.config)
        self._engine = make_engine(self.config.database_url)
        self.sessions = make_session_factory(self._engine)
        for spec in self.modem_specs:
            network = RecordingNetwork()
            sim = SimulatedModem(
                self.device_path(spec),
                network,
                profile=PROFILES[spec.profile],
                pin=self.sim_pin,
                transcript=self.workdir / f"{self.device_path(spec).name}.log",
                baud=self.baud,
            )
            self.networks.append(network)
            self.sims.append(sim)
            sim.start()
        self.daemon = DaemonProcess(self.config_path, self.daemon_log_path)

    def __exit__(self, *exc: object) -> None:
        self._tear_down()
        self.result.seconds = time.monotonic() - self._started
        if self.result.targets_met and exc[0] is None:
            shutil.rmtree(self.workdir, ignore_errors=True)
            self.result.workdir = None

    def _tear_down(self) -> None:
        daemon: DaemonProcess | None = getattr(self, "daemon", None)
        if daemon is not None:
            if not daemon.stop(grace=STOP_GRACE):
                self.result.froze = True
                self.result.failed_checks.append(
                    f"the daemon ignored SIGTERM for {STOP_GRACE:g} s (killed with SIGKILL)"
                )
            for crash in daemon.unexpected_exits:
                self.result.notes.append(f"the daemon ended by itself: {crash.describe()}")
        for sim in self.sims:
            sim.stop()
        if self._engine is not None:
            self._engine.dispose()

    def _config_text(self) -> str:
        pin = f'pin = "{self.config_pin}"\n' if self.config_pin else ""
        reports = "" if self.status_reports else "status_reports = false\n"
        modems = "".join(
            f'\n[[modem]]\nname = "{spec.name}"\ndevice = "{self.device_path(spec)}"\n'
            f'driver = "{self.driver}"\n{pin}{reports}'
            for spec in self.modem_specs
        )
        database = f'\n[database]\nurl = "{self.database_url}"\n' if self.database_url else ""
        return f'data_dir = "data"\n{database}\n[messaging]\ndefault_region = "{REGION}"\n{modems}'

    def device_path(self, spec: LabModem) -> Path:
        # The one modem of most scenarios keeps the name it always had.
        return self.workdir / ("modem" if len(self.modem_specs) == 1 else f"modem-{spec.name}")

    @property
    def transcript_path(self) -> Path:
        """The first modem's."""
        return self.workdir / f"{self.device_path(self.modem_specs[0]).name}.log"

    @property
    def daemon_log_path(self) -> Path:
        return self.workdir / "daemon.log"

    @property
    def database_path(self) -> str:
        return make_url(self.config.database_url).database or ""

    def daemon_log_mentions(self, text: str) -> bool:
        return self.daemon_log_count(text) > 0

    def daemon_log_count(self, text: str) -> int:
        log = self.daemon_log_path
        return log.read_text(encoding="utf-8", errors="replace").count(text) if log.exists() else 0

    # -- the daemon -------------------------------------------------------------------

    def start_daemon(self, *, wait_until_serving: bool = True) -> None:
        self.daemon.start()
        if wait_until_serving and not self.wait_for(self._serving, READY_TIMEOUT):
            raise RuntimeError(f"the daemon was not serving after {READY_TIMEOUT:g} s")

    def _serving(self) -> bool:
        """Every modem connected and idle: its first signal poll is done (the next is a
        minute away), so the next AT command is the one a scenario provokes."""
        with self.sessions() as session:
            modems = session.scalars(select(Modem)).all()
        return len(modems) == len(self.modem_specs) and all(
            modem.state == "ready" and modem.signal_quality is not None for modem in modems
        )

    def modem(self) -> Modem | None:
        """The first modem's row."""
        with self.sessions() as session:
            return session.scalar(select(Modem).where(Modem.name == self.modem_specs[0].name))

    # -- traffic ----------------------------------------------------------------------

    def queue(self, texts: list[str]) -> list[QueuedMessage]:
        """Queue each text to a number of its own (the ledger matches by recipient).
        Texts start with their tag, the first word."""
        first = len(self.queued)
        return self.queue_to(
            [(f"06{first + offset:08d}", text) for offset, text in enumerate(texts)]
        )

    def queue_to(self, messages: list[tuple[str, str]]) -> list[QueuedMessage]:
        """Queue each (number, text); the ledger matches messages by recipient."""
        added = []
        with self.sessions() as session:
            for raw_number, text in messages:
                message = outbox.queue_message(session, raw_number, text, default_region=REGION)
                parts = len(pdu_encoding.encode_submit(message.number, text))
                added.append(
                    QueuedMessage(message.id, text.split()[0], message.number, text, parts)
                )
            session.commit()
        self.queued.extend(added)
        return added

    def deliver(self, sender: str, text: str) -> None:
        """An SMS from a phone to the box, counted as expected in the inbox."""
        self.sim.deliver(sender, text)
        self.delivered[text] += 1

    def deliver_pdu(self, pdu_hex: str, text: str | None) -> None:
        """A PDU as the network hands it to the modem; `text`: what the inbox should
        show for it (None for a hostile PDU nothing is expected of)."""
        self.sim.deliver_pdu(pdu_hex)
        if text is not None:
            self.delivered[text] += 1

    def parts_on_network(self) -> int:
        return sum(network.part_count() for network in self.networks)

    def network_parts(self) -> list[NetworkPart]:
        """Every part any modem's network took, in the order they came."""
        return sorted(
            (part for network in self.networks for part in network.parts()),
            key=lambda part: part.at,
        )

    def outbound_states(self) -> dict[int, OutboundState]:
        with self.sessions() as session:
            rows = session.execute(
                select(Message.id, Message.status, Message.error).where(
                    Message.direction == Direction.OUTBOUND
                )
            ).all()
        return {row.id: OutboundState(row.status, row.error) for row in rows}

    def inbound_stored(self) -> list[tuple[str, float]]:
        """(body, when stored) of each message in the inbox."""
        with self.sessions() as session:
            rows = session.execute(
                select(Message.body, Message.created_at).where(
                    Message.direction == Direction.INBOUND
                )
            ).all()
        return [(row.body, row.created_at.timestamp()) for row in rows]

    def work_waiting(self) -> bool:
        """Outbound messages not yet settled, or inbound ones not yet stored."""
        states = self.outbound_states().values()
        if any(state.status in (Status.QUEUED, Status.SENDING) for state in states):
            return True
        stored = Counter(body for body, _ in self.inbound_stored())
        return any(stored[text] < count for text, count in self.delivered.items())

    # -- faults and waiting -----------------------------------------------------------

    def fault_ended(self, at: float | None = None) -> None:
        """A fault is over (now, or at wall-clock `at`): if work is waiting, the time
        until traffic resumes is measured from here."""
        if self.work_waiting():
            self._fault_ends.append(time.time() if at is None else at)

    def wait_for(self, condition: Callable[[], object], timeout: float) -> bool:
        return wait_for(condition, timeout)

    def wait_for_parts(self, count: int, timeout: float) -> bool:
        return self.wait_for(lambda: self.parts_on_network() >= count, timeout)

    def settle(self, timeout: float) -> bool:
        """Wait until nothing is waiting (or `timeout`); a daemon being restarted
        as systemd would is waited for too."""
        settled = self.wait_for(lambda: not self.work_waiting(), timeout)
        time.sleep(QUIET_AFTER_SETTLING)
        if not settled:
            self.result.notes.append(
                f"work still waiting after {timeout:g} s (daemon {self.daemon.condition})"
            )
        return settled

    # -- the figures ------------------------------------------------------------------

    def tally(self) -> ScenarioResult:
        parts = self.network_parts()
        stored = self.inbound_stored()
        if self.queued:
            tally_outbound(self.result, self.queued, parts, self.outbound_states())
        if self.delivered:
            tally_inbound(self.result, self.delivered, Counter(body for body, _ in stored))
        traffic = sorted([part.at for part in parts] + [moment for _, moment in stored])
        self.result.resume_samples.extend(resume_sample(end, traffic) for end in self._fault_ends)
        return self.result

    def check(self, condition: bool, failure: str) -> None:
        """A target of this scenario beyond the common ones."""
        if not condition:
            self.result.failed_checks.append(failure)
