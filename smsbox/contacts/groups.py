"""Groups of contacts: a contact may be in any number of them. Names are unique
whatever their case ("Clients" and "clients" would be two groups nobody tells apart)."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from smsbox.contacts.details import ContactRefused
from smsbox.contacts.memberships import BATCH, add_to_group, checked_name
from smsbox.models import Group, GroupMembership


@dataclass(frozen=True)
class GroupSummary:
    id: int
    name: str
    members: int


def _named(session: Session, name: str) -> Group | None:
    return session.scalars(
        select(Group).where(func.lower(Group.name) == name.lower()).limit(1)
    ).first()


def get_group(session: Session, name: str) -> Group:
    group = _named(session, name.strip())
    if group is None:
        raise ContactRefused("there is no group named “%(name)s”", name=name.strip())
    return group


def group_by_id(session: Session, group_id: int) -> Group:
    group = session.get(Group, group_id)
    if group is None:
        raise ContactRefused("there is no group %(id)s", id=group_id)
    return group


def new_group_name(session: Session, name: str) -> str:
    """`name` as a new group would have it; refused if taken or unfit."""
    cleaned = checked_name(name)
    if _named(session, cleaned) is not None:
        raise ContactRefused("a group named “%(name)s” exists already", name=cleaned)
    return cleaned


def create_group(session: Session, name: str) -> Group:
    group = Group(name=new_group_name(session, name))
    session.add(group)
    session.flush()
    return group


def group_for_import(session: Session, name: str) -> Group:
    """The group an import fills: the one of that name, else a new one."""
    return _named(session, checked_name(name)) or create_group(session, name)


def rename_group(session: Session, name: str, new_name: str) -> Group:
    group = get_group(session, name)
    cleaned = checked_name(new_name)
    other = _named(session, cleaned)
    if other is not None and other.id != group.id:
        raise ContactRefused("a group named “%(name)s” exists already", name=cleaned)
    group.name = cleaned
    session.flush()
    return group


def delete_group(session: Session, name: str) -> int:
    """Delete the group (its contacts stay); how many members it had."""
    group = get_group(session, name)
    members = session.execute(
        delete(GroupMembership).where(GroupMembership.group_id == group.id)
    ).rowcount
    session.delete(group)
    session.flush()
    return members


def list_groups(session: Session) -> list[GroupSummary]:
    members = func.count(GroupMembership.contact_id)
    rows = session.execute(
        select(Group.id, Group.name, members)
        .outerjoin(GroupMembership, GroupMembership.group_id == Group.id)
        .group_by(Group.id, Group.name)
        .order_by(Group.name)
    )
    return [GroupSummary(id_, name, count) for id_, name, count in rows]


def all_groups(session: Session) -> list[Group]:
    """Every group by name, without counting members (a menu of groups)."""
    return list(session.scalars(select(Group).order_by(Group.name)))


def summary_of(session: Session, group: Group) -> GroupSummary:
    members = session.scalar(
        select(func.count())
        .select_from(GroupMembership)
        .where(GroupMembership.group_id == group.id)
    )
    return GroupSummary(group.id, group.name, members or 0)


def add_members(session: Session, group: Group, contact_ids: Collection[int]) -> int:
    """Put these contacts in the group; how many were not in it already."""
    return add_to_group(session, group.id, contact_ids)


def remove_members(session: Session, group: Group, contact_ids: Collection[int]) -> int:
    """Take these contacts out of the group; how many were in it."""
    removed = 0
    ids = sorted(set(contact_ids))
    for start in range(0, len(ids), BATCH):
        removed += session.execute(
            delete(GroupMembership).where(
                GroupMembership.group_id == group.id,
                GroupMembership.contact_id.in_(ids[start : start + BATCH]),
            )
        ).rowcount
    return removed
