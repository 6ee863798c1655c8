"""What the send form offers as a person types in a number field: the contacts whose
name or number holds the text, and the groups whose name does, a few of each."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from smsbox.contacts.store import SEARCH_MAX, find_contacts
from smsbox.models import Group, GroupMembership

# Fewer letters match too much of a large address book to help.
MIN_LETTERS = 2
LIMIT = 10


@dataclass(frozen=True)
class Suggestions:
    # (name, number) and (group id, name, members), each LIMIT at most.
    contacts: list[tuple[str, str]]
    groups: list[tuple[int, str, int]]


def suggest(session: Session, typed: str, limit: int = LIMIT) -> Suggestions:
    text = typed.strip()[:SEARCH_MAX]
    if len(text) < MIN_LETTERS:
        return Suggestions([], [])
    contacts = find_contacts(session, search=text, limit=limit).contacts
    members = func.count(GroupMembership.contact_id)
    groups = session.execute(
        select(Group.id, Group.name, members)
        .outerjoin(GroupMembership, GroupMembership.group_id == Group.id)
        .where(Group.name.icontains(text, autoescape=True))
        .group_by(Group.id, Group.name)
        .order_by(Group.name)
        .limit(limit)
    ).all()
    return Suggestions(
        [(contact.name, contact.number) for contact in contacts],
        [(id_, name, count) for id_, name, count in groups],
    )
