"""The simulated modem's interpreter: bytes in, bytes out, time passing.

It knows nothing of ptys or threads: `feed` takes what the client wrote,
`take_output` gives what the modem answers, `tick` lets time pass (delayed
reports, rings, slow submissions), so it is tested without a port. Commands
live in `modem.sim.commands`; this module frames them.
"""

from __future__ import annotations

import heapq
import itertools
import random
import re
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from modem.sim.errors import OPERATION_NOT_ALLOWED, CommandError, FinalResult, cme
from modem.sim.network import SimulatedNetwork
from modem.sim.parser import ParseError, parse
from modem.sim.profiles import DEFAULT_PROFILE, Profile
from modem.sim.state import MessageStore, Settings, Sim

if TYPE_CHECKING:
    from modem.sim.commands.calls import Call

CR, LF, BACKSPACE, CTRL_Z, ESC = 0x0D, 0x0A, 0x08, 0x1A, 0x1B
# What a prompt collects up to the byte that ends it (Ctrl-Z or ESC).
_PROMPT_TEXT = re.compile(b"[^" + re.escape(bytes([CTRL_Z, ESC])) + b"]+")
NUMERIC_RESULTS = {"OK": 0, "CONNECT": 1, "RING": 2, "NO CARRIER": 3, "ERROR": 4}


@dataclass
class Faults:
    """Misbehaviour asked for by a test or a tester."""

    errors: deque[CommandError | None] = field(default_factory=deque)
    silent_until: float = 0.0
    garbage_lines: int = 0
    submit_delay: float = 0.0
    # How many coming command answers carry the URCs that arrived meanwhile between
    # their echo and their result, as modems that do not buffer URCs do.
    urcs_inside_answers: int = 0
    # Commands answered as unknown, every time: a modem that lacks them ("+CNMI").
    refused: set[str] = field(default_factory=set)


def noise() -> bytes:
    """A line of garbage, as a flaky USB link or a crashing modem writes."""
    return bytes(random.randrange(0x21, 0x7F) for _ in range(random.randrange(4, 24)))  # noqa: S311


# What the prompt collects is handed to a callback giving the answer lines.
PromptCallback = Callable[[str], list[str]]


