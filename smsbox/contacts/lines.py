"""What a reader (CSV or vCard) makes of each contact in a file: an entry to check
and store, or a line refused with its reason."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import NamedTuple

SHOWN_MAX = 80


def shortened(value: str) -> str:
    """A value quoted back in a report: one line, not a page."""
    one_line = " ".join(value.split())
    return one_line if len(one_line) <= SHOWN_MAX else one_line[: SHOWN_MAX - 1] + "…"


class Entry(NamedTuple):
    # A tuple, not a frozen dataclass: its __init__ was a tenth of reading a CSV line.
    line: int
    name: str
    number: str
    notes: str
    fields: dict[str, str]


@dataclass(frozen=True)
class Rejected:
    """`template` % `values` is why, in English; the web translates the template."""

    line: int
    value: str
    template: str
    values: dict[str, object] = field(default_factory=dict)

    @property
    def reason(self) -> str:
        return self.template % self.values
