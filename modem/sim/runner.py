"""A simulated modem running on a pty in a background thread, controlled from Python.

The faults a tester asks for (`fail_next`, `go_silent`, `vanish`...) are methods
here; each is logged as an event, in the transcript when there is one.
"""

from __future__ import annotations

import select
import threading
import time
from collections import deque
from collections.abc import Callable
from pathlib import Path

from modem import pdu as pdus
from modem.sim.device import PtyDevice
from modem.sim.engine import ModemEngine
from modem.sim.errors import CommandError
from modem.sim.line import sleep_on_time
from modem.sim.network import REPORT_OUTCOMES, SimulatedNetwork, SubmittedSms
from modem.sim.profiles import DEFAULT_PROFILE, Profile
from modem.sim.transcript import Transcript

POLL_SECONDS = 0.02


class SimulatedModem:
    """`with SimulatedModem(link) as sim:` gives a modem at `sim.link` until the block ends.

    `transcript` names a file receiving every byte both ways; `control` a Unix
    socket through which `smsbox sim ...` (or `modem.sim.control.request`) drives it;
    `baud` paces the port as a serial line at that rate (None: as fast as the pty).
    """

    def __init__(
        self,
        link: str | Path,
        network: SimulatedNetwork | None = None,
        *,
        profile: Profile = DEFAULT_PROFILE,
        pin: str = "",
        own_number: str = "",
        transcript: str | Path | None = None,
        control: str | Path | None = None,
        baud: int | None = None,
    ):
        if baud is not None and baud <= 0:
            raise ValueError("baud must be positive")
        self.link = Path(link)
        self.baud = baud
        self.network = network or SimulatedNetwork()
        self.engine = ModemEngine(self.network, profile, pin=pin)
        self.engine.sim.own_number = own_number
        self.engine.on_event = self._event
        self.control_path = Path(control) if control else None
        self.transcript_path = Path(transcript) if transcript else None
        # Called with each event, beside the transcript (`smsbox sim run` prints them).
        self.on_event: Callable[[str], None] = lambda _: None
        self._transcript: Transcript | None = None
        self._control = None
        self._device: PtyDevice | None = None
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._waiting: deque[str] = deque()
        self._holding = False
        # The port vanishes when the serving thread sees _vanish_for, until _back_at.
        self._vanish_for: float | None = None
        self._back_at: float | None = None
        self._vanished = threading.Event()

    # -- life cycle ---------------------------------------------------------------

    def start(self) -> SimulatedModem:
        try:
            if self.transcript_path:
                self._transcript = Transcript(self.transcript_path)
            self._device = PtyDevice(self.link, self.baud)
            self._event(f"modem {self.engine.profile.name} at {self.link}")
            if self.control_path:
                from modem.sim.control import ControlServer

                self._control = ControlServer(self, self.control_path)
        except BaseException:
            self.stop()
            raise
        self._thread = threading.Thread(target=self._serve, name="simulated-modem", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        """Idempotent; the link and the control socket are removed."""
        if self._control:
            self._control.close()
            self._control = None
        self._stop.set()
        if self._thread:
            self._thread.join(timeout=5)
        if self._device:
            self._device.close()
            self._device = None
        if self._transcript:
            self._event("modem stopped")
            self._transcript.close()
            self._transcript = None

    def __enter__(self) -> SimulatedModem:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def _serve(self) -> None:
        if self.baud:
            sleep_on_time()
        while not self._stop.is_set():
            if self._vanish_for is not None:
                self._disappear()
            if self._device is None:
                if time.monotonic() < (self._back_at or 0):
                    self._stop.wait(POLL_SECONDS)
                    continue
                self._reappear()
            if self._device is not None:
                self._step(self._device)

    def _step(self, device: PtyDevice) -> None:
        readable, _, _ = select.select([device.master], [], [], POLL_SECONDS)
        data = b""
        if readable:
            data = device.read()
            if data:
                if self._transcript:
                    self._transcript.from_client(data)
                self.engine.feed(data)
            else:
                # EIO: nobody has the port open; don't spin on it.
                self._stop.wait(POLL_SECONDS)
        self.engine.tick()
        self._deliver_waiting()
        output = self.engine.take_output()
        if output:
            if self._transcript:
                self._transcript.to_client(output)
            # Output in the step that read is the answer to what was read.
            dropped = device.write(output, answers=bool(data))
            if dropped:
                self._event(f"{dropped} byte(s) dropped: nobody reads the port")

    def _disappear(self) -> None:
        seconds, self._vanish_for = self._vanish_for or 0.0, None
        if self._device is not None:
            self._device.close()
            self._device = None
            self.engine.take_output()  # what the modem was saying is lost with it
            self._event(f"port vanished: {self.link} removed for {seconds:g} s")
        self._back_at = time.monotonic() + seconds
        self._vanished.set()

    def _reappear(self) -> None:
        try:
            self._device = PtyDevice(self.link, self.baud)
        except OSError as error:
            self._event(f"port cannot come back at {self.link}: {error}; retrying")
            self._back_at = time.monotonic() + 1.0
            return
        self._back_at = None
        self._event(f"port back at {self.link} (new device {self._device.name})")
        self.engine.reboot()

    def _deliver_waiting(self) -> None:
        # Messages wait on the network while the SIM is full, as with a real SMSC.
        while self._waiting and self.engine.receive(self._waiting[0]):
            self._waiting.popleft()
            if self._holding and not self._waiting:
                self._event("network: held messages delivered")
        if self._waiting and not self._holding:
            self._event(f"network: holding {len(self._waiting)} part(s), no room on the modem")
        self._holding = bool(self._waiting)

    def _event(self, text: str) -> None:
        transcript = self._transcript
        if transcript:
            transcript.event(text)
        self.on_event(text)

    # -- the network ----------------------------------------------------------------

    def deliver(self, sender: str, text: str, message_class: int = -1) -> int:
        """Send an SMS from `sender` to the box (class 0: flash); returns the number of parts."""
        pdus = self.network.deliver_pdus(sender, text, message_class=message_class)
        self._event(f"network: SMS from {sender} ({len(pdus)} part(s), class {message_class})")
        self._waiting.extend(pdus)
        return len(pdus)

    def deliver_pdu(self, pdu_hex: str) -> None:
        """An SMS-DELIVER PDU, SMSC address first (as `modem.pdu_encoding.encode_deliver` makes
        them), handed to the modem as it is: crafted and broken messages too.

        ValueError unless it is hex of a length a PDU can have.
        """
        raw = pdus.pdu_octets(pdu_hex)
        self._event(f"network: raw PDU of {len(raw)} octets")
        self._waiting.append(raw.hex().upper())

    def call(self, number: str | None, rings: int = 3, interval: float = 1.0) -> None:
        """An incoming call from `number` (None: withheld) ringing `rings` times."""
        from modem.sim.commands.calls import incoming_call

        with self.engine.lock:
            incoming_call(self.engine, number, rings=rings, interval=interval)
        self._event(f"network: call from {number or 'a withheld number'}, {rings} ring(s)")

    def sent(self) -> list[SubmittedSms]:
        return self.network.submitted()

    def wait_for_sent(self, count: int, timeout: float = 10.0) -> list[SubmittedSms]:
        deadline = time.monotonic() + timeout
        while len(self.sent()) < count:
            if time.monotonic() > deadline:
                raise TimeoutError(f"{len(self.sent())} of {count} messages reached the network")
            time.sleep(0.02)
        return self.sent()

    def configure_reports(self, delay: float | None = None, outcome: str | None = None) -> None:
        """How long status reports take, and what they say (delivered, failed, expired)."""
        if outcome is not None and outcome not in REPORT_OUTCOMES:
            raise ValueError(f"report outcome must be one of {', '.join(REPORT_OUTCOMES)}")
        if delay is not None and delay < 0:
            raise ValueError("report delay must not be negative")
        with self.engine.lock:
            if delay is not None:
                self.network.report_delay = delay
            if outcome is not None:
                self.network.report_outcome = outcome
        self._event(
            f"network: status reports {self.network.report_outcome} "
            f"after {self.network.report_delay:g} s"
        )

    # -- faults ------------------------------------------------------------------------

    def fail_next(self, count: int = 1, code: int | None = None, kind: str = "CMS") -> None:
        """Answer the next `count` command lines with an error: plain ERROR when `code`
        is None, else +CMS ERROR or +CME ERROR `code` (plain ERROR under AT+CMEE=0)."""
        kind = kind.upper()
        if count < 1 or kind not in ("CMS", "CME") or (code is not None and code < 0):
            raise ValueError("fail_next needs count >= 1, kind CMS or CME, code >= 0")
        failure = None if code is None else CommandError(code, kind)
        with self.engine.lock:
            self.engine.faults.errors.extend([failure] * count)
        answer = "ERROR" if failure is None else f"+{kind} ERROR {code}"
        self._event(f"fault: next {count} command(s) answer {answer}")

    def refuse(self, command: str) -> None:
        """Answer `command` ("+CNMI", "AT+CMMS") as a command this modem does not know,
        from now on: modems that lack it."""
        name = command.upper().removeprefix("AT")
        if not name.startswith(("+", "^")) or len(name) < 2:
            raise ValueError(f"{command!r} is no extended AT command such as +CNMI")
        with self.engine.lock:
            self.engine.faults.refused.add(name)
        self._event(f"fault: AT{name} refused from now on")

    def go_silent(self, seconds: float) -> None:
        """Neither echo nor answer for `seconds`: what the client writes meanwhile is lost."""
        _positive(seconds)
        with self.engine.lock:
            self.engine.faults.silent_until = self.engine.clock() + seconds
            self.engine.later(seconds, lambda: self._event("fault over: answering again"))
        self._event(f"fault: silent for {seconds:g} s")

    def send_garbage(self, lines: int, *, now: bool = False) -> None:
        """Garbage lines before the next answer, or (`now`) written to the port right away."""
        if lines < 1:
            raise ValueError("lines must be at least 1")
        if now:
            self.engine.emit_noise(lines)
            self._event(f"fault: {lines} garbage line(s) written now")
            return
        with self.engine.lock:
            self.engine.faults.garbage_lines += lines
        self._event(f"fault: {lines} garbage line(s) before the next answer")

    def vanish(self, seconds: float) -> None:
        """The device disappears (clients get I/O errors) and comes back at the same
        path after `seconds`, a new pty, the modem rebooted. Returns once it is gone."""
        _positive(seconds)
        if self._thread is None or not self._thread.is_alive():
            raise RuntimeError("the simulated modem is not running")
        self._vanished.clear()
        self._vanish_for = seconds
        self._vanished.wait(timeout=5)

    def storage_full(self, on: bool = True) -> None:
        """Storages hold no more than they do now (+CMS ERROR 322, the network holds
        new messages); `storage_full(False)` gives the room back."""
        with self.engine.lock:
            for store in self.engine.stores.values():
                if store.name != "SR":
                    store.limit = len(store.messages) if on else None
            used = len(self.engine.storage.messages)
        if on:
            self._event(f"fault: message storage full ({used} message(s) on the SIM)")
        else:
            self._event("fault over: message storage has room again")

    def reboot(self) -> None:
        """Power cycle: settings back to factory, echo on, no new-message indications."""
        self.engine.reboot()

    def slow(self, seconds: float) -> None:
        """Each submission (Ctrl-Z after AT+CMGS or AT+CMGW) takes `seconds`; 0 ends it."""
        if seconds < 0:
            raise ValueError("seconds must not be negative")
        with self.engine.lock:
            self.engine.faults.submit_delay = seconds
        self._event(f"fault: each submission takes {seconds:g} s")

    def urcs_inside_answers(self, count: int = 1) -> None:
        """Unsolicited lines that come meanwhile wait for the next command, then sit
        between its echo and its answer, `count` times; 0 ends it."""
        if count < 0:
            raise ValueError("count must not be negative")
        with self.engine.lock:
            self.engine.faults.urcs_inside_answers = count
        self._event(f"fault: unsolicited lines inside the next {count} answer(s)")

    # -- what it is doing ---------------------------------------------------------------

    def status(self) -> dict:
        from modem.sim.status import describe

        with self.engine.lock:
            return describe(self)

    @property
    def vanished_for(self) -> float:
        """Seconds until the port comes back, 0 when it is there."""
        back_at = self._back_at
        return max(back_at - time.monotonic(), 0.0) if back_at else 0.0

    @property
    def waiting(self) -> int:
        """Parts the network holds because the modem has no room."""
        return len(self._waiting)


def _positive(seconds: float) -> None:
    if not seconds > 0:
        raise ValueError("seconds must be positive")
