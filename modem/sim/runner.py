"""A simulated modem running on a pty in a background thread, controlled from Python."""

from __future__ import annotations

import select
import threading
import time
from collections import deque
from pathlib import Path

from modem.sim.device import PtyDevice
from modem.sim.engine import ModemEngine
from modem.sim.network import SimulatedNetwork, SubmittedSms
from modem.sim.profiles import DEFAULT_PROFILE, Profile


class SimulatedModem:
    """`with SimulatedModem(link) as sim:` gives a modem at `sim.link` until the block ends."""

    def __init__(
        self,
        link: str | Path,
        network: SimulatedNetwork | None = None,
        *,
        profile: Profile = DEFAULT_PROFILE,
        pin: str = "",
    ):
        self.link = Path(link)
        self.network = network or SimulatedNetwork()
        self.engine = ModemEngine(self.network, profile, pin=pin)
        self._device: PtyDevice | None = None
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._waiting: deque[str] = deque()

    def start(self) -> SimulatedModem:
        self._device = PtyDevice(self.link)
        self._thread = threading.Thread(target=self._serve, name="simulated-modem", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        if self._thread:
            self._thread.join(timeout=5)
        if self._device:
            self._device.close()

    def __enter__(self) -> SimulatedModem:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def _serve(self) -> None:
        assert self._device is not None
        while not self._stop.is_set():
            readable, _, _ = select.select([self._device.master], [], [], 0.05)
            if readable:
                data = self._device.read()
                if data:
                    self.engine.feed(data)
                else:
                    # EIO: nobody has the port open; don't spin on it.
                    self._stop.wait(0.05)
            self.engine.tick()
            self._deliver_waiting()
            output = self.engine.take_output()
            if output:
                self._device.write(output)

    def _deliver_waiting(self) -> None:
        # Messages wait on the network while the SIM is full, as with a real SMSC.
        while self._waiting and self.engine.receive(self._waiting[0]):
            self._waiting.popleft()

    # -- control ----------------------------------------------------------------

    def deliver(self, sender: str, text: str) -> int:
        """Send an SMS from `sender` to the box; returns the number of parts."""
        pdus = self.network.deliver_pdus(sender, text)
        self._waiting.extend(pdus)
        return len(pdus)

    def sent(self) -> list[SubmittedSms]:
        return self.network.submitted()

    def wait_for_sent(self, count: int, timeout: float = 10.0) -> list[SubmittedSms]:
        deadline = time.monotonic() + timeout
        while len(self.sent()) < count:
            if time.monotonic() > deadline:
                raise TimeoutError(f"{len(self.sent())} of {count} messages reached the network")
            time.sleep(0.02)
        return self.sent()
