"""The contact import page through the Flask test client: upload, preview (nothing
stored), commit (run in the background, its progress polled), the report of every
rejected line; and every file refused whole with a clear reason, nothing stored."""

from __future__ import annotations

import dataclasses
import io
import json
import subprocess
import threading
from collections.abc import Iterator

import pytest
from sqlalchemy import select
from test_web import csrf_token, log_in
from test_web_contacts import add_contacts, members, stored
from waiting import wait_until

from smsbox.activity import Action
from smsbox.contacts.uploads import uploads_directory
from smsbox.models import ActivityEntry
from smsbox.users import create_user
from web import create_app
from web.contacts.jobs import import_jobs_directory

SPREADSHEET = (
    "Nom;Prénom;Téléphone;Ville\r\n"
    "Dupont;Amélie;06 12 34 56 78;Lyon\r\n"
    "Lefèvre;Benoît;+33 (0)6 98 76 54 32;Nîmes\r\n"
    "Garçon;Zoé;06 CALL ME;Paris\r\n"
    "Müller;Jürgen;0033 7 00 00 00 01;\r\n"
).encode("cp1252")


@pytest.fixture
def config(config):
    """A 1 MB limit: a too large file is small enough to send in a test."""
    return dataclasses.replace(
        config, contacts=dataclasses.replace(config.contacts, max_import_mb=1)
    )


@pytest.fixture
def logged_in(client):
    log_in(client)
    return client


def upload(client, content: bytes, name: str = "contacts.csv", **form):
    token = csrf_token(client, "/contacts/import")
    return client.post(
        "/contacts/import",
        data={"csrf_token": token, "file": (io.BytesIO(content), name), **form},
        content_type="multipart/form-data",
    )


def kept_uploads(config) -> list:
    directory = uploads_directory(config.data_dir)
    return list(directory.iterdir()) if directory.exists() else []


def commit(client, preview_page: str):
    token = preview_page.split('name="token" value="')[1].split('"')[0]
    group = preview_page.split('name="group" value="')[1].split('"')[0]
    return client.post(
        "/contacts/import/commit",
        data={"csrf_token": csrf_token(client, "/contacts/import"), "token": token, "group": group},
    )


def finished(client, status_path: str) -> dict:
    return wait_until(
        lambda: (state := client.get(status_path + "/progress").get_json())["finished"] and state
    )


def test_a_spreadsheet_file_is_previewed_then_imported_with_its_bad_line_reported(
    logged_in, sessions, config
):
    preview = upload(logged_in, SPREADSHEET, group="new", new_group="Salon 2026")
    page = preview.get_data(as_text=True)
    assert preview.status_code == 200
    assert "contacts.csv: CSV, cp1252." in page
    assert "3 contacts would be added" in page and "1 line rejected" in page
    assert "has letters in it" in page and "06 CALL ME" in page
    assert "Amélie Dupont" in page and "+33612345678" in page and "Ville: Lyon" in page
    assert "new group Salon 2026" in page
    assert stored(sessions) == [] and members(sessions, "Salon 2026") == []
    assert len(kept_uploads(config)) == 1

    response = commit(logged_in, page)
    assert response.status_code == 302
    status_path = response.headers["Location"]
    state = finished(logged_in, status_path)
    assert state["done"] == state["total"] == len(SPREADSHEET)
    report = logged_in.get(status_path).get_data(as_text=True)
    assert "3 contacts added" in report and "1 line rejected" in report
    assert "3 contacts joined Salon 2026" in report
    assert [
        (contact.name, contact.number, contact.fields.get("Ville")) for contact in stored(sessions)
    ] == [
        ("Amélie Dupont", "+33612345678", "Lyon"),
        ("Benoît Lefèvre", "+33698765432", "Nîmes"),
        ("Jürgen Müller", "+33700000001", None),
    ]
    assert members(sessions, "Salon 2026") == ["Amélie Dupont", "Benoît Lefèvre", "Jürgen Müller"]
    assert kept_uploads(config) == []

    rejected = logged_in.get(status_path + "/rejected.csv")
    assert rejected.headers["Content-Type"].startswith("text/csv")
    lines = rejected.get_data(as_text=True).lstrip("\ufeff").splitlines()
    assert lines[0] == "line,value,reason" and lines[1].startswith("4,")
    assert "has letters in it" in lines[1] and len(lines) == 2

    with sessions() as session:
        entry = session.scalars(
            select(ActivityEntry).where(ActivityEntry.action == Action.CONTACTS_IMPORTED)
        ).one()
        assert entry.actor == "alice" and entry.subject == "contacts.csv"
        assert json.loads(entry.details) == {
            "added": 3,
            "updated": 0,
            "unchanged": 0,
            "rejected": 1,
            "group": "Salon 2026",
        }


