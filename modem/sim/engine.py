"""The AT command interpreter of the simulated modem, pure bytes in and out.

It knows nothing of ptys or threads: `feed` takes what the client wrote and
`take_output` gives what the modem answers, so it can be tested line by line.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable
from dataclasses import dataclass, field

from modem.sim.network import SimulatedNetwork

CTRL_Z = 0x1A
ESC = 0x1B
STORAGE_CAPACITY = 30

# 3GPP TS 27.007 §9.2 / 27.005 §3.2.5 codes the simulator reports.
CME_OPERATION_NOT_ALLOWED = 3
CME_INVALID_INDEX = 21
CME_INVALID_TEXT = 25
CMS_OPERATION_NOT_ALLOWED = 302
CMS_INVALID_PDU = 304
CMS_INVALID_INDEX = 321
CMS_MEMORY_FULL = 322
VERBOSE_ERRORS = {
    3: "operation not allowed",
    21: "invalid index",
    25: "invalid characters in text string",
    302: "operation not allowed",
    304: "invalid PDU mode parameter",
    321: "invalid memory index",
    322: "memory full",
}

STATUS_UNREAD, STATUS_READ = 0, 1


class CommandError(Exception):
    def __init__(self, code: int, kind: str = "CME"):
        super().__init__(code)
        self.code = code
        self.kind = kind


@dataclass
class ModemSettings:
    """What AT&F/ATZ and a reboot put back to factory values."""

    echo: bool = True
    cmee: int = 0
    pdu_mode: bool = True
    cnmi: tuple[int, ...] = (0, 0, 0, 0, 0)


@dataclass
class Identity:
    manufacturer: str = "SIMCOM_Ltd"
    model: str = "SIMCOM_SIM800L"
    revision: str = "Revision:1418B05SIM800L24"
    imei: str = "867856030000001"
    imsi: str = "208011234567890"


@dataclass
class Storage:
    messages: dict[int, tuple[int, str]] = field(default_factory=dict)

    def free_index(self) -> int | None:
        return next((i for i in range(1, STORAGE_CAPACITY + 1) if i not in self.messages), None)


class ModemEngine:
    def __init__(self, network: SimulatedNetwork, identity: Identity | None = None):
        self.network = network
        self.identity = identity or Identity()
        self.settings = ModemSettings()
        self.storage = Storage()
        self._lock = threading.RLock()
        self._input = bytearray()
        self._output = bytearray()
        self._prompt_length: int | None = None
        self._commands: dict[str, Callable[[str], list[str]]] = {
            "+CGMI": lambda _: [self.identity.manufacturer],
            "+CGMM": lambda _: [self.identity.model],
            "+CGMR": lambda _: [self.identity.revision],
            "+CGSN": lambda _: [self.identity.imei],
            "+CIMI": lambda _: [self.identity.imsi],
            "+CMEE": self._cmee,
            "+CMGF": self._cmgf,
            "+CNMI": self._cnmi,
            "+CPIN": lambda _: ["+CPIN: READY"],
            "+CSQ": lambda _: ["+CSQ: 21,99"],
            "+CPMS": self._cpms,
            "+CMGR": self._cmgr,
            "+CMGL": self._cmgl,
            "+CMGD": self._cmgd,
        }

    # -- bytes in, bytes out ------------------------------------------------

    def feed(self, data: bytes) -> None:
        with self._lock:
            for byte in data:
                self._feed_byte(byte)

    def take_output(self) -> bytes:
        with self._lock:
            out = bytes(self._output)
            self._output.clear()
            return out

    def _feed_byte(self, byte: int) -> None:
        if self._prompt_length is not None:
            self._feed_prompt(byte)
            return
        if self.settings.echo:
            self._output.append(byte)
        if byte == 0x0D:
            line = self._input.decode("ascii", errors="replace").strip()
            self._input.clear()
            if line:
                self._run_line(line)
        elif byte == 0x08:
            del self._input[-1:]
        elif byte != 0x0A:
            self._input.append(byte)

    def _feed_prompt(self, byte: int) -> None:
        if byte == ESC:
            self._input.clear()
            self._prompt_length = None
            self._final("OK")
        elif byte == CTRL_Z:
            pdu_hex = self._input.decode("ascii", errors="replace").strip()
            length = self._prompt_length
            self._input.clear()
            self._prompt_length = None
            self._submit(pdu_hex, length)
        else:
            if self.settings.echo:
                self._output.append(byte)
            self._input.append(byte)

    def _emit(self, line: str) -> None:
        self._output += b"\r\n" + line.encode("latin-1", errors="replace") + b"\r\n"

    def _final(self, result: str) -> None:
        self._emit(result)

    def _error(self, error: CommandError) -> None:
        if self.settings.cmee == 0:
            self._final("ERROR")
        elif self.settings.cmee == 1:
            self._final(f"+{error.kind} ERROR: {error.code}")
        else:
            self._final(f"+{error.kind} ERROR: {VERBOSE_ERRORS.get(error.code, error.code)}")

    # -- command lines --------------------------------------------------------

    def _run_line(self, line: str) -> None:
        if not line.upper().startswith("AT"):
            self._final("ERROR")
            return
        body = line[2:]
        try:
            for command in _split_commands(body):
                for info in self._run(command):
                    self._emit(info)
                if self._prompt_length is not None:
                    return
        except CommandError as error:
            self._error(error)
            return
        self._final("OK")

    def _run(self, command: str) -> list[str]:
        upper = command.upper()
        if upper == "":  # a bare "AT": only the OK
            return []
        if upper in ("Z", "&F", "Z0"):
            self.settings = ModemSettings()
            return []
        if upper in ("E0", "E1"):
            self.settings.echo = upper == "E1"
            return []
        if upper.startswith("+CMGS="):
            return self._cmgs(command)
        name = re.match(r"[+&^]?[A-Z]+", upper)
        handler = self._commands.get(name.group(0)) if name else None
        if handler is None:
            raise CommandError(CME_OPERATION_NOT_ALLOWED)
        return handler(command[len(name.group(0)) :])

    def _cmee(self, argument: str) -> list[str]:
        if argument == "?":
            return [f"+CMEE: {self.settings.cmee}"]
        value = _int_argument(argument, allowed=range(3))
        self.settings.cmee = value
        return []

    def _cmgf(self, argument: str) -> list[str]:
        if argument == "?":
            return [f"+CMGF: {0 if self.settings.pdu_mode else 1}"]
        self.settings.pdu_mode = _int_argument(argument, allowed=range(1)) == 0
        return []

    def _cnmi(self, argument: str) -> list[str]:
        if argument == "?":
            return ["+CNMI: " + ",".join(str(v) for v in self.settings.cnmi)]
        values = [int(v) if v.strip() else 0 for v in argument.lstrip("=").split(",")]
        if not argument.startswith("=") or len(values) > 5:
            raise CommandError(CME_OPERATION_NOT_ALLOWED)
        self.settings.cnmi = tuple(values + [0] * (5 - len(values)))
        return []

    def _cpms(self, argument: str) -> list[str]:
        counts = f"{len(self.storage.messages)},{STORAGE_CAPACITY}"
        if argument == "?":
            return ["+CPMS: " + ",".join(f'"SM",{counts}' for _ in range(3))]
        names = [name.strip().strip('"') for name in argument.lstrip("=").split(",")]
        if any(name != "SM" for name in names):
            raise CommandError(CMS_OPERATION_NOT_ALLOWED, "CMS")
        return ["+CPMS: " + ",".join([counts] * 3)]

    def _cmgs(self, command: str) -> list[str]:
        length = _int_argument(command[5:], allowed=range(1, 177))
        self._prompt_length = length
        self._output += b"\r\n> "
        return []

    def _submit(self, pdu_hex: str, length: int) -> None:
        try:
            raw = bytes.fromhex(pdu_hex)
            if not raw or len(raw) - 1 - raw[0] != length:
                raise ValueError("length does not match")
            reference = self.network.submit(pdu_hex)
        except ValueError:
            self._error(CommandError(CMS_INVALID_PDU, "CMS"))
            return
        self._emit(f"+CMGS: {reference}")
        self._final("OK")

    def _stored(self, argument: str) -> tuple[int, tuple[int, str]]:
        index = _int_argument(argument, allowed=range(1, STORAGE_CAPACITY + 1))
        if index not in self.storage.messages:
            raise CommandError(CMS_INVALID_INDEX, "CMS")
        return index, self.storage.messages[index]

    def _cmgr(self, argument: str) -> list[str]:
        index, (status, pdu_hex) = self._stored(argument)
        self.storage.messages[index] = (STATUS_READ, pdu_hex)
        return [f"+CMGR: {status},,{_tpdu_length(pdu_hex)}", pdu_hex]

    def _cmgl(self, argument: str) -> list[str]:
        wanted = _int_argument(argument, allowed=range(5)) if argument else STATUS_UNREAD
        lines = []
        for index in sorted(self.storage.messages):
            status, pdu_hex = self.storage.messages[index]
            if wanted == 4 or wanted == status:
                lines += [f"+CMGL: {index},{status},,{_tpdu_length(pdu_hex)}", pdu_hex]
                if status == STATUS_UNREAD:
                    self.storage.messages[index] = (STATUS_READ, pdu_hex)
        return lines

    def _cmgd(self, argument: str) -> list[str]:
        fields = argument.lstrip("=").split(",")
        flag = int(fields[1]) if len(fields) > 1 and fields[1].strip() else 0
        if flag == 0:
            index, _ = self._stored("=" + fields[0])
            del self.storage.messages[index]
        elif flag == 4:
            self.storage.messages.clear()
        else:
            for index, (status, _) in list(self.storage.messages.items()):
                if status == STATUS_READ:
                    del self.storage.messages[index]
        return []

    # -- the network side ---------------------------------------------------------

    def receive(self, pdu_hex: str) -> bool:
        """An SMS arriving from the network; False when storage is full."""
        with self._lock:
            index = self.storage.free_index()
            if index is None:
                return False
            self.storage.messages[index] = (STATUS_UNREAD, pdu_hex)
            if self.settings.cnmi[1] == 1:
                self._emit(f'+CMTI: "SM",{index}')
            return True


def _split_commands(body: str) -> list[str]:
    """'E0+CMEE=1;+CMGF=0' -> ['E0', '+CMEE=1', '+CMGF=0']."""
    commands = []
    for chunk in body.split(";"):
        basic = re.match(r"^((?:[EZ]\d?|&F)*)(.*)$", chunk.strip(), re.IGNORECASE)
        prefix, rest = basic.groups() if basic else ("", chunk)
        commands += re.findall(r"[EZ]\d?|&F", prefix, re.IGNORECASE)
        if rest or not prefix:
            commands.append(rest)
    return commands


def _int_argument(argument: str, *, allowed: range) -> int:
    text = argument.lstrip("=").strip()
    if not text.isdigit() or int(text) not in allowed:
        raise CommandError(CME_INVALID_INDEX if "=" in argument else CME_OPERATION_NOT_ALLOWED)
    return int(text)


def _tpdu_length(pdu_hex: str) -> int:
    raw = bytes.fromhex(pdu_hex)
    return len(raw) - 1 - raw[0]
