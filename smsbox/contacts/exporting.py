"""Contacts written out, all of them or one group's, sorted by name.

- CSV: UTF-8 with a byte-order mark (so that Excel reads the accents), `,`-separated,
  every field quoted, columns name, number, notes, then every custom field (in the
  order they first appear); re-imported as it is, and
  every value written as `smsbox.spreadsheets` says, so that no cell runs as a formula.
- JSON: a list of objects with every stored value (raw number and groups too).
- vCard 3.0, one card per contact (smsbox.contacts.vcards).

Rows are streamed from the database, never all loaded at once.
"""

from __future__ import annotations

import csv
import enum
import json
from collections import defaultdict
from collections.abc import Iterator
from typing import Any, TextIO

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from smsbox.contacts.vcards import write_vcard
from smsbox.models import Contact, Group, GroupMembership
from smsbox.spreadsheets import as_number, as_text

STREAMED = 2000
CSV_COLUMNS = ("name", "number", "notes")


class ExportFormat(enum.StrEnum):
    CSV = "csv"
    JSON = "json"
    VCARD = "vcf"


def export_contacts(
    session: Session, out: TextIO, format: ExportFormat, group: Group | None = None
) -> int:
    """Write the contacts to `out` (opened with newline=""); how many were written."""
    writer = {
        ExportFormat.CSV: _write_csv,
        ExportFormat.JSON: _write_json,
        ExportFormat.VCARD: _write_vcards,
    }[format]
    return writer(session, out, group)


CONTACTS = Contact.__table__
MEMBERSHIPS = GroupMembership.__table__


def _chosen(statement: Select, group: Group | None) -> Select:
    # Table columns, not mapped attributes: the rows come back as Core rows, without
    # the ORM's work per row.
    if group is not None:
        statement = statement.join(MEMBERSHIPS, MEMBERSHIPS.c.contact_id == CONTACTS.c.id).where(
            MEMBERSHIPS.c.group_id == group.id
        )
    return statement.order_by(CONTACTS.c.name, CONTACTS.c.id).execution_options(yield_per=STREAMED)


def _rows(session: Session, group: Group | None) -> Iterator[Any]:
    columns = ("id", "name", "number", "raw_number", "notes", "fields")
    yield from session.execute(_chosen(select(*(CONTACTS.c[name] for name in columns)), group))


def _write_csv(session: Session, out: TextIO, group: Group | None) -> int:
    # The columns of the custom fields, in the order they first appear.
    keys: dict[str, None] = {}
    for fields in session.scalars(_chosen(select(CONTACTS.c.fields), group)):
        keys.update(dict.fromkeys(fields))
    out.write("\ufeff")
    # Every field quoted: a `;` or tab inside a value can then never look like the
    # separator to the importer's guess.
    writer = csv.writer(out, lineterminator="\r\n", quoting=csv.QUOTE_ALL)
    writer.writerow([as_text(column) for column in (*CSV_COLUMNS, *keys)])
    written = 0
    for row in _rows(session, group):
        writer.writerow(
            [
                as_text(row.name),
                as_number(row.number),
                as_text(row.notes),
                *(as_text(row.fields.get(key, "")) for key in keys),
            ]
        )
        written += 1
    return written


def _groups_of_contacts(session: Session) -> dict[int, list[str]]:
    groups: dict[int, list[str]] = defaultdict(list)
    for contact_id, name in session.execute(
        select(GroupMembership.contact_id, Group.name)
        .join(Group, Group.id == GroupMembership.group_id)
        .order_by(Group.name)
    ):
        groups[contact_id].append(name)
    return groups


def _write_json(session: Session, out: TextIO, group: Group | None) -> int:
    groups = _groups_of_contacts(session)
    out.write("[")
    written = 0
    for row in _rows(session, group):
        record = {
            "name": row.name,
            "number": row.number,
            "raw_number": row.raw_number,
            "notes": row.notes,
            "fields": row.fields,
            "groups": groups.get(row.id, []),
        }
        out.write(("\n  " if not written else ",\n  ") + json.dumps(record, ensure_ascii=False))
        written += 1
    out.write("\n]\n" if written else "]\n")
    return written


def _write_vcards(session: Session, out: TextIO, group: Group | None) -> int:
    written = 0
    for row in _rows(session, group):
        out.write(write_vcard(row.name, row.number, row.notes, row.fields))
        written += 1
    return written
