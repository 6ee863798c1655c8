"""Importing contact files in tests: the options a box of the `config` fixture uses."""

from __future__ import annotations

from pathlib import Path

from smsbox.contacts.importing import ImportOptions, ImportReport, import_contacts
from smsbox.models import Contact

MB = 1_000_000


def options(**chosen) -> ImportOptions:
    return ImportOptions(
        **{"default_region": "FR", "allow_duplicates": False, "max_bytes": 20 * MB, **chosen}
    )


def write(tmp_path: Path, content: str | bytes, name: str = "contacts.csv") -> Path:
    path = tmp_path / name
    if isinstance(content, str):
        path.write_text(content, encoding="utf-8", newline="")
    else:
        path.write_bytes(content)
    return path


def imported(sessions, path: Path, **chosen) -> ImportReport:
    """Import and commit, as the CLI does."""
    with sessions() as session:
        report = import_contacts(session, path, options(**chosen))
        session.commit()
    return report


def stored(sessions) -> list[tuple[str, str, str, str, dict[str, str]]]:
    with sessions() as session:
        return [
            (contact.name, contact.number, contact.raw_number, contact.notes, contact.fields)
            for contact in session.query(Contact).order_by(Contact.id)
        ]
