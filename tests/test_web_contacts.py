"""The contacts pages through the Flask test client: the list, a contact's form,
ticked rows put in groups or deleted, the groups page, and exports."""

from __future__ import annotations

import json
import re

import pytest
from sqlalchemy import select
from test_web import csrf_token, log_in

from smsbox.activity import Action
from smsbox.contacts.details import check_contact
from smsbox.contacts.groups import add_members, create_group
from smsbox.contacts.store import save_contact
from smsbox.models import ActivityEntry, Contact, Group, GroupMembership

HOSTILE = "<script>alert(1)</script><img src=x onerror=alert(2)>"


def add_contacts(sessions, *people: tuple[str, str], group: str | None = None) -> list[int]:
    with sessions() as session:
        ids = [
            save_contact(session, check_contact(name, number, "FR"), allow_duplicates=False)[0].id
            for name, number in people
        ]
        if group is not None:
            add_members(session, create_group(session, group), ids)
        session.commit()
        return ids


def stored(sessions) -> list[Contact]:
    with sessions() as session:
        contacts = list(session.scalars(select(Contact).order_by(Contact.name)))
        session.expunge_all()
        return contacts


def members(sessions, group_name: str) -> list[str]:
    with sessions() as session:
        return list(
            session.scalars(
                select(Contact.name)
                .join(GroupMembership, GroupMembership.contact_id == Contact.id)
                .join(Group, Group.id == GroupMembership.group_id)
                .where(Group.name == group_name)
                .order_by(Contact.name)
            )
        )


@pytest.fixture
def logged_in(client):
    log_in(client)
    return client


def test_the_pages_ask_for_a_login(client):
    for path in ("/contacts/", "/contacts/groups", "/contacts/import", "/contacts/export"):
        response = client.get(path)
        assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_the_list_searches_by_name_or_number_and_pages_by_keyset(logged_in, sessions):
    add_contacts(
        sessions, *[(f"Client {index:02d}", f"06 12 34 56 {index:02d}") for index in range(12)]
    )
    add_contacts(sessions, ("Zoé Martin", "07 00 00 00 01"))
    first = logged_in.get("/contacts/?size=10").get_data(as_text=True)
    assert "Client 00" in first and "Client 09" in first and "Client 10" not in first
    assert 'href="/discussions/%2B33612345600"' in first or "/discussions/+33612345600" in first
    assert "06 12 34 56 00" in first  # the raw text beside the E.164
    next_link = first.split('rel="next"')[0].rsplit('href="', 1)[1].split('"')[0]
    second = logged_in.get(next_link.replace("&amp;", "&")).get_data(as_text=True)
    assert "Client 10" in second and "Zoé Martin" in second and "Client 09" not in second
    by_number = logged_in.get("/contacts/?q=07 00").get_data(as_text=True)
    assert "Zoé Martin" in by_number and "Client 00" not in by_number
    by_name = logged_in.get("/contacts/?q=zoé").get_data(as_text=True)
    assert "Zoé Martin" in by_name and "Client" not in by_name.split("<table")[1]


@pytest.mark.parametrize(
    "query",
    ["size=7", "size=abc", "after=-1", "after=1x", "after=99999", "q=" + "x" * 201],
)
def test_a_bad_page_size_cursor_or_search_is_refused_clearly(logged_in, sessions, query):
    add_contacts(sessions, ("Ana", "0612345678"))
    response = logged_in.get("/contacts/?" + query)
    assert response.status_code == 400
    assert "Request refused" in response.get_data(as_text=True)


def test_a_search_with_sql_or_html_finds_nothing_and_is_shown_as_text(logged_in, sessions):
    add_contacts(sessions, ("Ana", "0612345678"))
    for search in ("' OR 1=1 --", HOSTILE, "%", "_"):
        page = logged_in.get("/contacts/", query_string={"q": search}).get_data(as_text=True)
        assert "No contact matches." in page
        assert HOSTILE not in page


def test_a_contact_is_added_edited_with_custom_fields_and_deleted(logged_in, sessions):
    token = csrf_token(logged_in, "/contacts/new")
    response = logged_in.post(
        "/contacts/new",
        data={
            "csrf_token": token,
            "name": HOSTILE,
            "number": "06 12 34 56 78",
            "notes": "met\r\nat the fair",
            "field_name": ["city", "", "team"],
            "field_value": ["Lyon", "", "blue"],
        },
    )
    assert response.status_code == 302
    (contact,) = stored(sessions)
    assert (contact.name, contact.number, contact.raw_number) == (
        HOSTILE,
        "+33612345678",
        "06 12 34 56 78",
    )
    assert contact.notes == "met\nat the fair" and contact.fields == {
        "city": "Lyon",
        "team": "blue",
    }
    page = logged_in.get(f"/contacts/{contact.id}").get_data(as_text=True)
    assert HOSTILE not in page and "&lt;script&gt;" in page
    assert "Stored as +33612345678" in page

    response = logged_in.post(
        f"/contacts/{contact.id}",
        data={
            "csrf_token": token,
            "name": "Ana",
            "number": "+33 7 00 00 00 02",
            "notes": "",
            "field_name": ["city", "team", "size"],
            "field_value": ["Paris", "", "M"],
        },
    )
    assert response.status_code == 302
    (contact,) = stored(sessions)
    assert (contact.name, contact.number, contact.notes) == ("Ana", "+33700000002", "")
    assert contact.fields == {"city": "Paris", "size": "M"}  # "team" emptied: removed

    confirm = logged_in.get(f"/contacts/{contact.id}/delete").get_data(as_text=True)
    assert "will be deleted for good" in confirm and stored(sessions)
    response = logged_in.post("/contacts/delete", data={"csrf_token": token, "id": contact.id})
    assert response.status_code == 302 and stored(sessions) == []


