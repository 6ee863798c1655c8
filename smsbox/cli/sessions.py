"""The database session a command works in: a refusal of the core (smsbox.refusals)
raised in it is one line for the user and exit status 1."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the database layer loads SQLAlchemy: only the commands that run import it
    from sqlalchemy.orm import Session

    from smsbox.config import Config


@contextmanager
def refusing_session(config: Config) -> Iterator[Session]:
    from smsbox.cli import CommandFailed
    from smsbox.database import open_session
    from smsbox.refusals import Refusal

    with open_session(config.database_url) as session:
        try:
            yield session
        except Refusal as error:
            raise CommandFailed(str(error)) from None
