"""The pages in French by default and in English by choice: every string translated,
the compiled catalogue in step with its source, the choice kept on the account."""

from __future__ import annotations

import re

import pytest
from babel.messages.catalog import Catalog
from babel.messages.mofile import read_mo
from flask.testing import FlaskClient

from smsbox.models import User
from smsbox.users import create_user
from web import create_app
from web.i18n import catalog

PASSWORD = "correct horse battery"
CSRF_FIELD = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def test_every_string_of_the_pages_has_a_french_translation():
    french = catalog.french()
    missing = [
        message.id for message in catalog.extracted() if message.id and message.id not in french
    ]
    assert missing == [], "run: .venv/bin/python -m web.i18n.catalog, then translate"
    assert catalog.untranslated(french) == []


def test_the_compiled_catalogue_is_the_one_its_source_gives():
    # Message by message: the header names the Babel release that compiled the file.
    with (catalog.FRENCH / "messages.mo").open("rb") as compiled:
        in_step = translations(read_mo(compiled)) == translations(catalog.french())
    assert in_step, "run: python -m web.i18n.catalog"


def translations(messages: Catalog) -> dict[tuple[object, str | None], object]:
    """What a compiled catalogue holds: each translated message, fuzzy guesses left out
    (a plural's forms as a tuple, whichever reader gave them)."""
    return {
        (_forms(message.id), message.context): _forms(message.string)
        for message in messages
        if message.id and message.string and not message.fuzzy
    }


def _forms(text: str | list[str] | tuple[str, ...]) -> str | tuple[str, ...]:
    return text if isinstance(text, str) else tuple(text)


@pytest.fixture
def app(config, sessions):
    with sessions() as session:
        create_user(session, "camille", PASSWORD)
        session.commit()
    return create_app(config, sessions)


def csrf_token(page: str) -> str:
    match = CSRF_FIELD.search(page)
    assert match, "no CSRF token on the page"
    return match.group(1)


def log_in(client: FlaskClient) -> None:
    token = csrf_token(client.get("/login").get_data(as_text=True))
    client.post("/login", data={"name": "camille", "password": PASSWORD, "csrf_token": token})


def test_it_shows_the_login_page_in_french_unless_the_browser_asks_for_english(app):
    assert "Nom d'utilisateur" in app.test_client().get("/login").get_data(as_text=True)
    english = app.test_client().get("/login", headers={"Accept-Language": "en-GB,en;q=0.8"})
    assert "User name" in english.get_data(as_text=True)


def test_it_speaks_french_to_a_new_account_down_to_the_cores_reasons(app, sessions):
    client = app.test_client()
    log_in(client)
    page = client.get("/messages/send").get_data(as_text=True)
    assert '<html lang="fr">' in page
    assert "Nouveau SMS" in page
    token = csrf_token(page)
    refused = client.post(
        "/messages/send", data={"number": "12", "body": "Bonjour", "csrf_token": token}
    )
    assert refused.status_code == 400
    assert "« 12 » n&#39;a pas le bon nombre de chiffres pour son pays" in refused.get_data(
        as_text=True
    )


def test_it_keeps_the_language_chosen_on_the_account(app, sessions):
    client = app.test_client()
    log_in(client)
    page = client.get("/messages/sent").get_data(as_text=True)
    token = csrf_token(page)
    client.post("/language", data={"language": "en", "next": "/messages/sent", "csrf_token": token})

    other_browser = app.test_client()
    log_in(other_browser)
    assert "No message sent." in other_browser.get("/messages/sent").get_data(as_text=True)
    with sessions() as session:
        assert session.query(User).one().language == "en"


def test_it_refuses_a_language_change_without_its_csrf_token(app, sessions):
    client = app.test_client()
    log_in(client)
    assert client.post("/language", data={"language": "en"}).status_code == 400
    with sessions() as session:
        assert session.query(User).one().language == "fr"


def test_it_refuses_an_admin_page_to_an_operator_in_french(app):
    client = app.test_client()
    log_in(client)  # camille: an operator
    response = client.get("/admin/users")
    page = response.get_data(as_text=True)
    assert response.status_code == 403
    assert "Votre compte ne peut pas ouvrir cette page." in page
    assert "permission" not in page  # werkzeug's own English


def test_it_answers_an_unknown_page_with_the_styled_page_and_the_navigation(app):
    client = app.test_client()
    log_in(client)
    response = client.get("/nowhere")
    page = response.get_data(as_text=True)
    assert response.status_code == 404
    assert "Page introuvable" in page
    assert 'href="/messages/sent"' in page


def test_it_answers_a_failure_with_the_styled_page_and_logs_it(app, caplog):
    @app.route("/broken")
    def broken():
        raise RuntimeError("a bug")

    response = app.test_client().get("/broken")
    assert response.status_code == 500
    assert "Une erreur s&#39;est produite" in response.get_data(as_text=True)
    assert "a bug" not in response.get_data(as_text=True)
    assert "failure while serving /broken" in caplog.text
