"""The trigram index over the contacts' names (smsbox.trigram_indexes): a search by
name at 100,000 contacts read every name (39 ms of CPU, `lower(name) LIKE '%…%'`).
`contact_names` on SQLite, which the search asks for candidates; a GIN index on
`contacts.name` on PostgreSQL, which its ILIKE uses by itself.

Created by migration 0029_contact_names, and its triggers again after every migration
(migrations/env.py), as the conversations' are.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import ColumnElement, Connection, func, select
from sqlalchemy.orm import Session

from smsbox import bulk_inserts
from smsbox.models import Contact
from smsbox.trigram_indexes import TrigramIndex, indexable

CONTACT_NAMES = TrigramIndex(
    table="contacts",
    column="name",
    row_key="id",
    fts_table="contact_names",
    gin_index="ix_contacts_name_trigrams",
    skips_bulk=True,
)


def name_holding(session: Session, search: str) -> ColumnElement[bool]:
    """Contacts whose name holds `search` whatever its case, through the index where it
    helps: its candidates, then the plain condition on them (smsbox.trigram_indexes)."""
    plain = Contact.name.icontains(search, autoescape=True)
    if session.bind.dialect.name != "sqlite" or not indexable(search):
        return plain
    return Contact.id.in_(CONTACT_NAMES.rows_holding(search)) & plain


@contextmanager
def names_indexed_at_once(session: Session) -> Iterator[Connection]:
    """For a block inserting many contacts: their names indexed by one statement at its
    end instead of a trigger per row (smsbox.bulk_inserts), which had made an import
    of 100,000 contacts take 4 s more. The new rows are those past the highest id
    before: a new rowid is one more than the highest."""
    with bulk_inserts.triggers_off(session) as connection:
        highest = connection.scalar(select(func.max(Contact.id))) or 0
        yield connection
        CONTACT_NAMES.index_rows(connection, "id > :highest", {"highest": highest})
