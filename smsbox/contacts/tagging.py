"""Tags set by a keyword: a number that texts one of the account's own keywords joins
that keyword's group (made when missing). A number no contact has becomes a contact
named by its number, for staff to name later. Core statements on `smsbox.tables`, on
a Session or a Connection alike: the daemon tags without the ORM."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import insert, select

from smsbox.contacts.details import contact_number
from smsbox.contacts.memberships import add_to_group, group_for_tag
from smsbox.tables import contacts

if TYPE_CHECKING:
    from smsbox.webhooks.events import Executor


def tag_number(executor: Executor, raw_number: str, group_name: str, *, region: str) -> list[int]:
    """Put every contact of the number in the group (ContactRefused for a sender that
    is no phone number, such as "ORANGE"); the ids of the contacts tagged."""
    number = contact_number(raw_number, region)
    tagged = list(executor.scalars(select(contacts.c.id).where(contacts.c.number == number)))
    if not tagged:
        new = insert(contacts).values(name=number, number=number, raw_number=raw_number.strip())
        tagged = [executor.scalar(new.returning(contacts.c.id))]
    add_to_group(executor, group_for_tag(executor, group_name), tagged)
    return tagged
