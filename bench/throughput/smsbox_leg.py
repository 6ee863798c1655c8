"""smsbox's leg: the fault lab's rig (a fresh SQLite data directory, simulated modems
each on a network of its own, the real `smsbox daemon` in a child process) sending
without faults.

A child process, not a thread: its peak memory is its own, not the bench's with
the simulators in it.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from sqlalchemy import func, select

from fault_lab.lab import Lab, LabModem
from fault_lab.recording_network import NetworkPart
from smsbox import wakeup
from smsbox.tables import Status, messages
from throughput.ledger import Outgoing


class SmsboxLeg:
    """`with SmsboxLeg(modems=16, send_delay=2.0) as leg:` the daemon configured for
    `modems` simulated modems, each taking `send_delay` seconds a submission, on a
    line of `baud` (None: unpaced).

    Delivery reports are off, as gammu-smsd's `DeliveryReport = no`: the same work
    on the line.
    """

    name = "smsbox"

    def __init__(self, modems: int = 1, *, send_delay: float = 0.0, baud: int | None = None):
        self.send_delay = send_delay
        self.lab = Lab(
            "throughput",
            modems=tuple(LabModem(f"modem{index:02d}") for index in range(modems)),
            status_reports=False,
            baud=baud,
        )

    def __enter__(self) -> SmsboxLeg:
        self.lab.__enter__()
        if self.send_delay:
            for sim in self.lab.sims:
                sim.slow(self.send_delay)
        return self

    def __exit__(self, *exc: object) -> None:
        self.lab.__exit__(*exc)
        for note in self.lab.result.notes:  # the daemon ending by itself, for one
            print(note)
        if self.lab.result.workdir is not None:
            print(f"kept {self.lab.result.workdir} (daemon.log, database, transcripts)")

    @property
    def transcript(self) -> Path:
        """The first modem's: every byte of its line."""
        return self.lab.transcript_path

    def start(self, first: Outgoing) -> None:
        self.lab.start_daemon()
        self.queue([first])

    def queue(self, messages: Sequence[Outgoing]) -> None:
        """In one transaction, then the daemon told, as `smsbox send` does each: an
        idle daemon left to its next look at the queue would count up to half a second
        (its IDLE_WAIT) into the time of the messages."""
        self.lab.queue_to([(message.recipient, message.text) for message in messages])
        wakeup.notify(self.lab.config)

    def parts(self) -> list[NetworkPart]:
        return [part for network in self.lab.networks for part in network.parts()]

    def recorded_sent(self) -> int:
        with self.lab.sessions() as session:
            return session.scalar(
                select(func.count()).select_from(messages).where(messages.c.status == Status.SENT)
            )

    def pid(self) -> int:
        pid = self.lab.daemon.pid
        if pid is None:
            raise RuntimeError(f"the daemon is not running (see {self.lab.daemon_log_path})")
        return pid

    def spread(self) -> list[int]:
        """Messages each modem sent."""
        return [network.part_count() for network in self.lab.networks]
