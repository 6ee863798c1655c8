"""Contacts in groups, stored in bulk, for the campaign tests."""

from __future__ import annotations

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from smsbox.contacts.groups import create_group
from smsbox.models import Contact, Group, GroupMembership


def number_of(index: int) -> str:
    return f"+3361{index:07d}"


def add_contacts(session: Session, indexes: range, **fields: str) -> list[int]:
    """A contact per index, "Contact <index>" at number_of(index); their ids."""
    session.execute(
        insert(Contact),
        [
            {
                "name": f"Contact {index}",
                "number": number_of(index),
                "raw_number": number_of(index),
                "notes": "",
                "fields": dict(fields),
            }
            for index in indexes
        ],
    )
    numbers = [number_of(index) for index in indexes]
    return list(
        session.scalars(select(Contact.id).where(Contact.number.in_(numbers)).order_by(Contact.id))
    )


def group_of(session: Session, name: str, contact_ids: list[int]) -> Group:
    group = create_group(session, name)
    session.execute(
        insert(GroupMembership), [{"group_id": group.id, "contact_id": id_} for id_ in contact_ids]
    )
    return group
