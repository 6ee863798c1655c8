"""The contacts' search by name goes through a trigram index and finds exactly what
reading every name finds."""

from __future__ import annotations

from databases import ON_POSTGRESQL
from sqlalchemy import delete, insert, text, update

from smsbox import trigram_indexes
from smsbox.contacts import name_search
from smsbox.contacts.importing import ImportOptions, import_contacts
from smsbox.contacts.store import find_contacts
from smsbox.models import Contact

NAMES = [
    "Zoé Müller",
    "ZOÉ MÜLLER",
    "zoé müller",
    "Zoe Muller",
    "Élodie Lefèvre",
    "élodie lefèvre",
    "100% bio",
    "100 bio",
    "a_b c",
    "axb c",
    "O'Brien'; DROP TABLE contacts; --",
    "<b>Gras</b> & fils",
    'Le "Petit" Café',
    "Straße 5",
    "İstanbul Kebab",
    "50/50 Ltd",
]
SEARCHES = [
    "Zoé",
    "zoé",
    "ZOÉ",
    "zoe",
    "Müller",
    "MÜLLER",
    "müll",
    "élodie lef",
    "ÉLODIE",
    "100%",
    "0% b",
    "%",
    "a_b",
    "_b c",
    "'Brien'; DROP",
    "; --",
    "<b>",
    "</b> & f",
    '"Petit"',
    '"',
    "ße 5",
    "İst",
    "ist",
    "/50",
    "b c",
    "é",
    "bi",
    "nobody here",
]


def found(session, search: str) -> list[int]:
    return [contact.id for contact in find_contacts(session, search=search, limit=500).contacts]


def add_names(session, names, first: int = 0) -> None:
    rows = [
        {"name": name, "number": f"+3361{i:07d}", "raw_number": ""}
        for i, name in enumerate(names, first)
    ]
    session.execute(insert(Contact), rows)
    session.commit()


def test_the_index_finds_what_reading_every_name_finds(sessions, monkeypatch):
    phrased = []

    def recorded(search: str) -> str:
        phrased.append(search)
        return phrase(search)

    phrase = trigram_indexes.match_phrase
    monkeypatch.setattr(trigram_indexes, "match_phrase", recorded)
    with sessions() as session:
        add_names(session, NAMES)
        indexed = {search: found(session, search) for search in SEARCHES}
        monkeypatch.setattr(name_search, "indexable", lambda _search: False)
        plain = {search: found(session, search) for search in SEARCHES}
    assert indexed == plain
    assert sum(bool(ids) for ids in indexed.values()) > 20
    assert indexed["100%"] == found_names(sessions, ["100% bio"])
    if not ON_POSTGRESQL:  # PostgreSQL's ILIKE goes through its index by itself
        assert phrased == [search for search in SEARCHES if len(search) >= 3]


def found_names(sessions, names: list[str]) -> list[int]:
    with sessions() as session:
        rows = session.execute(text("SELECT id, name FROM contacts ORDER BY name, id"))
        return [id_ for id_, name in rows if name in names]


def test_the_index_follows_names_added_changed_and_deleted(sessions):
    with sessions() as session:
        add_names(session, ["Anaïs Rivière", "Jérôme Faure"])
        anais, jerome = found(session, "Anaïs")[0], found(session, "Jérôme")[0]
        session.execute(update(Contact).where(Contact.id == jerome).values(name="Anaïs Bénard"))
        session.commit()
        assert found(session, "Anaïs") == [jerome, anais]
        assert found(session, "Jérôme") == []
        session.execute(delete(Contact).where(Contact.id == anais))
        session.commit()
        assert found(session, "Rivière") == []
        assert found(session, "naïs") == [jerome]


def test_the_database_has_a_trigram_index_on_the_names(sessions):
    with sessions() as session:
        if ON_POSTGRESQL:
            query = "SELECT indexdef FROM pg_indexes WHERE indexname = :name"
            definition = session.scalar(text(query), {"name": name_search.CONTACT_NAMES.gin_index})
            assert "gin_trgm_ops" in definition
        else:
            query = "SELECT sql FROM sqlite_master WHERE name = :name"
            definition = session.scalar(text(query), {"name": name_search.CONTACT_NAMES.fts_table})
            assert "trigram" in definition


def test_contacts_imported_in_bulk_are_found_by_name_and_the_next_ones_too(sessions, tmp_path):
    source = tmp_path / "contacts.csv"
    source.write_text("Élodie Lefèvre,+33611111111\nMarc Dupré,06 22 22 22 22\n", "utf-8")
    with sessions() as session:
        add_names(session, ["Hélène Faure"])
        options = ImportOptions("FR", allow_duplicates=False, max_bytes=10_000)
        import_contacts(session, source, options)
        session.commit()
        add_names(session, ["Loïc Lefèvre"], first=1)
        names = {
            search: sorted(
                contact.name for contact in find_contacts(session, search=search).contacts
            )
            for search in ("lefèvre", "Dupré", "Faure")
        }
    assert names == {
        "lefèvre": ["Loïc Lefèvre", "Élodie Lefèvre"],
        "Dupré": ["Marc Dupré"],
        "Faure": ["Hélène Faure"],
    }
