"""CSV files as spreadsheets and other platforms write them, read line by line.

- The separator is `,`, `;` or tab: the one that splits the first lines into the same
  number of fields, most of them (csv.Sniffer guesses wrong on short files and on
  commas inside names).
- A header is recognised by a number column named in French or English (téléphone,
  mobile, portable, numéro, phone, number...), or by having no phone number in it at
  all (then a header without a number column is refused, naming what it should say).
  The name is a full-name column (name, nom complet...), else first and last name put
  together (both also kept as custom fields, for `{prénom}`), else the one of them
  there is. Every further column is kept as a custom field under its header.
- Without a header a line is `name,number` (or `number,name`, as the first line
  shows; or a number alone).
- Every value goes through `smsbox.spreadsheets.as_read`, so that an exported file comes back
  as it went out.
"""

from __future__ import annotations

import csv
import io
import operator
import unicodedata
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass

from smsbox.contacts.details import FIELDS_MAX, ContactRefused, contact_number, field_name
from smsbox.contacts.files import ImportRefused
from smsbox.contacts.lines import Entry, Rejected, shortened
from smsbox.spreadsheets import as_read

SEPARATORS = (";", ",", "\t")
_QUOTED = operator.methodcaller("startswith", "'")
SNIFFED_LINES = 20
# Column names as `_label` folds them.
MOBILE_COLUMNS = frozenset(
    [
        "mobile",
        "portable",
        "telephoneportable",
        "telportable",
        "numeroportable",
        "numerodeportable",
        "numeromobile",
        "mobilephone",
        "mobilenumber",
        "phonemobile",
        "cell",
        "cellphone",
        "cellular",
        "gsm",
        "msisdn",
    ]
)
NUMBER_COLUMNS = MOBILE_COLUMNS | frozenset(
    [
        "telephone",
        "tel",
        "phone",
        "phonenumber",
        "numero",
        "numerodetelephone",
        "numerotelephone",
        "numtel",
        "number",
        "telephone1",
        "phone1",
        "phone1value",
    ]
)
FULL_NAME_COLUMNS = frozenset(
    [
        "name",
        "fullname",
        "nomcomplet",
        "nomprenom",
        "prenomnom",
        "nometprenom",
        "prenometnom",
        "displayname",
        "contact",
        "contactname",
        "nomducontact",
    ]
)
FIRST_NAME_COLUMNS = frozenset(["prenom", "firstname", "givenname"])
LAST_NAME_COLUMNS = frozenset(["nom", "lastname", "surname", "familyname", "nomdefamille"])
NOTES_COLUMNS = frozenset(
    ["notes", "note", "remarques", "remarque", "commentaire", "commentaires", "comment", "comments"]
)
# The columns smsbox's own export writes first come first, whatever custom field
# another column is (a custom field "Mobile" stays a custom field).
OWN_NAME, OWN_NUMBER, OWN_NOTES = (frozenset([column]) for column in ("name", "number", "notes"))
EXPECTED_NUMBER_COLUMN = "téléphone, mobile, portable, numéro, phone or number"


def _label(header: str) -> str:
    decomposed = unicodedata.normalize("NFKD", header)
    return "".join(char for char in decomposed.casefold() if char.isalnum())


def _trimmed(record: list[str]) -> list[str]:
    """Without the empty fields a trailing separator leaves."""
    end = len(record)
    while end and not record[end - 1].strip():
        end -= 1
    return record[:end]


def guess_separator(sample: str) -> str:
    """The separator that splits the sample's lines into the same number of fields
    most often, then into the most. Counted as the lines are, and without the empty
    fields they end with, whichever agrees better: an export writes every column on
    every line, a spreadsheet may leave the empty last ones out; counted only
    trimmed, an export whose last columns are mostly empty and whose notes hold tabs
    was read as split by tabs."""
    best, best_score = ",", (0.0, 0)
    for separator in SEPARATORS:
        rows = [
            row
            for row in list(csv.reader(io.StringIO(sample), delimiter=separator))[:SNIFFED_LINES]
            if _trimmed(row)
        ]
        if not rows:
            continue
        score = max(
            _agreement([len(row) for row in rows]), _agreement([len(_trimmed(row)) for row in rows])
        )
        if score[1] > 1 and score > best_score:
            best, best_score = separator, score
    return best


def _agreement(widths: list[int]) -> tuple[float, int]:
    """How often the commonest number of fields comes, and that number."""
    width, often = Counter(widths).most_common(1)[0]
    return often / len(widths), width


@dataclass(frozen=True)
class Layout:
    """Which field of a line holds what; the rest are custom fields by their name."""

    number: int
    name: tuple[int, ...]
    notes: int | None
    fields: tuple[tuple[int, str], ...]
    width: int
    header_line: int | None


def _is_number(value: str, region: str) -> bool:
    try:
        contact_number(as_read(value), region)
    except ContactRefused:
        return False
    return True


