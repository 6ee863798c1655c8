"""The AT protocol as text: final results, errors and the lines we parse.

Pure functions on `str`, tested with tables of real modem lines; the serial
side lives in `modem.channel`. A line that does not parse is a ModemError a retry
may fix (line noise, a cut line), never another exception.
"""

from __future__ import annotations

import re

from modem.drivers.contract import StoredSms
from modem.errors import ModemError

# 3GPP TS 27.005 §3.2.5 <err> values after which the same SMS will fail again.
PERMANENT_CMS_ERRORS = {
    1: "unassigned (unallocated) number",
    8: "operator determined barring",
    10: "call barred",
    21: "short message transfer rejected",
    27: "destination out of service",
    28: "unidentified subscriber",
    29: "facility rejected",
    30: "unknown subscriber",
    50: "requested facility not subscribed",
    69: "requested facility not implemented",
    96: "invalid mandatory information",
    304: "invalid PDU mode parameter",
    305: "invalid text mode parameter",
    310: "SIM not inserted",
    311: "SIM PIN required",
    330: "SMSC address unknown",
}

# Huawei sticks end unknown commands with "COMMAND NOT SUPPORT" (Gammu's
# libgammu/protocol/at/at.c counts it as a final result too).
SIMPLE_FINALS = {"OK", "ERROR", "COMMAND NOT SUPPORT", "TOO MANY PARAMETERS"}
# V.250 §6.3.1/6.3.6: these end a dial or an answer only. Outside one they are
# unsolicited: SIMCom modems say NO CARRIER when a caller hangs up on a ringing
# call, which must not end the AT+CMGS in flight.
CALL_RESULTS = {"NO CARRIER", "BUSY", "NO ANSWER", "NO DIALTONE"}
CALL_COMMANDS = ("ATD", "ATA")
_ERROR_RE = re.compile(r"^\+(CME|CMS) ERROR:\s*(.+)$")

# Lines a modem may send at any time, even between a command and its answer.
URC_PREFIXES = (
    "+CMTI:",
    "+CMT:",
    "+CDSI:",
    "+CDS:",
    "RING",
    "+CRING:",
    "+CLIP:",
    "+CUSD:",
    "+CREG:",
    "+CGREG:",
    "^RSSI:",
    "^BOOT:",
    "^MODE:",
    "^SRVST:",
    "^SIMST:",
    "^SMMEMFULL",
    "^CEND:",
    "+QIND:",
    "+QUSIM:",
    "SMS DONE",
    "PB DONE",
    "RDY",
    "+CPIN: READY",
    "Call Ready",
    "SMS Ready",
)
# These carry a PDU on the line after them.
TWO_LINE_URCS = ("+CMT:", "+CDS:")
# What modems say when they power up (profiles in modem/sim/profiles.py name the
# manuals): settings such as AT+CNMI are back to factory values after these.
BOOT_LINES = ("RDY", "+CFUN: 1", "SMS Ready", "SMS DONE", "+QIND: SMS DONE")


def _is_call_command(command: str) -> bool:
    return command.upper().startswith(CALL_COMMANDS)


def is_final(line: str, command: str = "") -> bool:
    """Whether `line` ends the answer to `command`."""
    if line in CALL_RESULTS:
        return _is_call_command(command)
    return line in SIMPLE_FINALS or _ERROR_RE.match(line) is not None


def is_boot_line(line: str) -> bool:
    return line in BOOT_LINES


def error_for(line: str, command: str) -> ModemError | None:
    """None if `line` is OK, else the error it reports for `command`."""
    if line == "OK":
        return None
    match = _ERROR_RE.match(line)
    if match is None:
        return ModemError(f"{command}: {line}")
    kind, detail = match.groups()
    code = _decimal(detail.strip())
    if kind == "CMS" and code is not None:
        reason = PERMANENT_CMS_ERRORS.get(code)
        if reason:
            return ModemError(f"{command}: +CMS ERROR {code} ({reason})", permanent=True, code=code)
    return ModemError(f"{command}: {line}", code=code)


def is_urc(line: str, expected_prefix: str | None = None, command: str = "") -> bool:
    """Whether a line is unsolicited while `command` runs; a line it asked for is not."""
    if expected_prefix and line.startswith(expected_prefix):
        return False
    if line in CALL_RESULTS:
        return not _is_call_command(command)
    return line.startswith(URC_PREFIXES) or is_boot_line(line)


