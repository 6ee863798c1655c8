"""What the commands share: `--json` printed indented with accents as they are, its
times in ISO 8601, and counts given on the command line."""

from __future__ import annotations

import argparse
import json
import sys
from datetime import datetime
from typing import Any


def print_json(value: Any) -> None:
    print(json.dumps(value, ensure_ascii=False, indent=2))


def iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


def positive(text: str) -> int:
    """An argparse type: a whole number of at least 1."""
    if not (text.isascii() and text.isdigit() and int(text) > 0):
        raise argparse.ArgumentTypeError(f"{text!r} is not a positive whole number")
    return int(text)


def confirmed(question: str) -> bool:
    """The person answered yes (y, yes, o, oui) to `question` on standard input."""
    print(f"{question} [y/N] ", end="", flush=True)
    return sys.stdin.readline().strip().lower() in ("y", "yes", "o", "oui")
