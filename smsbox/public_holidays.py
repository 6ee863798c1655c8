"""Countries' public holidays, from the `holidays` package, worked out in a child
process.

Importing `holidays` and asking it for one country, or for the list of countries,
imports the module of every country it knows (its `countries` package imports them
all): 12 to 17 MB that a long-running process, the daemon or a web server, would
keep for the dozen dates a year it needs. A child process computes them and ends;
this process keeps the dates, asked once per country and year.
"""

from __future__ import annotations

import json
import subprocess
import sys
import threading
from datetime import date
from functools import cache

CHILD_TIMEOUT = 60.0
COUNTRIES = "countries"

# One child at a time: workers that ask together wait for the first one's answer.
_asking = threading.Lock()
_answers: dict[tuple[str, ...], list[str]] = {}


class HolidaysUnavailable(RuntimeError):
    """The child process that computes public holidays failed."""


@cache  # a sending window is checked at each worker's step: the dates parsed once
def supported_countries() -> frozenset[str]:
    """The country codes (aliases included) whose public holidays are known."""
    return frozenset(_ask(COUNTRIES))


@cache
def public_holidays(country: str, year: int) -> frozenset[date]:
    """The public holidays of `country` (a supported code) in `year`."""
    return frozenset(date.fromisoformat(day) for day in _ask(country, str(year)))


def _ask(*question: str) -> list[str]:
    with _asking:
        if question not in _answers:
            _answers[question] = _ask_a_child(question)
        return _answers[question]


def _ask_a_child(question: tuple[str, ...]) -> list[str]:
    try:
        child = subprocess.run(
            [sys.executable, "-m", __name__, *question],
            capture_output=True,
            text=True,
            check=True,
            timeout=CHILD_TIMEOUT,
        )
    except (OSError, subprocess.SubprocessError) as error:
        detail = getattr(error, "stderr", None) or ""
        lines = detail.strip().splitlines()
        raise HolidaysUnavailable(
            f"cannot compute public holidays ({' '.join(question)}): "
            f"{lines[-1] if lines else error}"
        ) from None
    return json.loads(child.stdout)


def _answer(question: list[str]) -> list[str]:
    """In the child: what `_ask` asked, computed with the `holidays` package."""
    import holidays

    if question == [COUNTRIES]:
        return sorted(holidays.list_supported_countries())
    country, year = question
    return sorted(day.isoformat() for day in holidays.country_holidays(country, years=int(year)))


if __name__ == "__main__":
    print(json.dumps(_answer(sys.argv[1:])))