# An index, a TP-MR, a signal level or an error code: longer is line noise (and int()
# refuses strings over 4300 digits).
MAX_DIGITS = 9
# An address (TS 23.040 §9.1.2.5): 20 digits, a few more with '+' and quotes is noise.
MAX_ADDRESS_LENGTH = 24


def _decimal(field: str) -> int | None:
    """A decimal field in ASCII digits (int() also takes other scripts' digits), else None."""
    if field.isascii() and field.isdigit() and len(field) <= MAX_DIGITS:
        return int(field)
    return None


def _shown(line: str) -> str:
    """A line quoted in an error message, noise cut short."""
    return repr(line if len(line) <= 80 else line[:80] + "...")


def _fields(line: str, prefix: str, count: int) -> list[str]:
    """The comma-separated fields after `prefix`, unquoted; at least `count` of them."""
    if not line.startswith(prefix):
        raise ModemError(f"expected {prefix!r}, got {_shown(line)}")
    fields = [field.strip().strip('"') for field in line[len(prefix) :].split(",")]
    if len(fields) < count:
        raise ModemError(f"{prefix} line with fewer than {count} field(s): {_shown(line)}")
    return fields


def _number(field: str, line: str) -> int:
    number = _decimal(field)
    if number is None:
        raise ModemError(f"{_shown(field)} is no number in {_shown(line)}")
    return number


def parse_cmti(line: str, prefix: str = "+CMTI:") -> tuple[str, int]:
    """'+CMTI: "SM",3' -> ('SM', 3); with `prefix` "+CDSI:", where a report was filed."""
    storage, index = _fields(line, prefix, 2)[:2]
    if not storage:
        raise ModemError(f"no storage in {_shown(line)}")
    return storage, _number(index, line)


def parse_cmgs(line: str) -> int:
    """'+CMGS: 12' -> the TP-MR reference of the part just submitted."""
    return _number(_fields(line, "+CMGS:", 1)[0], line)


def _headed(lines: list[str], prefix: str) -> list[tuple[str, str]]:
    """(header, next line) for each line starting with `prefix`.

    Anything else is skipped, so line noise in an answer costs nothing but itself.
    """
    return [
        (line, lines[position + 1].strip())
        for position, line in enumerate(lines[:-1])
        if line.startswith(prefix)
    ]


def _listed(header: str, pdu: str) -> StoredSms | None:
    try:
        index, status = _fields(header, "+CMGL:", 2)[:2]
        return StoredSms(index=_number(index, header), status=_number(status, header), pdu=pdu)
    except ModemError:
        return None


def parse_cmgl(lines: list[str]) -> list[StoredSms]:
    """PDU-mode AT+CMGL answer: header '+CMGL: idx,stat,[alpha],length' then the PDU.

    A message whose header is garbled is left out: it stays on the SIM for the next
    listing, where refusing the whole answer would stop every other message too.
    """
    listed = (_listed(header, pdu) for header, pdu in _headed(lines, "+CMGL:"))
    return [sms for sms in listed if sms is not None]


def parse_cmgr(lines: list[str], index: int) -> StoredSms | None:
    """PDU-mode AT+CMGR answer: '+CMGR: stat,[alpha],length' then the PDU; None if empty."""
    found = _headed(lines, "+CMGR:")
    if not found:
        return None
    header, pdu = found[0]
    return StoredSms(index=index, status=_number(_fields(header, "+CMGR:", 1)[0], header), pdu=pdu)


def first_with(lines: list[str], prefix: str, command: str) -> str:
    """The answer line of `command` starting with `prefix`, skipping line noise."""
    for line in lines:
        if line.startswith(prefix):
            return line
    raise ModemError(f"{command}: no {prefix} line in {lines!r}")


def parse_csq(line: str) -> int | None:
    """'+CSQ: 21,99' -> 21; None when the modem does not know (99)."""
    rssi = _number(_fields(line, "+CSQ:", 1)[0], line)
    return None if rssi == 99 else rssi


# TS 27.007 §7.18 <CLI validity>: 1 withheld by the caller, 2 not available on the network.
CLI_VALID = 0
CLI_VALIDITIES = range(3)
# A number the network gives: digits, an international '+', the '*' and '#' of services.
_CALLER_RE = re.compile(r"^\+?[0-9*#]{1,32}$")


