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
import functools
import io
import json
from collections import defaultdict
from collections.abc import Generator, Iterator, Sequence
from typing import TextIO

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
GROUPS = Group.__table__


def _chosen(statement: Select, group: Group | None) -> Select:
    # Table columns, not mapped attributes: the rows come back as Core rows, without
    # the ORM's work per row.
    if group is not None:
        statement = statement.join(MEMBERSHIPS, MEMBERSHIPS.c.contact_id == CONTACTS.c.id).where(
            MEMBERSHIPS.c.group_id == group.id
        )
    return statement.order_by(CONTACTS.c.name, CONTACTS.c.id).execution_options(yield_per=STREAMED)


# Each row: id, name, number, raw_number, notes, the custom fields' JSON text.
_Rows = Iterator[Sequence[tuple[int, str, str, str, str, str]]]


def _row_batches(session: Session, group: Group | None) -> _Rows:
    """The rows, STREAMED at a time: a list each, not a row at a time through the
    result's iteration."""
    columns = [CONTACTS.c[name] for name in ("id", "name", "number", "raw_number", "notes")]
    return session.execute(_chosen(select(*columns, FIELDS_TEXT), group)).partitions()


def _csv_chunks(session: Session, group: Group | None) -> Chunks:
    fields_of = fields_reader()
    # The columns of the custom fields, in the order they first appear.
    keys: dict[str, object] = {}
    for text in session.scalars(_chosen(select(FIELDS_TEXT), group)):
        keys.update(fields_of(text))

    # The custom fields' cells of the contacts of one JSON text, written once for all.
    @functools.lru_cache(maxsize=1024)
    def field_cells(text: str) -> tuple[str, ...]:
        fields = fields_of(text)
        return tuple(as_text(fields.get(key, "")) for key in keys)

    buffer = io.StringIO()
    # Every field quoted: a `;` or tab inside a value can then never look like the
    # separator to the importer's guess.
    writer = csv.writer(buffer, lineterminator="\r\n", quoting=csv.QUOTE_ALL)
    writer.writerow([as_text(column) for column in (*CSV_COLUMNS, *keys)])
    yield "\ufeff" + _taken(buffer)
    written = 0
    for rows in _row_batches(session, group):
        writer.writerows(
            (as_text(name), as_number(number), as_text(notes), *field_cells(fields))
            for _, name, number, _, notes, fields in rows
        )
        written += len(rows)
        yield _taken(buffer)
    return written


def _taken(buffer: io.StringIO) -> str:
    """What was written to `buffer` since last taken."""
    text = buffer.getvalue()
    buffer.seek(0)
    buffer.truncate()
    return text


def _groups_of_contacts(session: Session) -> dict[int, str]:
    """Each contact's groups as a JSON list, by contact id; written once for each
    distinct list."""
    groups: dict[int, list[str]] = defaultdict(list)
    memberships = session.execute(
        select(MEMBERSHIPS.c.contact_id, GROUPS.c.name)
        .join(GROUPS, GROUPS.c.id == MEMBERSHIPS.c.group_id)
        .order_by(GROUPS.c.name)
    )
    for rows in memberships.partitions(STREAMED):
        for contact_id, name in rows:
            groups[contact_id].append(name)
    as_json = functools.lru_cache(maxsize=1024)(
        lambda names: json.dumps(list(names), ensure_ascii=False)
    )
    return {contact: as_json(tuple(names)) for contact, names in groups.items()}


# A JSON string as json.dumps(..., ensure_ascii=False) writes it.
_string = json.encoder.encode_basestring  # type: ignore[attr-defined]


def _json_chunks(session: Session, group: Group | None) -> Chunks:
    """Each record as json.dumps(record, ensure_ascii=False) writes it, put together
    from its values' JSON: the custom fields' once per distinct text, each contact's
    groups once (json.dumps of every record was most of the export's CPU)."""
    groups = _groups_of_contacts(session)
    fields_of = fields_reader()
    fields_json = functools.lru_cache(maxsize=1024)(
        lambda text: json.dumps(fields_of(text), ensure_ascii=False)
    )
    yield "["
    written = 0
    for rows in _row_batches(session, group):
        records = [
            f'{{"name": {_string(name)}, "number": {_string(number)}, '
            f'"raw_number": {_string(raw_number)}, "notes": {_string(notes)}, '
            f'"fields": {fields_json(fields)}, "groups": {groups.get(id_, "[]")}}}'
            for id_, name, number, raw_number, notes, fields in rows
        ]
        yield ("\n  " if not written else ",\n  ") + ",\n  ".join(records)
        written += len(rows)
    yield "\n]\n" if written else "]\n"
    return written


def _vcard_chunks(session: Session, group: Group | None) -> Chunks:
    written = 0
    fields_of = fields_reader()
    for rows in _row_batches(session, group):
        for _, name, number, _, notes, fields in rows:
            yield write_vcard(name, number, notes, fields_of(fields))
        written += len(rows)
    return written
