"""Staff accounts. Passwords are only ever stored hashed."""

from __future__ import annotations

import secrets
from functools import cache

from sqlalchemy import select, update
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from smsbox.models import User
from smsbox.refusals import Refusal

MIN_PASSWORD_LENGTH = 10
MAX_NAME_LENGTH = 64
# The languages of the web pages, the first by default.
LANGUAGES = ("fr", "en")


@cache
def _unknown_user_hash() -> str:
    """Checked against when a name is unknown, so that a wrong name costs as much
    time as a wrong password and does not reveal which names exist. Made at the
    first use, not at import: scrypt takes 32 MB while it runs."""
    return generate_password_hash(secrets.token_hex(16))


class UserError(Refusal):
    """A change to the accounts refused; the text says why."""


def create_user(
    session: Session, name: str, password: str, *, admin: bool = False, language: str = ""
) -> User:
    name = name.strip()
    if not name:
        raise UserError("the user name is empty")
    if len(name) > MAX_NAME_LENGTH:
        raise UserError("the user name is longer than %(limit)d characters", limit=MAX_NAME_LENGTH)
    _check_password(password)
    if session.scalar(select(User).where(User.name == name)) is not None:
        raise UserError("a user named %(name)s already exists", name=name)
    if language:
        _check_language(language)
    user = User(
        name=name,
        password_hash=generate_password_hash(password),
        is_admin=admin,
        language=language or LANGUAGES[0],
    )
    session.add(user)
    session.flush()
    return user


def _check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise UserError(
            "the password must have at least %(count)d characters", count=MIN_PASSWORD_LENGTH
        )


def _check_language(language: str) -> None:
    if language not in LANGUAGES:
        raise UserError(
            "no pages in %(language)s: choose one of %(languages)s",
            language=language,
            languages=", ".join(LANGUAGES),
        )


def authenticate(session: Session, name: str, password: str) -> User | None:
    """The user whose name and password these are, unless disabled."""
    user = session.scalar(select(User).where(User.name == name.strip()))
    if user is None:
        check_password_hash(_unknown_user_hash(), password)
        return None
    right = check_password_hash(user.password_hash, password)
    return user if right and not user.disabled else None


def generate_password() -> str:
    return secrets.token_urlsafe(12)


def set_password(session: Session, name: str, password: str) -> User:
    user = session.scalar(select(User).where(User.name == name))
    if user is None:
        raise UserError("no user named %(name)s", name=name)
    _check_password(password)
    user.password_hash = generate_password_hash(password)
    end_sessions(session, user.id)
    return user


def end_sessions(session: Session, user_id: int) -> None:
    """Log the user out everywhere: every session cookie issued so far stops working."""
    session.execute(
        update(User).where(User.id == user_id).values(session_version=User.session_version + 1)
    )


def set_language(session: Session, user_id: int, language: str) -> None:
    _check_language(language)
    session.get_one(User, user_id).language = language


def set_role(session: Session, user: User, *, admin: bool) -> None:
    if user.is_admin and not admin:
        _keep_an_admin(session, user, "the last administrator cannot become an operator")
    user.is_admin = admin


def set_disabled(session: Session, user: User, *, disabled: bool) -> None:
    """A disabled user can no longer log in, and is logged out everywhere now."""
    if disabled and user.is_admin:
        _keep_an_admin(session, user, "the last administrator cannot be disabled")
    user.disabled = disabled
    if disabled:
        end_sessions(session, user.id)


def _keep_an_admin(session: Session, leaving: User, refusal: str) -> None:
    others = select(User.id).where(User.is_admin, ~User.disabled, User.id != leaving.id)
    if session.scalar(others.limit(1)) is None:
        raise UserError(refusal)


def list_users(session: Session) -> list[User]:
    return list(session.scalars(select(User).order_by(User.name)))
