"""Flask-Login wiring: who is logged in, and where it is safe to send them next."""

from __future__ import annotations

import re
from dataclasses import dataclass

from flask_babel import lazy_gettext
from flask_login import LoginManager, UserMixin

from smsbox.activity import Actor
from smsbox.models import User
from web.db import get_session

login_manager = LoginManager()
login_manager.login_view = "auth.login"
login_manager.login_message = lazy_gettext("Please log in to see this page.")
login_manager.login_message_category = "info"


# What the session cookie holds: "<user id>:<session version>".
_SESSION_ID = re.compile(r"([0-9]+):([0-9]+)")


@dataclass(frozen=True)
class StaffUser(UserMixin):
    """What a request knows of the person logged in (the model stays free of Flask)."""

    id: int
    name: str
    is_admin: bool
    session_version: int
    language: str

    @classmethod
    def from_model(cls, user: User) -> StaffUser:
        return cls(
            id=user.id,
            name=user.name,
            is_admin=user.is_admin,
            session_version=user.session_version,
            language=user.language,
        )

    @property
    def actor(self) -> Actor:
        return Actor(self.name, self.id)

    def get_id(self) -> str:
        # Sessions live only in the signed cookie: the version in it is what lets
        # logout (smsbox.users.end_sessions) end copies of the cookie too.
        return f"{self.id}:{self.session_version}"


@login_manager.user_loader
def load_user(session_id: str) -> StaffUser | None:
    match = _SESSION_ID.fullmatch(session_id)
    if match is None:
        return None
    user = get_session().get(User, int(match[1]))
    if user is None or user.disabled or user.session_version != int(match[2]):
        return None
    return StaffUser.from_model(user)


def is_local_path(target: str | None) -> bool:
    """True for '/messages/sent', false for anything that could lead off this site."""
    if not target or not target.startswith("/") or target.startswith("//"):
        return False
    # Browsers read '\' as '/' and drop tabs and newlines: '/\evil' and '/\t/evil' go away.
    return not any(char == "\\" or char.isspace() or not char.isprintable() for char in target)
