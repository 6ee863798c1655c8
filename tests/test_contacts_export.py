"""Contacts exported as CSV, JSON and vCard: a spreadsheet shows every value as text
and runs none, and the importer reads every exported value back unchanged."""

from __future__ import annotations

import io
import json
import string

import pytest
from contact_files import imported, stored, write
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete, select

from smsbox.contacts.details import ContactRefused, check_contact
from smsbox.contacts.exporting import ExportFormat, export_contacts
from smsbox.contacts.groups import add_members, create_group
from smsbox.contacts.store import save_contact
from smsbox.models import Contact, Group, GroupMembership
from smsbox.spreadsheets import FORMULA_STARTS, as_number, as_read, as_text

HYPERLINK = '=HYPERLINK("http://x","y")'


def exported(sessions, format: ExportFormat = ExportFormat.CSV, group=None) -> str:
    out = io.StringIO(newline="")
    with sessions() as session:
        export_contacts(session, out, format, group)
    return out.getvalue()


def add(sessions, name, number, notes="", fields=None) -> int:
    with sessions() as session:
        contact, _ = save_contact(
            session, check_contact(name, number, "FR", notes, fields), allow_duplicates=False
        )
        session.commit()
        return contact.id


def test_a_contact_named_as_a_formula_exports_as_text(sessions):
    add(sessions, HYPERLINK, "0612345678", "@SUM(1+1)", {"-2+3": "+cmd|' /C calc'!A0"})
    assert exported(sessions).splitlines() == [
        '\ufeff"name","number","notes","\'-2+3"',
        '"\'=HYPERLINK(""http://x"",""y"")","+33612345678","\'@SUM(1+1)","\'+cmd|\' /C calc\'!A0"',
    ]


@given(st.text())
def test_every_value_comes_back_and_none_starts_as_a_formula(value):
    written = as_text(value)
    assert not written.startswith(FORMULA_STARTS)
    assert as_read(written) == value


def test_a_number_stays_e164_with_only_digits_after_its_plus():
    # Nothing but digits follows the sign: no operator, function or reference that a
    # spreadsheet could run; anything else is written as text.
    assert as_number("+33612345678") == "+33612345678"
    assert as_number("+33612345678+1") == "'+33612345678+1"
    assert as_number("=1+1") == "'=1+1"


def test_a_number_a_spreadsheet_stripped_of_its_plus_is_read_back(sessions, tmp_path):
    imported(sessions, write(tmp_path, '"name","number"\n"Alice","33612345678"\n'))
    assert stored(sessions)[0][1] == "+33612345678"


def test_exporting_and_reimporting_changes_nothing(sessions, tmp_path):
    add(sessions, "Élodie", "06 12 34 56 78", "line one\nline; two", {"ville": "Orléans"})
    add(sessions, HYPERLINK, "0698765432", "", {"Mobile": "0611111111", "name": "x"})
    before, first = stored(sessions), exported(sessions)
    report = imported(sessions, write(tmp_path, first.encode()))
    assert (report.added, report.updated, report.unchanged, report.rejected) == (0, 0, 2, [])
    assert stored(sessions) == before
    assert exported(sessions) == first


def test_it_exports_one_group_as_json_and_vcard(sessions):
    alice = add(sessions, "Alice", "0612345678", "VIP", {"prénom": "Alice"})
    add(sessions, "Bob", "0698765432")
    with sessions() as session:
        group = create_group(session, "Clients")
        add_members(session, group, [alice])
        session.commit()
    records = json.loads(exported(sessions, ExportFormat.JSON, group))
    assert records == [
        {
            "name": "Alice",
            "number": "+33612345678",
            "raw_number": "0612345678",
            "notes": "VIP",
            "fields": {"prénom": "Alice"},
            "groups": ["Clients"],
        }
    ]
    assert json.loads(exported(sessions, ExportFormat.JSON))[1]["name"] == "Bob"
    card = exported(sessions, ExportFormat.VCARD, group)
    assert card.count("BEGIN:VCARD") == 1
    assert "TEL;TYPE=CELL:+33612345678" in card
    assert "X-SMSBOX-FIELD;NAME=prénom:Alice" in card