def parse_clip(line: str) -> str | None:
    """'+CLIP: "+33612345678",145,"",0,"",0' -> '+33612345678' as the network gave it;
    None when the caller withheld it or the network does not know it."""
    fields = _fields(line, "+CLIP:", 2)
    number = fields[0]
    _number(fields[1], line)  # the type of address: a garbled one is a garbled line
    validity = _number(fields[5], line) if len(fields) > 5 and fields[5] else CLI_VALID
    if validity not in CLI_VALIDITIES:
        raise ModemError(f"no CLI validity {validity} in {_shown(line)}")
    if validity != CLI_VALID or not number:
        return None
    if not _CALLER_RE.match(number):
        raise ModemError(f"{_shown(number)} is no caller number in {_shown(line)}")
    return number


# +CREG <stat>, 3GPP TS 27.007 §7.2; 6 to 10 (E-UTRAN "SMS only", emergency and CSFB
# variants) are registrations too, at home or roaming.
REGISTRATION_STATES = {
    0: "unregistered",
    1: "home",
    2: "searching",
    3: "denied",
    4: "unknown",
    5: "roaming",
    6: "home",
    7: "roaming",
    8: "unregistered",
    9: "home",
    10: "roaming",
}


def parse_creg(line: str) -> str:
    """'+CREG: 0,1' or '+CREG: 2,5,"1A2B","01C3D4E5",7' (the answer to AT+CREG?:
    <n>,<stat>[,<lac>,<ci>[,<AcT>]]) -> 'roaming'."""
    status = _number(_fields(line, "+CREG:", 2)[1], line)
    return REGISTRATION_STATES.get(status, "unknown")


# TS 27.007 §7.3 allows 16 characters in the long alphanumeric format: longer is noise.
MAX_OPERATOR_LENGTH = 64


def parse_cops(line: str) -> str | None:
    """'+COPS: 0,0,"Orange F",7' -> 'Orange F'; None when not registered ('+COPS: 0')."""
    fields = _fields(line, "+COPS:", 1)
    _number(fields[0], line)  # the mode: a garbled one is a garbled line
    if len(fields) < 3 or not fields[2]:
        return None
    if len(fields[2]) > MAX_OPERATOR_LENGTH or not fields[2].isprintable():
        raise ModemError(f"no operator name in {_shown(line)}")
    return fields[2]


def parse_cpms(line: str) -> tuple[int, int]:
    """'+CPMS: "SM",3,30,"SM",3,30,"SM",3,30' -> (3, 30): used and total of <mem1>,
    the storage messages are read from."""
    _, used, total = _fields(line, "+CPMS:", 3)[:3]
    return _number(used, line), _number(total, line)


def parse_csca(line: str) -> str:
    """'+CSCA: "+33609001390",145' -> '+33609001390'; '' when the SIM has no SMS centre
    ('+CSCA: "",129')."""
    number = _fields(line, "+CSCA:", 1)[0]
    if len(number) > MAX_ADDRESS_LENGTH or not number.isprintable():
        raise ModemError(f"no SMS centre address in {_shown(line)}")
    return number


# What AT+CGSN, AT+CIMI, AT+CCID answer: a bare line of digits, or one behind a
# prefix (Gammu's atgen.c strips "+CGSN: ", Motorola's "+CGSN: IMEI", "+CIMI: ");
# an ICCID of 19 digits is padded with an F to 20 (ITU-T E.118).
_IDENTITY_RE = re.compile(r'^(?:[+^][A-Z]+:\s*(?:IMEI)?\s*)?"?([0-9]{6,20})F?"?$')


def parse_identity(lines: list[str], command: str) -> str:
    """The number in an identity answer ('867856030000001', '+ICCID: 8933...'),
    skipping line noise around it."""
    for line in lines:
        match = _IDENTITY_RE.match(line.strip())
        if match:
            return match.group(1)
    raise ModemError(f"{command}: no identity in {_shown(' | '.join(lines))}")


def parse_cnum(lines: list[str]) -> str | None:
    """'+CNUM: "","+33612345678",145' -> '+33612345678' (TS 27.007 §7.1:
    [<alpha>],<number>,<type>, one line per number); None when the SIM knows none."""
    for line in lines:
        if line.startswith("+CNUM:"):
            fields = _fields(line, "+CNUM:", 3)
            _number(fields[2], line)  # the type of address
            if not fields[1]:
                return None
            if not _CALLER_RE.match(fields[1]):
                raise ModemError(f"{_shown(fields[1])} is no number in {_shown(line)}")
            return fields[1]
    return None
