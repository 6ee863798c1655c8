"""Contacts, groups and the STOP list: who messages go to, and who said no."""

from __future__ import annotations

from sqlalchemy import Column, ForeignKey, Index, Integer, String, Table, Text

from smsbox.tables.columns import JsonDocument, UTCDateTime, metadata, utcnow

# A person or place staff send to (smsbox.contacts).
#
# The number is not unique: `[contacts] allow_duplicates` may let two contacts share
# one (the services keep it unique otherwise). Custom fields are one JSON object of
# strings in the row: they are read and written with their contact, never queried on
# their own, and an import writes them in the same insert.
contacts = Table(
    "contacts",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(200), nullable=False),
    Column("number", String(32), nullable=False),
    Column("raw_number", String(64), nullable=False),
    Column("notes", Text, nullable=False, default=""),
    Column("fields", JsonDocument, nullable=False, default=dict, server_default="{}"),
    Column("created_at", UTCDateTime, nullable=False, default=utcnow),
    # The list's pages, by name, seeking straight to a page's cursor.
    Index("ix_contacts_name", "name", "id"),
    Index("ix_contacts_number", "number"),
)

groups = Table(
    "groups",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(200), nullable=False, unique=True),
    Column("created_at", UTCDateTime, nullable=False, default=utcnow),
)

group_memberships = Table(
    "group_memberships",
    metadata,
    Column("group_id", Integer, ForeignKey("groups.id", ondelete="CASCADE"), primary_key=True),
    Column("contact_id", Integer, ForeignKey("contacts.id", ondelete="CASCADE"), primary_key=True),
)

opt_outs = Table(
    "opt_outs",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("number", String(32), nullable=False, unique=True),
    Column("created_at", UTCDateTime, nullable=False, default=utcnow),
    Column("source_message_id", Integer, ForeignKey("messages.id")),
    # How it got here: "sms" (a keyword, `keyword` says which), "manual", "import".
    Column("source", String(8), nullable=False, default="manual", server_default="manual"),
    Column("keyword", String(64)),
    Column("reason", Text),
    # The number asked to come back and was asked to confirm (double opt-in).
    Column("opt_in_requested_at", UTCDateTime),
)