def test_an_import_is_only_for_the_session_that_uploaded_it(logged_in, app, sessions, config):
    page = upload(logged_in, SPREADSHEET).get_data(as_text=True)
    other = app.test_client()
    other.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    log_in(other)
    assert commit(other, page).status_code == 404
    assert stored(sessions) == []
    status_path = commit(logged_in, page).headers["Location"]
    finished(logged_in, status_path)
    assert other.get(status_path).status_code == 404
    assert other.get(status_path + "/rejected.csv").status_code == 404
    assert logged_in.get("/contacts/import/nope").status_code == 404


def test_a_cancelled_preview_leaves_no_file_and_cannot_be_committed(logged_in, sessions, config):
    page = upload(logged_in, SPREADSHEET).get_data(as_text=True)
    token = page.split('name="token" value="')[1].split('"')[0]
    logged_in.post(
        "/contacts/import/cancel",
        data={"csrf_token": csrf_token(logged_in, "/contacts/import"), "token": token},
    )
    assert kept_uploads(config) == []
    response = commit(logged_in, page)
    assert response.status_code == 400 and "upload it again" in response.get_data(as_text=True)
    assert stored(sessions) == []


@pytest.mark.parametrize(
    ("content", "form", "status", "said"),
    [
        (b"", {}, 400, "contacts.csv is empty"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" * 10, {}, 400, "is not a text file"),
        (b"x" * 1_100_000, {}, 413, "larger than 1 MB"),
        (b"name,city\r\nAna,Lyon\r\n", {}, 400, "has no column of phone numbers"),
        (
            (",".join(["name", "number", *(f"c{i}" for i in range(58))]) + "\r\n").encode(),
            {},
            400,
            "has 60 columns; at most 50",
        ),
        (SPREADSHEET, {"group": "new", "new_group": "clients"}, 400, "exists already"),
        (SPREADSHEET, {"group": "new", "new_group": ""}, 400, "a group needs a name"),
        (SPREADSHEET, {"group": "4242"}, 400, "there is no group 4242"),
    ],
    ids=[
        "empty",
        "binary",
        "too-big",
        "no-number",
        "60-columns",
        "group-taken",
        "no-name",
        "no-group",
    ],
)
def test_a_refused_file_says_why_and_stores_nothing(
    logged_in, sessions, config, content, form, status, said
):
    add_contacts(sessions, ("Before", "0700000009"), group="Clients")
    response = upload(logged_in, content, **form)
    assert response.status_code == status
    assert said in response.get_data(as_text=True)
    assert [contact.name for contact in stored(sessions)] == ["Before"]
    assert kept_uploads(config) == []


def test_a_line_of_40_fields_and_a_name_of_10000_characters_are_rejected_lines(logged_in, sessions):
    content = (
        "name,number\r\n"
        "Ana,0612345678\r\n" + ",".join(["x"] * 40) + "\r\n" + "y" * 10_000 + ",0700000001\r\n"
    ).encode()
    page = upload(logged_in, content).get_data(as_text=True)
    assert "1 contact would be added" in page and "2 lines rejected" in page
    assert "40 fields where the header on line 1 has 2" in page
    assert "the name is 10000 characters long" in page


def test_no_file_is_a_clear_message(logged_in):
    token = csrf_token(logged_in, "/contacts/import")
    response = logged_in.post("/contacts/import", data={"csrf_token": token})
    assert response.status_code == 400
    assert "Choose a CSV or vCard file" in response.get_data(as_text=True)


@pytest.fixture
def in_french(app, sessions):
    with sessions() as session:
        create_user(session, "camille", "correct horse battery", language="fr")
        session.commit()
    client = app.test_client()
    log_in(client, "camille")
    return client


@pytest.mark.parametrize(
    ("content", "form", "said"),
    [
        (b"", {}, "contacts.csv est vide"),
        (b"x" * 1_100_000, {}, "Le fichier dépasse 1 Mo"),
        (b"name,city\r\nAna,Lyon\r\n", {}, "pas de colonne de numéros de téléphone"),
        (
            SPREADSHEET,
            {"group": "new", "new_group": "Clients"},
            "un groupe nommé « Clients » existe déjà",
        ),
    ],
)
def test_a_refused_file_says_why_in_french(in_french, sessions, content, form, said):
    add_contacts(sessions, ("Avant", "0700000009"), group="Clients")
    response = upload(in_french, content, **form)
    assert 400 <= response.status_code < 500
    assert said in response.get_data(as_text=True)
    assert [contact.name for contact in stored(sessions)] == ["Avant"]


def test_the_rejected_lines_are_reported_in_french(in_french, sessions):
    page = upload(in_french, SPREADSHEET).get_data(as_text=True)
    assert "3 contacts seraient ajoutés" in page and "1 ligne rejetée" in page
    assert "« 06 CALL ME » contient des lettres : ce n\u2019est pas un numéro de téléphone" in page
    status_path = commit(in_french, page).headers["Location"]
    finished(in_french, status_path)
    rejected = in_french.get(status_path + "/rejected.csv").get_data(as_text=True)
    assert "contient des lettres" in rejected


def test_a_name_of_10000_characters_is_refused_in_french_by_hand_and_in_a_file(in_french, sessions):
    token = csrf_token(in_french, "/contacts/new")
    typed = in_french.post(
        "/contacts/new", data={"csrf_token": token, "name": "y" * 10_000, "number": "0612345678"}
    )
    assert typed.status_code == 400
    assert "le nom fait 10000 caractères ; au plus 200 sont gardés" in typed.get_data(as_text=True)
    page = upload(in_french, ("y" * 10_000 + ",0612345678\r\n").encode()).get_data(as_text=True)
    assert "le nom fait 10000 caractères ; au plus 200 sont gardés" in page
    assert stored(sessions) == []


@pytest.fixture
def release(monkeypatch) -> Iterator[threading.Event]:
    """Imports that report a tenth done, then wait for the event before going on."""
    from web.contacts import jobs

    event = threading.Event()
    real_import = jobs.import_contacts

    def held_import(session, path, options, progress):  # type: ignore[no-untyped-def]
        progress(10, 100)
        event.wait(timeout=30)
        return real_import(session, path, options, progress)

    monkeypatch.setattr(jobs, "import_contacts", held_import)
    yield event
    event.set()


def test_a_running_import_shows_its_progress_with_a_refresh_link(logged_in, sessions, release):
    status_path = commit(logged_in, upload(logged_in, SPREADSHEET).get_data(as_text=True)).headers[
        "Location"
    ]
    wait_until(lambda: logged_in.get(status_path + "/progress").get_json()["done"] == 10)
    page = logged_in.get(status_path).get_data(as_text=True)
    assert '<progress id="progress" max="100" value="10">' in page
    assert f'<a href="{status_path}">Refresh</a>' in page
    assert 'src="/static/contacts_import.js"' in page
    assert stored(sessions) == []
    release.set()
    finished(logged_in, status_path)
    assert "3 contacts added" in logged_in.get(status_path).get_data(as_text=True)


def test_another_web_process_shows_the_import_s_progress_and_report(
    logged_in, config, sessions, release
):
    status_path = commit(logged_in, upload(logged_in, SPREADSHEET).get_data(as_text=True)).headers[
        "Location"
    ]
    # [web] processes = 2: the next request may reach the other process, its own app.
    other_app = create_app(config, sessions)
    cookie = other_app.config["SESSION_COOKIE_NAME"]
    other = other_app.test_client()
    other.set_cookie(cookie, logged_in.get_cookie(cookie).value)
    wait_until(lambda: other.get(status_path + "/progress").get_json()["done"] == 10)
    assert '<progress id="progress" max="100" value="10">' in other.get(status_path).get_data(
        as_text=True
    )
    release.set()
    finished(other, status_path)
    page = other.get(status_path).get_data(as_text=True)
    assert "3 contacts added" in page and "06 CALL ME" in page
    assert "06 CALL ME" in other.get(status_path + "/rejected.csv").get_data(as_text=True)


def test_an_import_whose_process_died_is_shown_stopped(logged_in, config, sessions, release):
    status_path = commit(logged_in, upload(logged_in, SPREADSHEET).get_data(as_text=True)).headers[
        "Location"
    ]
    wait_until(lambda: logged_in.get(status_path + "/progress").get_json()["done"] == 10)
    # The job's state as its process left it, that process gone since.
    [state_file] = import_jobs_directory(config.data_dir).glob("*.json")
    state = json.loads(state_file.read_text(encoding="utf-8"))
    gone = subprocess.Popen(["true"])
    gone.wait()
    state_file.write_text(json.dumps({**state, "pid": gone.pid}), encoding="utf-8")
    assert logged_in.get(status_path + "/progress").get_json()["finished"] is True
    page = logged_in.get(status_path).get_data(as_text=True)
    assert "The import stopped before its end" in page and "<progress" not in page
