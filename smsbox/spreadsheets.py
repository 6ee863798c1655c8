"""Values written to a CSV file that a spreadsheet will open: a cell that starts
with `=`, `+`, `-`, `@`, a tab or a carriage return is a formula there, so such a
text is written with a leading apostrophe, which spreadsheets show as text (the
OWASP rule against CSV injection)."""

from __future__ import annotations

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def as_text(value: str) -> str:
    return "'" + value if value.startswith(FORMULA_STARTS) else value
