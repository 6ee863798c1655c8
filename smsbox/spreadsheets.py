"""Values written to a CSV file so that a spreadsheet shows them and never runs them.

A cell that starts with `=`, `+`, `-`, `@`, a tab or a carriage return is read by
Excel and LibreOffice as a formula (OWASP, "CSV injection"): it is written with a
single quote in front, which makes the spreadsheet take it as text. So that every
value comes back unchanged, a value that starts with a quote itself gets one more,
and the importer takes exactly one quote off a value whose next character is one of
these (`as_read`).

Phone numbers are the exception: written as E.164 exactly (`+33612345678`), as the
file is re-imported. `+` then only digits holds no operator after its sign, no
function, no reference: nothing a spreadsheet can run; the worst it does is read it as
the number 33612345678 (Excel drops the `+`, and the importer reads 33612345678 back
as +33612345678 with the default region's country code). A number that is not E.164
(none is, once stored) is written like any other value.
"""

from __future__ import annotations

import re

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_MARKED_STARTS = (*FORMULA_STARTS, "'")
_E164 = re.compile(r"\+[1-9][0-9]{1,14}")


def as_text(value: str) -> str:
    return "'" + value if value.startswith(_MARKED_STARTS) else value


def as_number(number: str) -> str:
    return number if _E164.fullmatch(number) else as_text(number)


def as_read(cell: str) -> str:
    """The value `as_text` (or `as_number`) wrote."""
    return cell[1:] if cell.startswith("'") and cell[1:].startswith(_MARKED_STARTS) else cell
