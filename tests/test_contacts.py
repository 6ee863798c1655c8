"""Contacts one at a time, the list's pages, and groups."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from message_rows import message

from smsbox.contacts.details import ContactRefused, check_contact
from smsbox.contacts.groups import (
    add_members,
    create_group,
    delete_group,
    get_group,
    list_groups,
    remove_members,
    rename_group,
)
from smsbox.contacts.store import delete_contacts, edit_contact, find_contacts, save_contact
from smsbox.conversations import contact_name, list_conversations
from smsbox.message_lists import Box, ListQuery, list_page


def details(name: str, number: str, **more):
    return check_contact(name, number, "FR", **more)


def saved(sessions, *people: tuple[str, str], allow_duplicates=False) -> list[int]:
    with sessions() as session:
        ids = [
            save_contact(session, details(name, number), allow_duplicates=allow_duplicates)[0].id
            for name, number in people
        ]
        session.commit()
    return ids


def test_it_stores_the_number_in_e164_beside_the_text_given(sessions):
    with sessions() as session:
        contact, added = save_contact(
            session,
            details("Zoé", "06 12 34 56 78", notes="VIP", fields={"ville": "Lyon", "vide": " "}),
            allow_duplicates=False,
        )
    assert added
    assert (contact.number, contact.raw_number, contact.notes, contact.fields) == (
        "+33612345678",
        "06 12 34 56 78",
        "VIP",
        {"ville": "Lyon"},
    )


def test_a_number_already_there_updates_its_contact_unless_duplicates_are_allowed(sessions):
    first, second = saved(sessions, ("Al", "0612345678"), ("Alice", "+33 6 12 34 56 78"))
    assert first == second
    third = saved(sessions, ("Bob", "0612345678"), allow_duplicates=True)[0]
    assert third != first
    with sessions() as session:
        assert [c.name for c in find_contacts(session).contacts] == ["Alice", "Bob"]


@pytest.mark.parametrize(
    ("name", "number", "reason"),
    [
        ("x" * 201, "0612345678", "the name is 201 characters long; at most 200 are kept"),
        ("Al", "06 12 AB 56 78", "has letters in it"),
        ("Al", "", "the number is empty"),
        ("Al", "0612", "wrong number of digits"),
        ("Al\nBob", "0612345678", "the name holds control characters"),
        ("Al\x00", "0612345678", "the name holds control characters"),
        ("Al", "0" * 65, "the number is longer than 64 characters"),
    ],
)
def test_it_refuses_a_contact_that_cannot_be_stored(name, number, reason):
    with pytest.raises(ContactRefused, match=reason):
        details(name, number)


@pytest.mark.parametrize(
    ("more", "reason"),
    [
        # Beside characters that are not printable yet allowed (a non-breaking space,
        # a tab, a line break), so that the control character is looked for.
        ({"name": "Al\xa0\x1bBob"}, "the name holds control characters"),
        ({"notes": "line\n\ttab\x07"}, "the notes hold control characters"),
        ({"fields": {"Ville": "Lyon\xa0\x00"}}, "the value of “Ville” holds control characters"),
        ({"fields": {"Vi\xa0l\nle": "Lyon"}}, "the custom field name holds control characters"),
    ],
)
def test_a_control_character_is_refused_beside_allowed_unprintable_ones(more, reason):
    with pytest.raises(ContactRefused, match=reason):
        details(more.pop("name", "Al"), "0612345678", **more)


def test_unprintable_characters_that_are_allowed_are_kept():
    kept = details(
        "Al\xa0Bob",
        "0612345678",
        notes="line\r\n\ttab\u2028end",
        fields={"Ville": "Saint\xa0Denis\tNord", "vide": ""},
    )
    assert (kept.name, kept.notes, kept.fields) == (
        "Al\xa0Bob",
        "line\n\ttab\u2028end",
        {"Ville": "Saint\xa0Denis\tNord"},
    )


def test_an_edit_cannot_take_the_number_of_another_contact(sessions):
    bob = saved(sessions, ("Alice", "0612345678"), ("Bob", "0698765432"))[1]
    with sessions() as session:
        with pytest.raises(ContactRefused, match="already the number of “Alice”"):
            edit_contact(session, bob, details("Bob", "0612345678"), allow_duplicates=False)
        edited = edit_contact(session, bob, details("Robert", "0611111111"), allow_duplicates=False)
        assert (edited.name, edited.number, edited.raw_number) == (
            "Robert",
            "+33611111111",
            "0611111111",
        )


def test_it_pages_by_name_and_finds_by_name_or_number(sessions):
    people = [(f"Person {index:03d}", f"06{index:08d}") for index in range(120)]
    saved(sessions, *reversed(people))
    with sessions() as session:
        names, after = [], None
        while True:
            page = find_contacts(session, after=after, limit=50)
            names += [contact.name for contact in page.contacts]
            if page.next_cursor is None:
                break
            after = page.next_cursor
        assert names == [name for name, _ in people]
        assert [c.name for c in find_contacts(session, search="person 007").contacts] == [
            "Person 007"
        ]
        assert [c.name for c in find_contacts(session, search="06 00 00 01 1").contacts] == [
            f"Person {index:03d}" for index in range(110, 120)
        ]
        assert find_contacts(session, search="%").contacts == []


def test_it_refuses_a_page_link_to_a_deleted_contact(sessions):
    ids = saved(sessions, ("A", "0612345678"), ("B", "0698765432"))
    with sessions() as session:
        assert delete_contacts(session, ids[:1]) == 1
        with pytest.raises(ContactRefused, match="out of date"):
            find_contacts(session, after=ids[0])


def test_groups_are_created_renamed_filled_emptied_and_deleted(sessions):
    alice, bob = saved(sessions, ("Alice", "0612345678"), ("Bob", "0698765432"))
    with sessions() as session:
        group = create_group(session, "  Clients   fidèles ")
        assert group.name == "Clients fidèles"
        with pytest.raises(ContactRefused, match="“clients fidèles” exists already"):
            create_group(session, "clients fidèles")
        assert add_members(session, group, [alice, bob, alice]) == 2
        assert add_members(session, group, [bob]) == 0
        rename_group(session, "clients fidèles", "VIP")
        assert [(g.name, g.members) for g in list_groups(session)] == [("VIP", 2)]
        page = find_contacts(session, group_id=get_group(session, "vip").id)
        assert [c.name for c in page.contacts] == ["Alice", "Bob"]
        assert remove_members(session, group, [bob]) == 1
        create_group(session, "Other")
        with pytest.raises(ContactRefused, match="“Other” exists already"):
            rename_group(session, "VIP", "Other")
        assert delete_group(session, "VIP") == 1
        with pytest.raises(ContactRefused, match="no group named “VIP”"):
            get_group(session, "VIP")
        assert [c.name for c in find_contacts(session).contacts] == ["Alice", "Bob"]
        with pytest.raises(ContactRefused, match="a group needs a name"):
            create_group(session, "   ")


def test_a_number_two_contacts_share_is_one_row_in_the_lists_named_by_the_first(sessions):
    saved(sessions, ("Alice", "0612345678"), ("Bob", "0612345678"), allow_duplicates=True)
    with sessions() as session:
        session.add(message("+33612345678", "hello", datetime.now(UTC)))
        session.commit()
        received = list_page(
            session, ListQuery(Box.RECEIVED), timezone="Europe/Paris", default_region="FR"
        )
        assert [(row.message.body, row.contact_name) for row in received.rows] == [
            ("hello", "Alice")
        ]
        talks = list_conversations(session, default_region="FR").conversations
        assert [(talk.number, talk.contact_name) for talk in talks] == [("+33612345678", "Alice")]
        assert contact_name(session, "+33612345678") == "Alice"
