"""Tags set by a keyword: a number that texts one of the account's own keywords joins
that keyword's group (made when missing). A number no contact has becomes a contact
named by its number, for staff to name later."""

from __future__ import annotations

from sqlalchemy.orm import Session

from smsbox.contacts.details import ContactDetails, contact_number
from smsbox.contacts.groups import add_members, group_for_import
from smsbox.contacts.store import contacts_with_number, save_contact
from smsbox.models import Contact


def tag_number(session: Session, raw_number: str, group_name: str, *, region: str) -> list[Contact]:
    """Put every contact of the number in the group (ContactRefused for a sender that
    is no phone number, such as "ORANGE"); the contacts tagged."""
    number = contact_number(raw_number, region)
    contacts = contacts_with_number(session, number)
    if not contacts:
        details = ContactDetails(name=number, number=number, raw_number=raw_number.strip())
        contacts = [save_contact(session, details, allow_duplicates=False)[0]]
    add_members(session, group_for_import(session, group_name), [c.id for c in contacts])
    return contacts
