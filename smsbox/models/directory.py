"""Contacts, groups and the STOP list (smsbox.tables.directory)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Mapped

from smsbox import tables
from smsbox.models.base import Base


class Contact(Base):
    __table__ = tables.contacts

    id: Mapped[int]
    name: Mapped[str]
    number: Mapped[str]
    raw_number: Mapped[str]
    notes: Mapped[str]
    fields: Mapped[dict[str, str]]
    created_at: Mapped[datetime]


class Group(Base):
    __table__ = tables.groups

    id: Mapped[int]
    name: Mapped[str]
    created_at: Mapped[datetime]


class GroupMembership(Base):
    __table__ = tables.group_memberships

    group_id: Mapped[int]
    contact_id: Mapped[int]


class OptOut(Base):
    __table__ = tables.opt_outs

    id: Mapped[int]
    number: Mapped[str]
    created_at: Mapped[datetime]
    source_message_id: Mapped[int | None]
    source: Mapped[str]
    keyword: Mapped[str | None]
    reason: Mapped[str | None]
    opt_in_requested_at: Mapped[datetime | None]