@pytest.mark.parametrize(
    ("name", "number", "said"),
    [
        ("Ana", "06 CALL ME", "has letters in it"),
        ("x" * 10_000, "0612345678", "10000 characters long"),
        ("Ana", "", "number"),
        ("Ana\x00", "0612345678", "control characters"),
    ],
)
def test_a_bad_contact_is_refused_with_its_reason_and_nothing_changes(
    logged_in, sessions, name, number, said
):
    add_contacts(sessions, ("Before", "0700000001"))
    token = csrf_token(logged_in, "/contacts/new")
    response = logged_in.post(
        "/contacts/new", data={"csrf_token": token, "name": name, "number": number}
    )
    assert response.status_code == 400
    assert said in response.get_data(as_text=True)
    assert [contact.name for contact in stored(sessions)] == ["Before"]


def test_editing_to_a_number_another_contact_has_is_refused(logged_in, sessions):
    ana, _ = add_contacts(sessions, ("Ana", "0612345678"), ("Bob", "0700000001"))
    token = csrf_token(logged_in, "/contacts/new")
    response = logged_in.post(
        f"/contacts/{ana}", data={"csrf_token": token, "name": "Ana", "number": "07 00 00 00 01"}
    )
    assert response.status_code == 400
    assert "is already the number of “Bob”" in response.get_data(as_text=True)
    assert [contact.number for contact in stored(sessions)] == ["+33612345678", "+33700000001"]


def test_a_contact_or_group_that_does_not_exist_is_a_clear_404(logged_in):
    for path in ("/contacts/4242", "/contacts/4242/delete", "/contacts/groups/4242"):
        response = logged_in.get(path)
        assert response.status_code == 404
        assert "there is no" in response.get_data(as_text=True)


def test_every_change_needs_the_csrf_token(logged_in, sessions):
    (ana,) = add_contacts(sessions, ("Ana", "0612345678"))
    for path, data in (
        ("/contacts/new", {"name": "Bob", "number": "0700000001"}),
        ("/contacts/delete", {"id": ana}),
        ("/contacts/groups", {"name": "Team"}),
        ("/contacts/export", {"format": "csv"}),
    ):
        assert logged_in.post(path, data=data).status_code == 400
    assert [contact.name for contact in stored(sessions)] == ["Ana"]


def test_ticked_contacts_join_and_leave_a_group_or_are_deleted_in_bulk(logged_in, sessions):
    ana, bob, eve = add_contacts(
        sessions, ("Ana", "0612345678"), ("Bob", "0700000001"), ("Eve", "0700000002")
    )
    with sessions() as session:
        team = create_group(session, "Team").id
        session.commit()
    token = csrf_token(logged_in, "/contacts/")
    form = {"csrf_token": token, "back": "/contacts/?size=10", "group": team}
    response = logged_in.post(
        "/contacts/selection", data={**form, "action": "add", "id": [ana, bob]}
    )
    assert response.status_code == 302 and response.headers["Location"] == "/contacts/?size=10"
    assert members(sessions, "Team") == ["Ana", "Bob"]
    assert "2 contacts added to Team." in logged_in.get("/contacts/").get_data(as_text=True)
    logged_in.post("/contacts/selection", data={**form, "action": "remove", "id": [bob, eve]})
    assert members(sessions, "Team") == ["Ana"]

    confirm = logged_in.post(
        "/contacts/selection", data={**form, "action": "delete", "id": [bob, eve]}
    )
    assert confirm.status_code == 200 and "These 2 contacts will be deleted" in confirm.get_data(
        as_text=True
    )
    assert len(stored(sessions)) == 3
    logged_in.post("/contacts/delete", data={"csrf_token": token, "id": [bob, eve]})
    assert [contact.name for contact in stored(sessions)] == ["Ana"]


@pytest.mark.parametrize(
    "form",
    [
        {"action": "add", "id": "1; DROP TABLE contacts"},
        {"action": "explode", "id": "1"},
        {"action": "add", "id": "1", "group": "999999"},
    ],
)
def test_a_bad_selection_is_refused(logged_in, sessions, form):
    add_contacts(sessions, ("Ana", "0612345678"))
    token = csrf_token(logged_in, "/contacts/")
    response = logged_in.post("/contacts/selection", data={"csrf_token": token, **form})
    assert response.status_code in (400, 404)
    assert members(sessions, "Team") == []


