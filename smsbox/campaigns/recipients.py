"""Who a campaign goes to: the members of its groups and its loose numbers, each
number once, those on the STOP list set aside.

A loose number that is a contact's is that contact (its name fills `{name}`); two
entries with the same number (a contact in two groups, two contacts sharing a number,
a loose number also in a group) are one recipient, the first one met: groups in the
order given, then the loose numbers.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType
from typing import NamedTuple

from sqlalchemy import func, literal, select
from sqlalchemy.orm import Session

from smsbox.contacts.fields_text import FIELDS_TEXT, fields_reader
from smsbox.contacts.groups import BATCH
from smsbox.models import Contact, Group, GroupMembership, OptOut
from smsbox.numbers import to_e164
from smsbox.refusals import Refusal

CONTACTS = Contact.__table__
MEMBERSHIPS = GroupMembership.__table__


class RecipientsRefused(Refusal):
    """Recipients that cannot make a campaign; nothing was queued."""


class Recipient(NamedTuple):
    # A tuple, not a dataclass: a frozen dataclass's __init__ was a tenth of the CPU of
    # queueing a campaign of 100,000.
    number: str
    raw_number: str
    # Empty for a number that is nobody's contact.
    name: str = ""
    # Shared, never changed: read it only.
    fields: Mapping[str, str] = MappingProxyType({})


@dataclass(frozen=True)
class Recipients:
    reachable: list[Recipient]
    opted_out: int
    duplicates: int

    @property
    def field_names(self) -> set[str]:
        # Recipients of the same fields share one mapping: each read once.
        shared = {id(recipient.fields): recipient.fields for recipient in self.reachable}
        return {name for fields in shared.values() for name in fields}


def resolve(
    session: Session,
    groups: Sequence[Group],
    numbers: Iterable[str],
    default_region: str,
    *,
    with_fields: bool = True,
) -> Recipients:
    """The recipients of these groups and loose numbers (InvalidNumber for a loose one
    that is no number; RecipientsRefused when nobody is left to send to). Without
    `with_fields` the group members' custom fields are not read: decoding their JSON
    is most of the reading, needless for a text without placeholders."""
    listed = [
        *_members(session, groups, with_fields),
        *_loose(session, numbers, default_region),
    ]
    unique: dict[str, Recipient] = {}
    for recipient in listed:
        unique.setdefault(recipient.number, recipient)
    stopped = _opted_out(session, unique)
    reachable = [recipient for number, recipient in unique.items() if number not in stopped]
    if not reachable:
        if not listed:
            raise RecipientsRefused("these groups have no members and no number was given")
        raise RecipientsRefused(
            "nobody to send to: all %(count)d recipient(s) are on the STOP list",
            count=len(unique),
        )
    return Recipients(reachable, len(stopped), len(listed) - len(unique))


def _members(session: Session, groups: Sequence[Group], with_fields: bool) -> list[Recipient]:
    if not groups:
        return []
    order = {group.id: position for position, group in enumerate(groups)}
    # Table columns, not mapped attributes: Core rows, without the ORM's loading per row.
    rows = session.execute(
        select(
            MEMBERSHIPS.c.group_id,
            CONTACTS.c.number,
            CONTACTS.c.raw_number,
            CONTACTS.c.name,
            FIELDS_TEXT if with_fields else literal("{}"),
        )
        .join(CONTACTS, CONTACTS.c.id == MEMBERSHIPS.c.contact_id)
        .where(MEMBERSHIPS.c.group_id.in_(list(order)))
        # The membership's contact_id, the contact's id by the join: for one group the
        # rows come in that order from the membership key, where ordering by the
        # contact's id sorted them all again (a temporary B-tree on SQLite).
        .order_by(MEMBERSHIPS.c.contact_id)
    ).all()
    if len(order) > 1:
        rows.sort(key=lambda row: order[row.group_id])  # stable: by contact within a group
    fields_of = fields_reader()
    return [
        Recipient(number, raw_number, name, fields_of(fields))
        for _, number, raw_number, name, fields in rows
    ]


def _loose(session: Session, numbers: Iterable[str], default_region: str) -> list[Recipient]:
    typed = [(to_e164(raw, default_region), raw.strip()) for raw in numbers if raw.strip()]
    contacts = {}
    wanted = sorted({number for number, _ in typed})
    for start in range(0, len(wanted), BATCH):
        oldest = (
            select(func.min(Contact.id))
            .where(Contact.number.in_(wanted[start : start + BATCH]))
            .group_by(Contact.number)
        )
        for contact in session.scalars(select(Contact).where(Contact.id.in_(oldest))):
            contacts[contact.number] = contact
    recipients = []
    for number, raw in typed:
        contact = contacts.get(number)
        if contact is None:
            recipients.append(Recipient(number, raw))
        else:
            recipients.append(Recipient(number, raw, contact.name, contact.fields or {}))
    return recipients


def _opted_out(session: Session, numbers: Iterable[str]) -> set[str]:
    # The whole STOP list in one read: far smaller than a campaign's recipients, and
    # one query instead of one per thousand numbers.
    stop_list = set(session.scalars(select(OptOut.number)))
    return {number for number in numbers if number in stop_list}


@dataclass(frozen=True)
class GroupReach:
    id: int
    name: str
    members: int
    # Members on the STOP list: a send to the group skips them.
    opted_out: int


def group_reach(session: Session) -> list[GroupReach]:
    """Every group by name, with its members and how many of them are opted out."""
    rows = session.execute(
        select(Group.id, Group.name, func.count(Contact.id), func.count(OptOut.id))
        .outerjoin(GroupMembership, GroupMembership.group_id == Group.id)
        .outerjoin(Contact, Contact.id == GroupMembership.contact_id)
        .outerjoin(OptOut, OptOut.number == Contact.number)
        .group_by(Group.id, Group.name)
        .order_by(Group.name)
    )
    return [GroupReach(*row) for row in rows]
