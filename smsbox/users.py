"""Staff accounts. Passwords are only ever stored hashed."""

from __future__ import annotations

import secrets
from functools import cache

from sqlalchemy import select, update
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from smsbox.models import User

MIN_PASSWORD_LENGTH = 10
# The languages of the web pages, the first by default.
LANGUAGES = ("fr", "en")


@cache
def _unknown_user_hash() -> str:
    """Checked against when a name is unknown, so that a wrong name costs as much
    time as a wrong password and does not reveal which names exist. Made at the
    first use, not at import: scrypt takes 32 MB while it runs."""
    return generate_password_hash(secrets.token_hex(16))


class UserError(ValueError):
    pass


def create_user(
    session: Session, name: str, password: str, *, admin: bool = False, language: str = ""
) -> User:
    name = name.strip()
    if not name:
        raise UserError("the user name is empty")
    if len(password) < MIN_PASSWORD_LENGTH:
        raise UserError(f"the password must have at least {MIN_PASSWORD_LENGTH} characters")
    if session.scalar(select(User).where(User.name == name)) is not None:
        raise UserError(f"a user named {name!r} already exists")
    if language and language not in LANGUAGES:
        raise UserError(f"no pages in {language!r}: choose one of {', '.join(LANGUAGES)}")
    user = User(
        name=name,
        password_hash=generate_password_hash(password),
        is_admin=admin,
        language=language or LANGUAGES[0],
    )
    session.add(user)
    session.flush()
    return user


def authenticate(session: Session, name: str, password: str) -> User | None:
    user = session.scalar(select(User).where(User.name == name.strip()))
    if user is None:
        check_password_hash(_unknown_user_hash(), password)
        return None
    return user if check_password_hash(user.password_hash, password) else None


def generate_password() -> str:
    return secrets.token_urlsafe(12)


def set_password(session: Session, name: str, password: str) -> User:
    user = session.scalar(select(User).where(User.name == name))
    if user is None:
        raise UserError(f"no user named {name!r}")
    if len(password) < MIN_PASSWORD_LENGTH:
        raise UserError(f"the password must have at least {MIN_PASSWORD_LENGTH} characters")
    user.password_hash = generate_password_hash(password)
    end_sessions(session, user.id)
    return user


def end_sessions(session: Session, user_id: int) -> None:
    """Log the user out everywhere: every session cookie issued so far stops working."""
    session.execute(
        update(User).where(User.id == user_id).values(session_version=User.session_version + 1)
    )


def set_language(session: Session, user_id: int, language: str) -> None:
    if language not in LANGUAGES:
        raise UserError(f"no pages in {language!r}: choose one of {', '.join(LANGUAGES)}")
    session.get_one(User, user_id).language = language