def test_groups_are_created_renamed_listed_with_members_and_deleted(logged_in, sessions):
    add_contacts(sessions, ("Ana", "0612345678"), ("Bob", "0700000001"), group="Clients")
    token = csrf_token(logged_in, "/contacts/groups")
    response = logged_in.post("/contacts/groups", data={"csrf_token": token, "name": "Staff"})
    assert response.status_code == 302
    page = logged_in.get("/contacts/groups").get_data(as_text=True)
    assert "Clients" in page and "2 members" in page and "0 members" in page

    taken = logged_in.post("/contacts/groups", data={"csrf_token": token, "name": "clients"})
    assert taken.status_code == 400
    assert "a group named “clients” exists already" in taken.get_data(as_text=True)

    with sessions() as session:
        clients = session.scalar(select(Group.id).where(Group.name == "Clients"))
    renamed = logged_in.post(
        f"/contacts/groups/{clients}/rename", data={"csrf_token": token, "name": "Staff"}
    )
    assert renamed.status_code == 400 and "exists already" in renamed.get_data(as_text=True)
    logged_in.post(
        f"/contacts/groups/{clients}/rename", data={"csrf_token": token, "name": "Buyers"}
    )
    listing = logged_in.get(f"/contacts/groups/{clients}?size=10").get_data(as_text=True)
    assert "Buyers" in listing and "Ana" in listing and "Bob" in listing

    ana = stored(sessions)[0].id
    logged_in.post(
        f"/contacts/groups/{clients}/remove",
        data={"csrf_token": token, "id": ana, "back": f"/contacts/groups/{clients}"},
    )
    assert members(sessions, "Buyers") == ["Bob"]

    confirm = logged_in.get(f"/contacts/groups/{clients}/delete").get_data(as_text=True)
    assert "Its 1 member stays in the contacts." in confirm
    logged_in.post(f"/contacts/groups/{clients}/delete", data={"csrf_token": token})
    flashed = logged_in.get("/contacts/groups").get_data(as_text=True)
    assert "Group Buyers deleted; its 1 contact is kept." in flashed
    assert "Buyers" not in logged_in.get("/contacts/groups").get_data(as_text=True)
    assert len(stored(sessions)) == 2


@pytest.mark.parametrize("format", ["csv", "json", "vcf"])
def test_an_export_downloads_one_group_and_is_logged(logged_in, sessions, format):
    add_contacts(sessions, ('=HYPERLINK("http://x","y")', "0612345678"), group="Team")
    add_contacts(sessions, ("Not in it", "0700000001"))
    with sessions() as session:
        team = session.scalar(select(Group.id).where(Group.name == "Team"))
    token = csrf_token(logged_in, "/contacts/export")
    response = logged_in.post(
        "/contacts/export", data={"csrf_token": token, "format": format, "group": team}
    )
    assert response.status_code == 200
    assert (
        response.headers["Content-Disposition"] == f"attachment; filename=contacts-{team}.{format}"
    )
    body = response.get_data(as_text=True)
    assert "+33612345678" in body and "Not in it" not in body
    # The download's connection is back in the pool, not left for the garbage collector
    # to find (by then PostgreSQL may have closed it, and its error is logged from inside
    # whatever code the collector interrupted).
    assert sessions.kw["bind"].pool.checkedout() == 0
    if format == "csv":
        assert "'=HYPERLINK" in body
    if format == "json":
        assert json.loads(body)[0]["groups"] == ["Team"]
    with sessions() as session:
        entry = session.scalars(
            select(ActivityEntry).where(ActivityEntry.action == Action.CONTACTS_EXPORTED)
        ).one()
        assert entry.actor == "alice" and entry.subject == "Team"
        assert json.loads(entry.details) == {"format": format, "count": 1}


@pytest.mark.parametrize(
    "form",
    [{"format": "xlsx"}, {"format": "csv", "group": "x"}, {"format": "csv", "group": "4242"}],
)
def test_a_bad_export_is_refused(logged_in, form):
    token = csrf_token(logged_in, "/contacts/export")
    response = logged_in.post("/contacts/export", data={"csrf_token": token, **form})
    assert response.status_code in (400, 404)


def test_the_navigation_marks_only_the_section_a_page_belongs_to(logged_in, sessions):
    add_contacts(sessions, ("Élodie", "0612345678"), group="Clients")
    with sessions() as session:
        group_id = session.scalar(select(Group.id))
        contact_id = session.scalar(select(Contact.id))
    for path, section in [
        ("/contacts/", "/contacts/"),
        (f"/contacts/{contact_id}", "/contacts/"),
        ("/contacts/groups", "/contacts/groups"),
        (f"/contacts/groups/{group_id}", "/contacts/groups"),
    ]:
        html = logged_in.get(path).get_data(as_text=True)
        assert re.findall(r'<a href="([^"]+)" aria-current="page">', html) == [section], path
