"""One import service for every contact file, behind the CLI and the web page.

The rule when some lines are bad: every line is checked; a bad one is refused with
its line number, value and reason, and every good one is stored, once, in the
caller's transaction, which commits them all together (the CLI commits once at the
end). A file refused whole (too big, empty, binary, no number column, unreadable
CSV) raises `ImportRefused` before or while reading: the caller rolls back, so
nothing is half imported and nothing stored before changes.

A good line either adds a contact or updates the one it is (smsbox.contacts.store:
the same number, or with `allow_duplicates` the same name and number); a number the
file gives twice is refused on its second line, naming the first. Importing the same
file again therefore adds nothing and changes nothing.

Rows are written in batches with one multi-row insert (and one bulk update) each,
never an ORM object per row, and the file is read as a stream: 100,000 lines take a
few seconds and tens of megabytes.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field
from operator import attrgetter
from pathlib import Path
from typing import Any, NamedTuple

from sqlalchemy import ARRAY, ColumnElement, String, any_, bindparam, func, select, update
from sqlalchemy.orm import Session

from smsbox import activity, bulk_inserts
from smsbox.activity import Action, Actor
from smsbox.contacts.csv_rows import read_csv
from smsbox.contacts.details import ContactDetails, ContactRefused, check_contact
from smsbox.contacts.fields_text import FIELDS_TEXT, fields_reader
from smsbox.contacts.files import ContactFile, size_up
from smsbox.contacts.groups import add_members, group_for_import
from smsbox.contacts.lines import Entry, Rejected, shortened
from smsbox.contacts.name_search import names_indexed_at_once
from smsbox.contacts.store import update_of
from smsbox.contacts.vcards import read_vcards
from smsbox.models import Contact, utcnow

BATCH = 1000
# The table, not the mapped class: Core statements skip the ORM's work per row.
CONTACTS = Contact.__table__
PREVIEW_ROWS = 10
# What a line gives a new contact: its columns, ContactDetails' fields.
STORED = ("name", "number", "raw_number", "notes", "fields")
_STORED_VALUES = attrgetter(*STORED)

Progress = Callable[[int, int], None]


@dataclass
class ImportReport:
    file: ContactFile
    dry_run: bool
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    joined_group: int = 0
    group: str | None = None
    rejected: list[Rejected] = field(default_factory=list)
    # The first contacts as they are (or, in a dry run, would be) stored.
    preview: list[ContactDetails] = field(default_factory=list)

    @property
    def unit(self) -> str:
        """What a rejected entry's `line` counts in this file."""
        return "card" if self.file.is_vcard else "line"


@dataclass(frozen=True)
class ImportOptions:
    default_region: str
    allow_duplicates: bool
    max_bytes: int
    group: str | None = None
    dry_run: bool = False


def import_contacts(
    session: Session, path: Path, options: ImportOptions, progress: Progress | None = None
) -> ImportReport:
    """Check and store the contacts of the file at `path`; see the module for the rule."""
    contact_file = size_up(path, options.max_bytes)
    report = ImportReport(contact_file, options.dry_run, group=options.group)
    group = None
    if options.group is not None and not options.dry_run:
        group = group_for_import(session, options.group)
        report.group = group.name
    batcher = _Batcher(session, options, report, group)
    with contact_file.open_text() as text, _bulk(session, options):
        entries = (
            read_vcards(text) if contact_file.is_vcard else read_csv(text, options.default_region)
        )
        for batch in _batches(entries, report, options):
            batcher.store(batch)
            if progress is not None:
                progress(text.buffer.tell(), contact_file.size)
    return report


def _bulk(session: Session, options: ImportOptions) -> AbstractContextManager[object]:
    # One block for the whole file: each block drops and creates the insert triggers
    # again (SQLite), and FTS5 writes a new segment of the names' index at the end of
    # each savepoint, which a block per batch paid 100 times.
    return nullcontext() if options.dry_run else names_indexed_at_once(session)


def record_import(session: Session, actor: Actor, report: ImportReport) -> None:
    """The import in the activity log (smsbox.activity), in its transaction."""
    activity.record(
        session,
        Action.CONTACTS_IMPORTED,
        actor,
        report.file.path.name,
        added=report.added,
        updated=report.updated,
        unchanged=report.unchanged,
        rejected=len(report.rejected),
        group=report.group,
    )


