"""Flask-Login wiring: who is logged in, and where it is safe to send them next."""

from __future__ import annotations

from dataclasses import dataclass

from flask_login import LoginManager, UserMixin

from smsbox.models import User
from web.db import get_session

login_manager = LoginManager()
login_manager.login_view = "auth.login"
login_manager.login_message = "Please log in to see this page."
login_manager.login_message_category = "info"


@dataclass(frozen=True)
class StaffUser(UserMixin):
    """What a request knows of the person logged in (the model stays free of Flask)."""

    id: int
    name: str
    is_admin: bool

    @classmethod
    def from_model(cls, user: User) -> StaffUser:
        return cls(id=user.id, name=user.name, is_admin=user.is_admin)


@login_manager.user_loader
def load_user(user_id: str) -> StaffUser | None:
    if not user_id.isdigit():
        return None
    user = get_session().get(User, int(user_id))
    return None if user is None else StaffUser.from_model(user)


def is_local_path(target: str | None) -> bool:
    """True for '/messages/sent', false for anything that could lead off this site."""
    if not target or not target.startswith("/") or target.startswith("//"):
        return False
    # Browsers read '\' as '/' and drop tabs and newlines: '/\evil' and '/\t/evil' go away.
    return not any(char == "\\" or char.isspace() or not char.isprintable() for char in target)
