"""Debian's gammu-smsd beside smsbox: files backend, every check off, on a simulated
modem like smsbox's (same profile, no send delay, its own network).

Outbox files are named as gammu-smsd-inject names them (OUTC<date>_<time>_<serial>_
<number>_<note>.txt, gammu-smsd-files(7)) and moved in whole, so that the daemon
never reads half a file.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

from fault_lab.recording_network import NetworkPart, RecordingNetwork
from modem.sim import SimulatedModem
from throughput.ledger import Outgoing

GAMMU_SMSD = "gammu-smsd"
STOP_GRACE = 15.0
FOLDERS = ("inbox", "outbox", "sent", "error", "staging")

# gammu-smsdrc(5). Every check off; LoopSleep 0 and CommTimeout 0: no sleep of
# smsd's own between messages or before looking at the outbox again;
# ReceiveFrequency an hour: no polling for received messages during the run.
SMSDRC = """\
[gammu]
device = {device}
connection = at

[smsd]
service = files
inboxpath = {inbox}/
outboxpath = {outbox}/
sentsmspath = {sent}/
errorsmspath = {error}/
logfile = {log}
debuglevel = 1
CheckSecurity = 0
CheckSignal = 0
CheckBattery = 0
CheckNetwork = 0
StatusFrequency = 0
ReceiveFrequency = 3600
ResetFrequency = 0
HardResetFrequency = 0
CommTimeout = 0
SendTimeout = 30
LoopSleep = 0
DeliveryReport = no
"""


def gammu_smsd_installed() -> bool:
    return shutil.which(GAMMU_SMSD) is not None


class GammuLeg:
    name = "gammu-smsd"

    def __enter__(self) -> GammuLeg:
        self.workdir = Path(tempfile.mkdtemp(prefix="gammu-smsd-throughput-"))
        self._process: subprocess.Popen[bytes] | None = None
        self._serial = 0
        for folder in FOLDERS:
            (self.workdir / folder).mkdir()
        self.config_path = self.workdir / "smsdrc"
        self.config_path.write_text(
            SMSDRC.format(
                device=self.workdir / "modem",
                log=self.workdir / "smsd.log",
                **{folder: self.workdir / folder for folder in FOLDERS},
            ),
            encoding="utf-8",
        )
        self.network = RecordingNetwork()
        self.sim = SimulatedModem(self.workdir / "modem", self.network).start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop()
        self.sim.stop()
        if exc[0] is None:
            shutil.rmtree(self.workdir, ignore_errors=True)
        else:
            print(f"kept {self.workdir} (smsd.log, outbox, sent, error)")

    def _stop(self) -> None:
        process, self._process = self._process, None
        if process is None or process.poll() is not None:
            return
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=STOP_GRACE)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()

    # -- the leg ----------------------------------------------------------------------

    def start(self, first: Outgoing) -> None:
        self.queue([first])
        with (self.workdir / "smsd.out").open("ab") as output:
            self._process = subprocess.Popen(
                [GAMMU_SMSD, "--config", str(self.config_path)],
                stdout=output,
                stderr=subprocess.STDOUT,
            )

    def queue(self, messages: Sequence[Outgoing]) -> None:
        stamp = time.strftime("%Y%m%d_%H%M%S")
        for message in messages:
            name = f"OUTC{stamp}_{self._serial % 100:02d}_{message.recipient}_sms{self._serial}.txt"
            self._serial += 1
            staged = self.workdir / "staging" / name
            staged.write_text(message.text, encoding="ascii")
            os.replace(staged, self.workdir / "outbox" / name)

    def parts(self) -> list[NetworkPart]:
        return self.network.parts()

    def recorded_sent(self) -> int:
        return sum(1 for _ in (self.workdir / "sent").iterdir())

    def pid(self) -> int:
        if self._process is None or self._process.poll() is not None:
            raise RuntimeError(f"gammu-smsd is not running (see {self.workdir / 'smsd.log'})")
        return self._process.pid
