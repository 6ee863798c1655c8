"""What every `--json` prints: indented, accents as they are."""

from __future__ import annotations

import json
import sys
from typing import Any


def print_json(value: Any) -> None:
    print(json.dumps(value, ensure_ascii=False, indent=2))


def confirmed(question: str) -> bool:
    """The person answered yes (y, yes, o, oui) to `question` on standard input."""
    print(f"{question} [y/N] ", end="", flush=True)
    return sys.stdin.readline().strip().lower() in ("y", "yes", "o", "oui")
