"""The declarative base, on the metadata of smsbox.tables: each class here is mapped
onto a `Table` declared there, without the ORM."""

from __future__ import annotations

from sqlalchemy.orm import DeclarativeBase

from smsbox.tables import JsonDocument, UTCDateTime, metadata, partial_index, utcnow

__all__ = ["Base", "JsonDocument", "UTCDateTime", "partial_index", "utcnow"]


class Base(DeclarativeBase):
    metadata = metadata
