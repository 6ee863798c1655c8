"""The pages in French (by default) or English: Flask-Babel, the language chosen per
person and stored on their account, and the switch between the two."""

from __future__ import annotations

from babel.support import NullTranslations
from flask import Blueprint, Flask, g, redirect, request, session, url_for
from flask.typing import ResponseReturnValue
from flask_babel import Babel, get_translations, gettext
from flask_login import current_user

from smsbox import activity
from smsbox.activity import Action
from smsbox.refusals import Refusal
from smsbox.users import LANGUAGES, set_language
from web.auth.login import is_local_path
from web.db import account_name, get_session, get_timezone
from web.i18n.values import shown

bp = Blueprint("i18n", __name__)
babel = Babel()
# Where a visitor not logged in keeps the language they chose on the login page.
SESSION_LANGUAGE = "language"
# Dates and numbers as written in France, and in English as in Britain (day first,
# 24-hour clock), for a box that serves European offices.
LOCALES = {"fr": "fr_FR", "en": "en_GB"}


def init_app(app: Flask, timezone: str) -> None:
    app.config["BABEL_DEFAULT_LOCALE"] = LANGUAGES[0]
    app.config["BABEL_DEFAULT_TIMEZONE"] = timezone
    babel.init_app(
        app, locale_selector=lambda: LOCALES[chosen_language()], timezone_selector=get_timezone
    )
    app.jinja_env.install_gettext_callables(
        gettext=lambda text: _reader_translations().ugettext(text),
        ngettext=lambda one, many, n: _reader_translations().ungettext(one, many, n),
        newstyle=True,
    )
    app.register_blueprint(bp)
    app.context_processor(
        lambda: {
            "languages": LANGUAGES,
            "language": chosen_language(),
            "account_name": account_name,
        }
    )


def reason(refusal: Refusal) -> str:
    """Why the core refused an input, in the reader's language."""
    return gettext(
        refusal.template, **{name: shown(name, value) for name, value in refusal.values.items()}
    )


def _reader_translations() -> NullTranslations:
    """The reader's catalogue, looked up once a request for the templates: Flask-Babel's
    own lookup at each string names the locale again (20 µs), and a list of 100 rows
    translates a few strings on each."""
    if "translations" not in g:
        g.translations = get_translations()
    return g.translations


def chosen_language() -> str:
    """The account's language; before login, the one chosen on the login page, else
    the browser's if we have it, else French."""
    if current_user.is_authenticated:
        return current_user.language
    chosen = session.get(SESSION_LANGUAGE)
    if chosen in LANGUAGES:
        return chosen
    return request.accept_languages.best_match(LANGUAGES, default=LANGUAGES[0])


@bp.route("/language", methods=["POST"])
def choose_language() -> ResponseReturnValue:
    language = request.form.get("language", "")
    if language not in LANGUAGES:
        return redirect(url_for("index"))
    if current_user.is_authenticated and language != current_user.language:
        database = get_session()
        set_language(database, current_user.id, language)
        activity.record(
            database,
            Action.LANGUAGE_CHANGED,
            current_user.actor,
            current_user.name,
            changed=[current_user.language, language],
        )
        database.commit()
    session[SESSION_LANGUAGE] = language
    target = request.form.get("next")
    return redirect(target if is_local_path(target) else url_for("index"))
