"""Whether the database can serve: reachable, and at the schema this code expects."""

from __future__ import annotations

from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from smsbox.database import code_revision, database_revision


def database_problems(session: Session) -> dict[str, str]:
    """What is wrong with the database, by check ("database", "schema"); {} when it
    is reachable and migrated to this code's revision."""
    try:
        current = database_revision(session.connection())
    except SQLAlchemyError as error:
        return {"database": f"unreachable: {type(error.orig or error).__name__}"}
    finally:
        session.rollback()
    expected = code_revision()
    if current != expected:
        return {"schema": f"at {current or 'none'}, this code expects {expected}: smsbox init"}
    return {}
