"""Splitting an AT command line into commands, as ITU-T V.250 §5.3 lays it out.

'ATE0V1+CMEE=1;+CMGF=0' holds four commands: the basic ones (a letter or '&'
and a letter, with an optional number) run together, the extended ones (+, ^,
$ and a name) are separated by ';'. 'D' (dial) takes the rest of the line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum


class Kind(StrEnum):
    EXECUTE = "execute"  # AT+CGMI, ATE0
    SET = "set"  # AT+CMGF=0
    READ = "read"  # AT+CMGF?
    TEST = "test"  # AT+CMGF=?


@dataclass(frozen=True)
class Command:
    name: str  # upper case: "+CMGF", "E", "&F", "D"
    kind: Kind
    argument: str = ""  # what follows '=' for SET, the digits for basic commands

    def arguments(self) -> list[str]:
        """Comma-separated values, quotes removed; commas inside quotes kept."""
        return [
            value.strip().strip('"')
            for value in re.findall(r'"[^"]*"|[^,]+|(?<=,)(?=,|$)|^(?=,)', self.argument)
        ]


class ParseError(ValueError):
    pass


_EXTENDED = re.compile(r"[+^$%*#][A-Z0-9]+", re.IGNORECASE)
_REGISTER = re.compile(r"(S\d+)(\?|=\d*)", re.IGNORECASE)
_BASIC = re.compile(r"(&?[A-Z])(\d*)", re.IGNORECASE)


def _extended_argument(text: str) -> tuple[str, int]:
    """The text up to the ';' ending this command (quoted ';' kept) and its length."""
    in_quotes = False
    for position, char in enumerate(text):
        if char == '"':
            in_quotes = not in_quotes
        elif char == ";" and not in_quotes:
            return text[:position], position + 1
    return text, len(text)


def parse(body: str) -> list[Command]:
    """Commands of a line, `body` being what follows 'AT'."""
    commands: list[Command] = []
    position = 0
    while position < len(body):
        rest = body[position:]
        if rest[0] in " ;":
            position += 1
            continue
        if rest[0].upper() == "D":
            commands.append(Command("D", Kind.EXECUTE, rest[1:].strip()))
            break
        if extended := _EXTENDED.match(rest):
            name = extended.group(0).upper()
            suffix, length = _extended_argument(rest[len(name) :])
            position += len(name) + length
            if suffix == "=?":
                commands.append(Command(name, Kind.TEST))
            elif suffix == "?":
                commands.append(Command(name, Kind.READ))
            elif suffix.startswith("="):
                commands.append(Command(name, Kind.SET, suffix[1:]))
            elif suffix.strip():
                raise ParseError(f"unexpected {suffix!r} after {name}")
            else:
                commands.append(Command(name, Kind.EXECUTE))
            continue
        if register := _REGISTER.match(rest):
            operation = register.group(2)
            kind = Kind.READ if operation == "?" else Kind.SET
            commands.append(Command(register.group(1).upper(), kind, operation.lstrip("=?")))
            position += len(register.group(0))
            continue
        basic = _BASIC.match(rest)
        if not basic:
            raise ParseError(f"cannot read {rest!r}")
        commands.append(Command(basic.group(1).upper(), Kind.EXECUTE, basic.group(2)))
        position += len(basic.group(0))
    return commands