def _batches(
    entries: Iterable[Entry | Rejected], report: ImportReport, options: ImportOptions
) -> Iterator[list[ContactDetails]]:
    """The good entries, checked, BATCH at a time; the bad ones go to the report."""
    first_line: dict[object, int] = {}
    batch: list[ContactDetails] = []
    for entry in entries:
        if isinstance(entry, Rejected):
            report.rejected.append(entry)
            continue
        try:
            details = check_contact(
                entry.name, entry.number, options.default_region, entry.notes, entry.fields
            )
        except ContactRefused as error:
            report.rejected.append(
                Rejected(entry.line, _shown(entry, error), error.template, error.values)
            )
            continue
        key = _identity(details.number, details.name, options.allow_duplicates)
        if key in first_line:
            first = {"line": first_line[key]}
            report.rejected.append(
                Rejected(entry.line, details.number, "the same contact as card %(line)s", first)
                if report.file.is_vcard
                else Rejected(
                    entry.line, details.number, "the same contact as line %(line)s", first
                )
            )
            continue
        first_line[key] = entry.line
        batch.append(details)
        if len(batch) == BATCH:
            yield batch
            batch = []
    if batch:
        yield batch


def _shown(entry: Entry, error: ContactRefused) -> str:
    return shortened(str(error.values.get("value", entry.number)))


def _identity(number: str, name: str, allow_duplicates: bool) -> object:
    return (number, name) if allow_duplicates else number


class _Stored(NamedTuple):
    """A contact already stored that a line of the file is."""

    id: int
    name: str
    number: str
    raw_number: str
    notes: str
    # Shared between contacts of the same fields (fields_text): read it only.
    fields: dict[str, str]


_STORED_COLUMNS = [CONTACTS.c[name] for name in ("id", "name", "number", "raw_number", "notes")]


class _Batcher:
    def __init__(self, session: Session, options: ImportOptions, report: ImportReport, group):  # type: ignore[no-untyped-def]
        self.session, self.options, self.report, self.group = session, options, report, group
        self.fields_of = fields_reader()

    def store(self, batch: list[ContactDetails]) -> None:
        existing = self._existing(batch)
        new: list[ContactDetails] = []
        changes: list[dict[str, Any]] = []
        member_ids: list[int] = []
        for details in batch:
            found = existing.get(
                _identity(details.number, details.name, self.options.allow_duplicates)
            )
            if found is None:
                new.append(details)
                self._show(details)
                continue
            member_ids.append(found.id)
            change = dict(update_of(found.name, found.notes, found.fields, details))
            if change:
                changes.append({"id": found.id, **change})
                self.report.updated += 1
            else:
                self.report.unchanged += 1
            self._show(
                ContactDetails(
                    change.get("name", found.name),
                    found.number,
                    found.raw_number,
                    change.get("notes", found.notes),
                    change.get("fields", found.fields),
                )
            )
        self.report.added += len(new)
        if self.options.dry_run:
            return
        if new:
            # A plain executemany: RETURNING ids in order makes SQLite insert row by row.
            bulk_inserts.insert_many(
                self.session.connection(),
                CONTACTS,
                {"created_at": utcnow()},
                STORED,
                map(_STORED_VALUES, new),
            )
        if changes:
            self.session.execute(update(Contact), changes)  # by primary key, in bulk
        if self.group is not None:
            if new:
                # Each new row is the one contact of its identity (none had it before).
                now = self._existing(batch)
                member_ids += [
                    now[_identity(details.number, details.name, self.options.allow_duplicates)].id
                    for details in new
                ]
            self.report.joined_group += add_members(self.session, self.group, member_ids)

    def _existing(self, batch: list[ContactDetails]) -> dict[object, _Stored]:
        numbers = sorted({details.number for details in batch})
        rows = self.session.execute(
            select(*_STORED_COLUMNS, FIELDS_TEXT)
            .where(_among(CONTACTS.c.number, numbers, self.session.bind.dialect.name))
            .order_by(CONTACTS.c.id.desc())
        )
        # Ordered so that the oldest contact of a number is the one matched. The custom
        # fields read as their text, each distinct one decoded once (the JSON column's
        # decoding of every row was most of re-importing a file of 100,000).
        return {
            _identity(number, name, self.options.allow_duplicates): _Stored(
                id_, name, number, raw_number, notes, self.fields_of(fields)
            )
            for id_, name, number, raw_number, notes, fields in rows
        }

    def _show(self, details: ContactDetails) -> None:
        if len(self.report.preview) < PREVIEW_ROWS:
            self.report.preview.append(details)


def _among(column: ColumnElement[str], values: list[str], dialect: str) -> ColumnElement[bool]:
    """`column IN values`, the values bound as one parameter (an array, or a JSON
    list on SQLite): a thousand parameters each rendered and processed by SQLAlchemy
    were a tenth of the CPU of storing a file's lines."""
    if dialect == "postgresql":
        return column == any_(bindparam("among", values, type_=ARRAY(String)))
    listed = func.json_each(bindparam("among", json.dumps(values))).table_valued("value")
    return column.in_(select(listed.c.value))
