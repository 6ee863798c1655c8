"""Contacts one at a time, and the list page by page.

With `[contacts] allow_duplicates` off (the default) a number belongs to one contact:
adding a number already there updates that contact instead. On, a contact is the same
one only when its name and number both match (smsbox.contacts.importing keeps the
same rule for files). An update replaces the name, and the notes and each custom
field that it gives a value; what it leaves empty is kept, so that a file with fewer
columns than the contacts have erases nothing.

Pages are found by keyset, never OFFSET: sorted by (name, id), a cursor is the id of
the last contact shown and the next page starts right after it through the index on
(name, id). A deep page costs what the first one does.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import ColumnElement, and_, delete, func, or_, select
from sqlalchemy.orm import Session, aliased

from smsbox.contacts.details import ContactDetails, ContactRefused
from smsbox.contacts.name_search import name_holding
from smsbox.models import Contact, GroupMembership

PAGE_SIZE_MAX = 500
SEARCH_MAX = 200
_NOT_DIGITS = re.compile(r"\D")
# A search written like (part of) a phone number also looks among the numbers.
_NUMBER_LIKE = re.compile(r"\+?[\d\s.()/-]*\d[\d\s.()/-]*")


@dataclass(frozen=True)
class ContactPage:
    contacts: list[Contact]
    # The cursor of the page after this one; None on the last page.
    next_cursor: int | None


# Made once: an alias made at each call cost 0.4 ms of CPU, a list page's every request.
_SHARING = aliased(Contact, name="sharing")


def naming(number: ColumnElement[str]) -> ColumnElement[bool]:
    """How a list joins the contact that names `number`: its oldest one, so that a
    number that `allow_duplicates` let several contacts share is still one row."""
    oldest = select(func.min(_SHARING.id)).where(_SHARING.number == number).scalar_subquery()
    return and_(Contact.number == number, Contact.id == oldest)


def same_contact(session: Session, details: ContactDetails, allow_duplicates: bool):
    """The stored contact `details` would update instead of adding one, if any."""
    statement = select(Contact).where(Contact.number == details.number)
    if allow_duplicates:
        statement = statement.where(Contact.name == details.name)
    return session.scalars(statement.order_by(Contact.id).limit(1)).first()


def save_contact(
    session: Session, details: ContactDetails, *, allow_duplicates: bool
) -> tuple[Contact, bool]:
    """Add the contact, or update the one it is (see the module): (contact, added)."""
    existing = same_contact(session, details, allow_duplicates)
    if existing is not None:
        for key, value in update_of(existing.name, existing.notes, existing.fields, details):
            setattr(existing, key, value)
        session.flush()
        return existing, False
    contact = Contact(
        name=details.name,
        number=details.number,
        raw_number=details.raw_number,
        notes=details.notes,
        fields=dict(details.fields),
    )
    session.add(contact)
    session.flush()
    return contact, True


def update_of(
    name: str, notes: str, fields: dict[str, str], details: ContactDetails
) -> list[tuple[str, object]]:
    """What `details` changes in a stored contact (see the module); [] if nothing."""
    changes: list[tuple[str, object]] = []
    if details.name != name:
        changes.append(("name", details.name))
    if details.notes and details.notes != notes:
        changes.append(("notes", details.notes))
    merged = {**fields, **details.fields}
    if merged != fields:
        changes.append(("fields", merged))
    return changes


def edit_contact(
    session: Session, contact_id: int, details: ContactDetails, *, allow_duplicates: bool
) -> Contact:
    contact = get_contact(session, contact_id)
    other = same_contact(session, details, allow_duplicates)
    if other is not None and other.id != contact.id:
        raise ContactRefused(
            "%(number)s is already the number of “%(name)s”",
            number=details.number,
            name=other.name,
        )
    # Edited by hand: every value is as given, emptied ones included.
    if contact.number != details.number:
        contact.number, contact.raw_number = details.number, details.raw_number
    contact.name = details.name
    contact.notes = details.notes
    contact.fields = dict(details.fields)
    session.flush()
    return contact


def get_contact(session: Session, contact_id: int) -> Contact:
    contact = session.get(Contact, contact_id)
    if contact is None:
        raise ContactRefused("there is no contact %(id)s", id=contact_id)
    return contact


def delete_contacts(session: Session, contact_ids: list[int]) -> int:
    """Delete these contacts and their group memberships; how many there were."""
    session.execute(delete(GroupMembership).where(GroupMembership.contact_id.in_(contact_ids)))
    return session.execute(delete(Contact).where(Contact.id.in_(contact_ids))).rowcount


def chosen_contacts(session: Session, contact_ids: list[int]) -> list[Contact]:
    """The contacts of these ids that exist, by name (at most a page's worth)."""
    return list(
        session.scalars(
            select(Contact)
            .where(Contact.id.in_(contact_ids[:PAGE_SIZE_MAX]))
            .order_by(Contact.name, Contact.id)
        )
    )


def contacts_with_number(session: Session, number: str) -> list[Contact]:
    return list(session.scalars(select(Contact).where(Contact.number == number)))


def find_contacts(
    session: Session,
    *,
    search: str = "",
    group_id: int | None = None,
    after: int | None = None,
    limit: int = 50,
) -> ContactPage:
    """One page of contacts by name, those whose name or number holds `search`."""
    if not 1 <= limit <= PAGE_SIZE_MAX:
        raise ContactRefused("a page holds 1 to %(most)s contacts", most=PAGE_SIZE_MAX)
    if len(search) > SEARCH_MAX:
        raise ContactRefused("the search is longer than %(most)s characters", most=SEARCH_MAX)
    statement = select(Contact)
    if search.strip():
        statement = statement.where(_matching(session, search.strip()))
    if group_id is not None:
        statement = statement.join(
            GroupMembership,
            and_(GroupMembership.contact_id == Contact.id, GroupMembership.group_id == group_id),
        )
    if after is not None:
        last_name = session.scalar(select(Contact.name).where(Contact.id == after))
        if last_name is None:
            raise ContactRefused("this page link is out of date: go back to the first page")
        statement = statement.where(
            Contact.name >= last_name, or_(Contact.name > last_name, Contact.id > after)
        )
    found = list(session.scalars(statement.order_by(Contact.name, Contact.id).limit(limit + 1)))
    more = len(found) > limit
    found = found[:limit]
    return ContactPage(found, found[-1].id if more else None)


def _matching(session: Session, search: str):  # type: ignore[no-untyped-def]
    by_name = name_holding(session, search)
    if not _NUMBER_LIKE.fullmatch(search):
        return by_name
    digits = _NOT_DIGITS.sub("", search)
    # "06 12" finds +33612...: the national prefix 0 is not in the E.164 form.
    return or_(by_name, Contact.number.contains(digits.lstrip("0") or digits, autoescape=True))