class ModemEngine:
    def __init__(
        self,
        network: SimulatedNetwork,
        profile: Profile = DEFAULT_PROFILE,
        *,
        pin: str = "",
        clock: Callable[[], float] = time.monotonic,
    ):
        from modem.sim.commands import COMMANDS, PROFILE_ONLY

        self._commands = COMMANDS
        self._profile_only = PROFILE_ONLY
        self.network = network
        self.profile = profile
        self.clock = clock
        self.sim = Sim(pin=pin, smsc=network.smsc)
        self.stores = {name: MessageStore(name, size) for name, size in profile.storages.items()}
        self.settings = Settings()
        self.faults = Faults()
        self.call: Call | None = None  # the incoming call ringing or answered
        self.on_event: Callable[[str], None] = lambda _: None
        self._lock = threading.RLock()
        self._input = bytearray()
        self._output = bytearray()
        self._prompt: PromptCallback | None = None
        self._busy_until: float | None = None
        self._held = bytearray()
        self._held_urcs: deque[str | bytes] = deque()
        self._timers: list[tuple[float, int, Callable[[], None]]] = []
        self._sequence = itertools.count()
        self._boots = 0
        self._arm_periodic_urcs()

    @property
    def lock(self) -> threading.RLock:
        """Hold it to change settings, faults or storages from another thread."""
        return self._lock

    @property
    def storage(self) -> MessageStore:
        """The SIM's storage, where incoming SMS go by default."""
        return self.stores["SM"]

    # -- bytes in, bytes out, time ---------------------------------------------------

    def feed(self, data: bytes) -> None:
        with self._lock:
            if self.clock() < self.faults.silent_until:
                return  # a hung modem neither echoes nor answers
            position = 0
            while position < len(data):
                if self._busy_until is not None:
                    self._held += data[position:]
                    return
                if self._prompt is not None and (text := _PROMPT_TEXT.match(data, position)):
                    # A PDU's hundreds of digits in one go, not byte by byte.
                    if self.settings.echo:
                        self._output += text[0]
                    self._input += text[0]
                    position = text.end()
                    continue
                if self._prompt is not None:
                    self._end_prompt(data[position])
                else:
                    self._feed_command(data[position])
                position += 1

    def take_output(self) -> bytes:
        with self._lock:
            out = bytes(self._output)
            self._output.clear()
            return out

    def tick(self) -> None:
        """Run what was scheduled for now or earlier."""
        with self._lock:
            while self._timers and self._timers[0][0] <= self.clock():
                _, _, action = heapq.heappop(self._timers)
                action()

    def later(self, delay: float, action: Callable[[], None]) -> None:
        with self._lock:
            heapq.heappush(self._timers, (self.clock() + delay, next(self._sequence), action))

    def next_timer(self) -> float | None:
        with self._lock:
            return self._timers[0][0] if self._timers else None

    # -- framing ----------------------------------------------------------------------

    def write_line(self, line: str | bytes) -> None:
        """An information line or an unsolicited result code."""
        raw = line.encode("latin-1", errors="replace") if isinstance(line, str) else line
        self._output += (b"\r\n" + raw + b"\r\n") if self.settings.verbose else raw + b"\r\n"

    def urc(self, line: str | bytes) -> None:
        """An unsolicited line: held while a command line is typed or answered, a prompt
        or a slow submission is under way, as modems do (AT+CNMI mode 2 buffers them
        while the link is reserved); the urcs_inside_answers fault holds them too."""
        with self._lock:
            if self._link_reserved or self.faults.urcs_inside_answers:
                self._held_urcs.append(line)
            else:
                self.write_line(line)

    @property
    def holding_a_submission(self) -> bool:
        """Whether a PDU was taken and its answer is held back (`faults.submit_delay`)."""
        return self._busy_until is not None

    @property
    def _link_reserved(self) -> bool:
        return bool(self._input) or self._prompt is not None or self._busy_until is not None

    def _release_urcs(self) -> None:
        while self._held_urcs:
            self.write_line(self._held_urcs.popleft())

    def _final(self, result: str) -> None:
        if self.settings.verbose or result not in NUMERIC_RESULTS:
            self.write_line(result)
        else:
            self._output += f"{NUMERIC_RESULTS[result]}\r".encode()

    def _error(self, error: CommandError) -> None:
        if self.settings.cmee == 0:
            self._final("ERROR")
        elif self.settings.cmee == 1:
            self._final(f"+{error.kind} ERROR: {error.code}")
        else:
            self._final(f"+{error.kind} ERROR: {error.verbose()}")

    def _feed_command(self, byte: int) -> None:
        if self.settings.echo:
            self._output.append(byte)
        if byte == CR:
            line = self._input.decode("latin-1").strip()
            self._input.clear()
            if line:
                self._run_line(line)
        elif byte == BACKSPACE:
            del self._input[-1:]
        elif byte != LF:
            self._input.append(byte)

    def _end_prompt(self, byte: int) -> None:
        """Ctrl-Z sends the prompt's text, ESC cancels it (the only bytes that end it)."""
        if byte == ESC:
            self._input.clear()
            self._prompt = None
            self._final("OK")
            self._release_urcs()
            return
        text = self._input.decode("latin-1")
        callback, self._prompt = self._prompt, None
        self._input.clear()
        assert callback is not None
        if self.faults.submit_delay:
            self._hold_input_for(self.faults.submit_delay, lambda: self._finish(callback, text))
        else:
            self._finish(callback, text)

    def _hold_input_for(self, seconds: float, then: Callable[[], None]) -> None:
        """Answer nothing for a while, as a modem waiting for the network does."""
        self._busy_until = self.clock() + seconds
        boot = self._boots

        def release() -> None:
            if boot != self._boots:
                return  # the modem rebooted meanwhile: the submission died with it
            self._busy_until = None
            then()
            held, self._held = bytes(self._held), bytearray()
            self.feed(held)

        self.later(seconds, release)

    def _finish(self, callback: PromptCallback, text: str) -> None:
        try:
            for line in callback(text):
                self.write_line(line)
        except CommandError as error:
            self._error(error)
        else:
            self._final("OK")
        self._release_urcs()

    def prompt(self, callback: PromptCallback) -> None:
        """Ask for text ending with Ctrl-Z (AT+CMGS, AT+CMGW); ESC cancels."""
        self._prompt = callback
        self._output += b"\r\n> "

    # -- command lines ----------------------------------------------------------------

    def _run_line(self, line: str) -> None:
        if self.faults.urcs_inside_answers and self._held_urcs:
            self.faults.urcs_inside_answers -= 1
            self.on_event(f"fault: unsolicited line(s) inside the answer to {line!r}")
            self._release_urcs()
        self._answer_line(line)
        if not self._link_reserved and not self.faults.urcs_inside_answers:
            self._release_urcs()

    def _answer_line(self, line: str) -> None:
        self._emit_garbage()
        if self.faults.errors:
            failure = self.faults.errors.popleft()
            self.on_event(f"fault: answered {line!r} with an error")
            if failure is None:
                self._final("ERROR")
            else:
                self._error(failure)
            return
        if not line.upper().startswith("AT"):
            self._final("ERROR")
            return
        try:
            commands = parse(line[2:])
        except ParseError:
            self._final("ERROR")
            return
        try:
            for command in commands:
                handler = self._commands.get(command.name)
                if (
                    handler is None
                    or command.name in self.faults.refused
                    or (
                        command.name in self._profile_only
                        and command.name not in self.profile.extra_commands
                    )
                ):
                    raise self._unknown_command()
                for info in handler(self, command) or ():
                    self.write_line(info)
                if self._prompt is not None or self._busy_until is not None:
                    return  # the rest of the line waits for the prompt's text
        except CommandError as error:
            self._error(error)
            return
        except FinalResult as result:
            self._final(result.code)
            return
        self._final("OK")

    def _unknown_command(self) -> Exception:
        """What this family answers to a command it does not know."""
        if self.profile.unknown_command_result:
            return FinalResult(self.profile.unknown_command_result)
        return cme(OPERATION_NOT_ALLOWED)

    def _emit_garbage(self) -> None:
        while self.faults.garbage_lines:
            self.faults.garbage_lines -= 1
            self.write_line(noise())

    def emit_noise(self, lines: int) -> None:
        """Garbage on the line right now, unasked."""
        with self._lock:
            for _ in range(lines):
                self.write_line(noise())

    # -- life cycle ---------------------------------------------------------------------

    def reboot(self) -> None:
        """Power cycle: settings back to factory, SIM locked again, boot messages."""
        with self._lock:
            self.settings = Settings()
            self.sim.unlocked = False
            self._prompt = None
            self._input.clear()
            self._busy_until = None
            self._held.clear()
            self._held_urcs.clear()
            self.on_event("modem rebooted")
            for line in self.profile.boot_urcs:
                if line == "+CPIN: READY" and self.sim.state != "READY":
                    # What follows needs the SIM: it comes once the PIN is given.
                    self.write_line(f"+CPIN: {self.sim.state}")
                    break
                self.write_line(line)
            self._boots += 1
            self._arm_periodic_urcs()

    def _arm_periodic_urcs(self) -> None:
        """Status lines some modems repeat by themselves (Huawei's ^RSSI, ^BOOT, ^MODE),
        while `settings.periodic_urcs` is on; a reboot starts a fresh cycle."""
        interval = self.profile.periodic_interval
        if not self.profile.periodic_urcs or interval <= 0:
            return
        boot = self._boots

        def report() -> None:
            if boot != self._boots:
                return  # a reboot armed its own cycle
            if self.settings.periodic_urcs:
                for line in self.profile.periodic_urcs:
                    self.urc(line.format(signal=self.network.signal))
            self.later(interval, report)

        self.later(interval, report)

    # -- the network side ---------------------------------------------------------------

    def receive(self, pdu_hex: str) -> bool:
        """An SMS arriving from the network; False when the storage is full."""
        from modem.sim.commands.sms_incoming import deliver_to_client

        with self._lock:
            return deliver_to_client(self, pdu_hex)
