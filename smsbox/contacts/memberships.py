"""Groups' names and members on `smsbox.tables`, on a Session or a Connection alike:
the web's groups (`smsbox.contacts.groups`) and the daemon's tagging by keyword
(`smsbox.contacts.tagging`, which needs no ORM) share them."""

from __future__ import annotations

from collections.abc import Collection
from typing import TYPE_CHECKING

from sqlalchemy import func, insert, select

from smsbox.contacts.details import NAME_MAX, ContactRefused
from smsbox.tables import group_memberships, groups

if TYPE_CHECKING:
    from smsbox.webhooks.events import Executor

# Contact ids per statement: well under SQLite's 32,766 bound parameters.
BATCH = 1000


def checked_name(name: str) -> str:
    """A group's name as stored: its spaces collapsed; refused if empty or too long."""
    cleaned = " ".join(name.split())
    if not cleaned:
        raise ContactRefused("a group needs a name")
    if len(cleaned) > NAME_MAX:
        raise ContactRefused("a group name has at most %(limit)s characters", limit=NAME_MAX)
    return cleaned


def group_named(executor: Executor, name: str) -> int | None:
    """The id of the group of that name, whatever its case, if there is one."""
    return executor.scalar(
        select(groups.c.id).where(func.lower(groups.c.name) == name.lower()).limit(1)
    )


def group_for_tag(executor: Executor, name: str) -> int:
    """The id of the group of that name, made if missing."""
    cleaned = checked_name(name)
    found = group_named(executor, cleaned)
    if found is not None:
        return found
    return executor.scalar(insert(groups).values(name=cleaned).returning(groups.c.id))


def add_to_group(executor: Executor, group_id: int, contact_ids: Collection[int]) -> int:
    """Put these contacts in the group; how many were not in it already."""
    added = 0
    ids = sorted(set(contact_ids))
    for start in range(0, len(ids), BATCH):
        batch = ids[start : start + BATCH]
        present = set(
            executor.scalars(
                select(group_memberships.c.contact_id).where(
                    group_memberships.c.group_id == group_id,
                    group_memberships.c.contact_id.in_(batch),
                )
            )
        )
        new = [{"group_id": group_id, "contact_id": id_} for id_ in batch if id_ not in present]
        if new:
            executor.execute(insert(group_memberships), new)
        added += len(new)
    return added
