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
import io
import json
from collections import defaultdict
from collections.abc import Generator, Iterator
from typing import NamedTuple, TextIO

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from smsbox import activity
from smsbox.activity import Action, Actor
from smsbox.contacts.fields_text import FIELDS_TEXT, fields_reader
from smsbox.contacts.groups import summary_of
from smsbox.contacts.vcards import write_vcard
from smsbox.models import Contact, Group, GroupMembership
from smsbox.spreadsheets import as_number, as_text

STREAMED = 2000
CSV_COLUMNS = ("name", "number", "notes")


class ExportFormat(enum.StrEnum):
    CSV = "csv"
    JSON = "json"
    VCARD = "vcf"


# Text pieces of the file, then how many contacts they held (the generator's return).
Chunks = Generator[str, None, int]


def export_contacts(
    session: Session, out: TextIO, format: ExportFormat, group: Group | None = None
) -> int:
    """Write the contacts to `out` (opened with newline=""); how many were written."""
    chunks = export_chunks(session, format, group)
    while True:
        try:
            out.write(next(chunks))
        except StopIteration as end:
            return end.value


def export_chunks(session: Session, format: ExportFormat, group: Group | None = None) -> Chunks:
    """The file in pieces, for a download streamed as the rows are read."""
    writer = {
        ExportFormat.CSV: _csv_chunks,
        ExportFormat.JSON: _json_chunks,
        ExportFormat.VCARD: _vcard_chunks,
    }[format]
    return writer(session, group)


def record_export(
    session: Session, actor: Actor, format: ExportFormat, group: Group | None = None
) -> int:
    """The export about to be written, in the activity log: how many contacts it holds."""
    count = count_contacts(session, group)
    activity.record(
        session,
        Action.CONTACTS_EXPORTED,
        actor,
        group.name if group else None,
        format=str(format),
        count=count,
    )
    return count


def count_contacts(session: Session, group: Group | None = None) -> int:
    """How many contacts an export of `group` (None: all) holds."""
    if group is None:
        return session.scalar(select(func.count()).select_from(CONTACTS)) or 0
    return summary_of(session, group).members


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


class _Row(NamedTuple):
    id: int
    name: str
    number: str
    raw_number: str
    notes: str
    fields: dict[str, str]


def _rows(session: Session, group: Group | None) -> Iterator[_Row]:
    columns = [CONTACTS.c[name] for name in ("id", "name", "number", "raw_number", "notes")]
    fields_of = fields_reader()
    for *values, fields in session.execute(_chosen(select(*columns, FIELDS_TEXT), group)):
        yield _Row(*values, fields_of(fields))


def _csv_chunks(session: Session, group: Group | None) -> Chunks:
    # The columns of the custom fields, in the order they first appear.
    keys: dict[str, None] = {}
    fields_of = fields_reader()
    for fields in session.scalars(_chosen(select(FIELDS_TEXT), group)):
        keys.update(dict.fromkeys(fields_of(fields)))
    buffer = io.StringIO()
    # Every field quoted: a `;` or tab inside a value can then never look like the
    # separator to the importer's guess.
    writer = csv.writer(buffer, lineterminator="\r\n", quoting=csv.QUOTE_ALL)
    writer.writerow([as_text(column) for column in (*CSV_COLUMNS, *keys)])
    yield "\ufeff" + _taken(buffer)
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
        if written % STREAMED == 0:
            yield _taken(buffer)
    yield _taken(buffer)
    return written


def _taken(buffer: io.StringIO) -> str:
    """What was written to `buffer` since last taken."""
    text = buffer.getvalue()
    buffer.seek(0)
    buffer.truncate()
    return text


def _groups_of_contacts(session: Session) -> dict[int, list[str]]:
    groups: dict[int, list[str]] = defaultdict(list)
    for contact_id, name in session.execute(
        select(GroupMembership.contact_id, Group.name)
        .join(Group, Group.id == GroupMembership.group_id)
        .order_by(Group.name)
    ):
        groups[contact_id].append(name)
    return groups


def _json_chunks(session: Session, group: Group | None) -> Chunks:
    groups = _groups_of_contacts(session)
    yield "["
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
        yield ("\n  " if not written else ",\n  ") + json.dumps(record, ensure_ascii=False)
        written += 1
    yield "\n]\n" if written else "]\n"
    return written


def _vcard_chunks(session: Session, group: Group | None) -> Chunks:
    written = 0
    for row in _rows(session, group):
        yield write_vcard(row.name, row.number, row.notes, row.fields)
        written += 1
    return written