def layout_of(first: list[str], line: int, region: str) -> Layout:
    labels = [_label(as_read(cell)) for cell in first]
    if not any(label in NUMBER_COLUMNS for label in labels) and any(
        _is_number(cell, region) for cell in first
    ):
        return _headerless(first, region)
    return _from_header(first, labels, line)


def _headerless(first: list[str], region: str) -> Layout:
    if len(first) == 1:
        return Layout(0, (), None, (), 1, None)
    number_first = _is_number(first[0], region) and not _is_number(first[1], region)
    return Layout(0 if number_first else 1, (1 if number_first else 0,), None, (), 2, None)


def _first(labels: list[str], *preferred: frozenset[str]) -> int | None:
    """The first column named in the first of the `preferred` sets that names one."""
    for names in preferred:
        found = next((index for index, label in enumerate(labels) if label in names), None)
        if found is not None:
            return found
    return None


def _from_header(header: list[str], labels: list[str], line: int) -> Layout:
    shown = ", ".join(shortened(cell) for cell in header[:10])
    number = _first(labels, OWN_NUMBER, MOBILE_COLUMNS, NUMBER_COLUMNS)
    if number is None:
        raise ImportRefused(
            "the header on line %(line)s (%(columns)s) has no column of phone numbers: "
            "name it %(expected)s",
            line=line,
            columns=shown,
            expected=EXPECTED_NUMBER_COLUMN,
        )
    if len(header) > FIELDS_MAX:
        raise ImportRefused(
            "the header on line %(line)s has %(count)s columns; at most %(limit)s are read",
            line=line,
            count=len(header),
            limit=FIELDS_MAX,
        )
    full = _first(labels, OWN_NAME, FULL_NAME_COLUMNS)
    first_name, last_name = _first(labels, FIRST_NAME_COLUMNS), _first(labels, LAST_NAME_COLUMNS)
    if full is not None:
        name: tuple[int, ...] = (full,)
    elif first_name is not None and last_name is not None:
        name = (first_name, last_name)
    else:
        name = tuple(index for index in (first_name, last_name) if index is not None)
    notes = _first(labels, OWN_NOTES, NOTES_COLUMNS)
    taken = {number, notes, *(name if len(name) == 1 else ())}
    return Layout(
        number=number,
        name=name,
        notes=notes,
        fields=_custom_fields(header, taken, line),
        width=len(header),
        header_line=line,
    )


def _custom_fields(header: list[str], taken: set[int | None], line: int):  # type: ignore[no-untyped-def]
    fields, seen = [], Counter[str]()
    for index, cell in enumerate(header):
        if index in taken:
            continue
        try:
            key = field_name(as_read(cell)) if cell.strip() else f"column {index + 1}"
        except ContactRefused as error:
            raise ImportRefused(
                "the header on line %(line)s, column %(column)s: %(why)s",
                line=line,
                column=index + 1,
                why=str(error),
            ) from None
        seen[key] += 1
        fields.append((index, key if seen[key] == 1 else f"{key} ({seen[key]})"))
    return tuple(fields)


def _entry(record: list[str], line: int, layout: Layout) -> Entry | Rejected:
    """`record` with its trailing empty fields already taken off (`_trimmed`)."""
    # Only a cell that starts with a quote can be one `as_read` changes.
    values = [as_read(cell) for cell in record] if any(map(_QUOTED, record)) else record
    if len(values) > layout.width:
        shown = shortened(";".join(values))
        if layout.header_line is None:
            return Rejected(
                line,
                shown,
                "%(count)s fields; without a header line, a line holds a name and a number",
                {"count": len(values)},
            )
        return Rejected(
            line,
            shown,
            "%(count)s fields where the header on line %(header)s has %(width)s",
            {"count": len(values), "header": layout.header_line, "width": layout.width},
        )
    if len(values) < layout.width:
        values += [""] * (layout.width - len(values))
    names = [part for part in (values[index].strip() for index in layout.name) if part]
    return Entry(
        line,
        " ".join(names),
        values[layout.number],
        values[layout.notes] if layout.notes is not None else "",
        {key: values[index] for index, key in layout.fields if values[index].strip()},
    )


def read_csv(text: io.TextIOBase, region: str) -> Iterator[Entry | Rejected]:
    """Each contact line of the file, in order; blank lines are skipped."""
    separator = guess_separator(text.read(1 << 16))
    text.seek(0)
    reader = csv.reader(text, delimiter=separator)
    layout: Layout | None = None
    line = 1
    try:
        for record in reader:
            start, line = line, reader.line_num + 1
            record = _trimmed(record)
            if not record:
                continue
            if layout is None:
                layout = layout_of(record, start, region)
                if layout.header_line is not None:
                    continue
            yield _entry(record, start, layout)
    except csv.Error as error:
        raise ImportRefused(
            "line %(line)s cannot be read as CSV (%(why)s): is a quote left open?",
            line=line,
            why=str(error),
        ) from None
    if layout is None:
        raise ImportRefused("the file holds no contact: every line is blank")