def test_a_vcard_export_imports_back_unchanged(sessions, tmp_path):
    add(sessions, "Zoé; Dupré", "0612345678", "a, b\nc", {"prénom": "Zoé", "ville": "Lyon"})
    before, cards = stored(sessions), exported(sessions, ExportFormat.VCARD)
    with sessions() as session:
        session.execute(delete(Contact))
        session.commit()
    imported(sessions, write(tmp_path, cards, "contacts.vcf"))
    assert [row[:2] + row[3:] for row in stored(sessions)] == [row[:2] + row[3:] for row in before]


HOSTILE_STARTS = st.sampled_from(["", "=", "+", "-", "@", "'", "''", "'=", "\t", "\r", " "])
PRINTABLE = st.characters(blacklist_categories=("Cs", "Cc"))


def hostile(max_size: int) -> st.SearchStrategy[str]:
    return st.builds(
        lambda start, rest: start + rest, HOSTILE_STARTS, st.text(PRINTABLE, max_size=max_size)
    )


MULTILINE = st.builds(
    lambda start, rest: start + rest,
    HOSTILE_STARTS,
    st.text(st.one_of(PRINTABLE, st.sampled_from("\n\t;,\"'")), max_size=30),
)
CONTACTS = st.lists(
    st.tuples(
        hostile(30),
        st.integers(600_000_000, 799_999_999),
        MULTILINE,
        st.dictionaries(hostile(10), MULTILINE, max_size=3),
    ),
    max_size=5,
)


def _valid(name, number, notes, fields):
    try:
        return check_contact(name, f"0{number}", "FR", notes, fields)
    except ContactRefused:
        return None


def _only(sessions, people) -> list[int]:
    """The contacts are now those of `people` that can be stored; their ids."""
    with sessions() as session:
        session.execute(delete(GroupMembership))
        session.execute(delete(Contact))
        checked = [_valid(*person) for person in people]
        ids = [
            save_contact(session, details, allow_duplicates=False)[0].id
            for details in checked
            if details is not None
        ]
        session.commit()
    return ids


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture], max_examples=40)
@given(people=CONTACTS)
def test_export_import_export_is_identical_whatever_the_values(sessions, tmp_path, people):
    _only(sessions, people)
    before, first = stored(sessions), exported(sessions)
    with sessions() as session:
        session.execute(delete(Contact))
        session.commit()
    report = imported(sessions, write(tmp_path, first.encode()))
    assert report.rejected == []

    # All but the raw numbers, which the file does not hold: the E.164 form is read.
    # Custom fields in any order: a merged contact's come back in the file's order.
    def kept(row) -> str:
        return repr((*row[:2], *row[3:-1], sorted(row[-1].items())))

    assert sorted(map(kept, stored(sessions))) == sorted(map(kept, before))
    assert exported(sessions) == first


@pytest.mark.parametrize("character", [*string.ascii_letters[:3], *FORMULA_STARTS])
def test_a_custom_field_name_is_neutralised_in_the_header_too(character):
    assert as_read(as_text(character + "x")) == character + "x"


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture], max_examples=30)
@given(people=CONTACTS)
def test_each_json_record_is_what_json_dumps_writes(sessions, people):
    # The export puts each record together from its values' JSON: byte for byte what
    # json.dumps writes, whatever the values (quotes, backslashes, line breaks, accents).
    ids = _only(sessions, people)
    with sessions() as session:
        for name, members in (('Clients "VIP"', ids[:1]), ("Zoé\\Noël", ids[::2])):
            group = session.scalar(select(Group).where(Group.name == name))
            add_members(session, group or create_group(session, name), members)
        session.commit()
    text = exported(sessions, ExportFormat.JSON)
    records = json.loads(text)
    # Not splitlines(): it also splits at U+2028, which JSON leaves as it is.
    assert text.split("\n")[1:-2] == [
        "  " + json.dumps(record, ensure_ascii=False) + ("," if index < len(records) - 1 else "")
        for index, record in enumerate(records)
    ]
