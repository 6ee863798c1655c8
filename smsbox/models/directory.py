"""Contacts, groups and the STOP list: who messages go to, and who said no."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from smsbox.models.base import Base, JsonDocument, UTCDateTime, utcnow


class Contact(Base):
    """A person or place staff send to (smsbox.contacts).

    The number is not unique: `[contacts] allow_duplicates` may let two contacts share
    one (the services keep it unique otherwise). Custom fields are one JSON object of
    strings in the row: they are read and written with their contact, never queried
    on their own, and an import writes them in the same insert.
    """

    __tablename__ = "contacts"
    __table_args__ = (
        # The list's pages, by name, seeking straight to a page's cursor.
        Index("ix_contacts_name", "name", "id"),
        Index("ix_contacts_number", "number"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    number: Mapped[str] = mapped_column(String(32))
    raw_number: Mapped[str] = mapped_column(String(64))
    notes: Mapped[str] = mapped_column(Text, default="")
    fields: Mapped[dict[str, str]] = mapped_column(JsonDocument, default=dict, server_default="{}")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Group(Base):
    __tablename__ = "groups"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class GroupMembership(Base):
    __tablename__ = "group_memberships"

    group_id: Mapped[int] = mapped_column(
        ForeignKey("groups.id", ondelete="CASCADE"), primary_key=True
    )
    contact_id: Mapped[int] = mapped_column(
        ForeignKey("contacts.id", ondelete="CASCADE"), primary_key=True
    )


class OptOut(Base):
    __tablename__ = "opt_outs"

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(32), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    source_message_id: Mapped[int | None] = mapped_column(ForeignKey("messages.id"))
    # How it got here: "sms" (a keyword, `keyword` says which), "manual", "import".
    source: Mapped[str] = mapped_column(String(8), default="manual", server_default="manual")
    keyword: Mapped[str | None] = mapped_column(String(64))
    reason: Mapped[str | None] = mapped_column(Text)
    # The number asked to come back and was asked to confirm (double opt-in).
    opt_in_requested_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
