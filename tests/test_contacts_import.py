"""Contact files as spreadsheets, phones and other platforms write them: every good
line stored once, every bad one reported, a bad file refused whole."""

from __future__ import annotations

import codecs

import pytest
from contact_files import MB, imported, options, stored, write

from smsbox.contacts.files import ImportRefused
from smsbox.contacts.importing import import_contacts

FRENCH_FORMS = [
    ("06 12 34 56 78", "+33612345678"),
    ("0033 6 12 34 56 79", "+33612345679"),
    ("+33 (0)6 12 34 56 80", "+33612345680"),
    ("6.12.34.56.81", "+33612345681"),
    ("06-12-34-56-82", "+33612345682"),
    ("+33612345683", "+33612345683"),
    ("33612345684", "+33612345684"),
    ("+44 7700 900123", "+447700900123"),
]


def test_it_imports_the_plain_form_with_no_header(sessions, tmp_path):
    report = imported(sessions, write(tmp_path, "Alice,+33612345678\nBob,0698765432\n"))
    assert (report.added, report.rejected) == (2, [])
    assert stored(sessions) == [
        ("Alice", "+33612345678", "+33612345678", "", {}),
        ("Bob", "+33698765432", "0698765432", "", {}),
    ]


def test_it_reads_number_then_name_when_the_first_line_says_so(sessions, tmp_path):
    imported(sessions, write(tmp_path, "06 12 34 56 78;Alice\n06 98 76 54 32;Bob\n"))
    assert [row[:2] for row in stored(sessions)] == [
        ("Alice", "+33612345678"),
        ("Bob", "+33698765432"),
    ]


@pytest.mark.parametrize(("raw", "e164"), FRENCH_FORMS)
def test_it_normalises_every_national_and_international_form(sessions, tmp_path, raw, e164):
    imported(sessions, write(tmp_path, f"nom;téléphone\nAlice;{raw}\n"))
    assert stored(sessions) == [("Alice", e164, raw, "", {})]


@pytest.mark.parametrize("separator", [",", ";", "\t"])
def test_it_detects_the_separator(sessions, tmp_path, separator):
    lines = ["name,phone,city", '"Dupont, Jean",0612345678,Lyon', "Zoé,0698765432,"]
    text = "\n".join(line.replace(",", separator) if separator != "," else line for line in lines)
    if separator != ",":
        text = text.replace(f'"Dupont{separator} Jean"', '"Dupont, Jean"')
    imported(sessions, write(tmp_path, text + "\n"))
    assert stored(sessions) == [
        ("Dupont, Jean", "+33612345678", "0612345678", "", {"city": "Lyon"}),
        ("Zoé", "+33698765432", "0698765432", "", {}),
    ]


def test_it_reads_commas_though_the_lines_end_empty_and_the_notes_hold_tabs(sessions, tmp_path):
    # As the export writes it: every column on every line, the last ones often empty.
    lines = [
        "number,notes,name,colour",
        "+33611111111,call\tlater,,",
        "+33611111112,call\tsoon,,",
        "+33611111113,call\tback,Cy,",
    ]
    imported(sessions, write(tmp_path, "\r\n".join(lines) + "\r\n"))
    assert [(name, notes, fields) for name, _, _, notes, fields in stored(sessions)] == [
        ("", "call\tlater", {}),
        ("", "call\tsoon", {}),
        ("Cy", "call\tback", {}),
    ]


ACCENTED = "Nom;Téléphone;Ville\r\nÉlodie Lefèvre;06 12 34 56 78;Besançon\r\n"


@pytest.mark.parametrize(
    ("encoded", "encoding"),
    [
        (ACCENTED.encode("utf-8"), "utf-8"),
        (codecs.BOM_UTF8 + ACCENTED.encode("utf-8"), "utf-8-sig"),
        (ACCENTED.encode("utf-16"), "utf-16"),
        (codecs.BOM_UTF16_BE + ACCENTED.encode("utf-16-be"), "utf-16"),
        (ACCENTED.encode("cp1252"), "cp1252"),
        (ACCENTED.encode("latin-1"), "cp1252"),
        ("Nom;Tél\r\nZoé “Zaza” Dupré \u2013 Œuvre;0612345678\r\n".encode("cp1252"), "cp1252"),
    ],
)
def test_it_reads_the_encodings_spreadsheets_and_exports_write(
    sessions, tmp_path, encoded, encoding
):
    report = imported(sessions, write(tmp_path, encoded))
    assert report.file.encoding == encoding
    name = stored(sessions)[0][0]
    assert name in ("Élodie Lefèvre", "Zoé “Zaza” Dupré \u2013 Œuvre")
    if name == "Élodie Lefèvre":
        assert stored(sessions)[0][4] == {"Ville": "Besançon"}


def test_it_keeps_separators_and_newlines_inside_quotes_and_skips_blank_lines(sessions, tmp_path):
    text = (
        'name;number;notes;\r\n\r\n"Martin; Paul";0612345678;"first line\r\nsecond; line";\r\n'
        ";;;\r\n\r\nAnna;0698765432;;\r\n"
    )
    report = imported(sessions, write(tmp_path, text))
    assert report.rejected == []
    assert stored(sessions) == [
        ("Martin; Paul", "+33612345678", "0612345678", "first line\nsecond; line", {}),
        ("Anna", "+33698765432", "0698765432", "", {}),
    ]


def test_it_counts_lines_as_the_file_has_them_when_reporting(sessions, tmp_path):
    text = 'name;number;notes\n\nAnn;0612345678;"two\nlines"\nBad;06 12\n'
    report = imported(sessions, write(tmp_path, text))
    assert [(bad.line, bad.value) for bad in report.rejected] == [(5, "06 12")]


def test_it_finds_columns_by_their_french_or_english_names_and_keeps_the_others(sessions, tmp_path):
    text = (
        "Prénom,Nom,Ville,Portable,Téléphone fixe,Remarques\n"
        "Jean,Dupont,Lyon,0612345678,0478000000,VIP\n"
    )
    imported(sessions, write(tmp_path, text))
    assert stored(sessions) == [
        (
            "Jean Dupont",
            "+33612345678",
            "0612345678",
            "VIP",
            {"Prénom": "Jean", "Nom": "Dupont", "Ville": "Lyon", "Téléphone fixe": "0478000000"},
        )
    ]


def test_it_reports_every_bad_line_and_stores_every_good_one_once(sessions, tmp_path):
    text = (
        "name;phone\n"
        "Alice;0612345678\n"
        "Letters;06 12 AB 56 78\n"
        f"{'x' * 10_000};0612345670\n"
        "Forty;0612345671" + ";x" * 38 + "\n"
        "Short;0612\n"
        "Again;06.12.34.56.78\n"
        "Bob;0698765432\n"
    )
    report = imported(sessions, write(tmp_path, text))
    assert [(bad.line, bad.reason) for bad in report.rejected] == [
        (3, "“06 12 AB 56 78” has letters in it: not a phone number"),
        (4, "the name is 10000 characters long; at most 200 are kept"),
        (5, "40 fields where the header on line 1 has 2"),
        (6, "“0612” has the wrong number of digits for its country"),
        (7, "the same contact as line 2"),
    ]
    assert report.rejected[1].value == "x" * 79 + "…"
    assert [row[0] for row in stored(sessions)] == ["Alice", "Bob"]
    again = imported(sessions, write(tmp_path, text))
    assert (again.added, again.updated, again.unchanged) == (0, 0, 2)
    assert [row[0] for row in stored(sessions)] == ["Alice", "Bob"]


def test_it_updates_a_number_already_there_and_erases_nothing_left_empty(sessions, tmp_path):
    imported(sessions, write(tmp_path, "name;number;notes;city\nAl;0612345678;VIP;Lyon\n"))
    report = imported(
        sessions, write(tmp_path, "name;number;notes;zip\nAlice;+33612345678;;69001\n")
    )
    assert (report.added, report.updated) == (0, 1)
    assert stored(sessions) == [
        ("Alice", "+33612345678", "0612345678", "VIP", {"city": "Lyon", "zip": "69001"})
    ]


def test_it_adds_a_second_contact_on_one_number_only_when_duplicates_are_allowed(
    sessions, tmp_path
):
    imported(sessions, write(tmp_path, "Alice;0612345678\n"), allow_duplicates=True)
    path = write(tmp_path, "Bob;0612345678\nAlice;0612345678\n")
    report = imported(sessions, path, allow_duplicates=True)
    assert (report.added, report.unchanged) == (1, 1)
    assert [row[:2] for row in stored(sessions)] == [
        ("Alice", "+33612345678"),
        ("Bob", "+33612345678"),
    ]


def test_a_dry_run_previews_and_stores_nothing(sessions, tmp_path):
    path = write(tmp_path, "nom;mobile;ville\nZoé;06 12 34 56 78;Paris\nX;abc\n")
    with sessions() as session:
        report = import_contacts(session, path, options(dry_run=True, group="Nouveaux"))
        session.commit()
    assert (report.added, len(report.rejected)) == (1, 1)
    assert [(row.name, row.number, row.fields) for row in report.preview] == [
        ("Zoé", "+33612345678", {"ville": "Paris"})
    ]
    assert stored(sessions) == []


def test_it_fills_a_group_made_for_the_import_once(sessions, tmp_path):
    path = write(tmp_path, "Alice;0612345678\nBob;0698765432\n")
    assert imported(sessions, path, group="Clients").joined_group == 2
    assert imported(sessions, path, group="clients").joined_group == 0


BAD_FILES = [
    (b"", "is empty"),
    (b"\r\n\r\n  \r\n", "blank"),
    (bytes(range(256)) * 40, "not a text file"),
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(2000), "not a text file"),
    (b"Nom;Adresse\nAlice;Lyon\n", "has no column of phone numbers"),
    ('name;phone\nAlice;"0612345678\n' + "x" * 200_000 + "\n", "is a quote left open?"),
]


@pytest.mark.parametrize(("content", "reason"), BAD_FILES)
def test_it_refuses_a_bad_file_whole_and_changes_nothing(sessions, tmp_path, content, reason):
    imported(sessions, write(tmp_path, "Before;0611111111\n", "before.csv"))
    path = write(tmp_path, content if isinstance(content, bytes) else content.encode())
    with sessions() as session, pytest.raises(ImportRefused, match=reason):
        import_contacts(session, path, options())
    assert stored(sessions) == [("Before", "+33611111111", "0611111111", "", {})]


def test_it_refuses_a_file_over_the_limit_naming_the_limit_before_reading(sessions, tmp_path):
    path = tmp_path / "big.csv"
    with path.open("wb") as file:
        file.write(b"name;phone\n")
        file.truncate(50 * MB)
    with sessions() as session, pytest.raises(ImportRefused) as refused:
        import_contacts(session, path, options())
    assert str(refused.value) == (
        "big.csv is 50.0 MB; files up to 20 MB are imported ([contacts] max_import_mb)"
    )
    assert stored(sessions) == []


def test_a_refusal_half_way_leaves_nothing_of_the_file(sessions, tmp_path):
    good = "".join(f"P{index};06{index:08d}\n" for index in range(2500))
    path = write(tmp_path, "name;phone\n" + good + 'Late;"0612\n' + "y" * 200_000)
    with sessions() as session:
        with pytest.raises(ImportRefused, match="line 2502"):
            import_contacts(session, path, options())
        session.rollback()
    assert stored(sessions) == []


VCARDS = (
    "BEGIN:VCARD\r\nVERSION:2.1\r\n"
    "N;CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:Lef=C3=A8vre;Fran=C3=A7ois;;;\r\n"
    "FN;CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:Fran=C3=A7ois Lef=C3=A8vre\r\n"
    "TEL;HOME:01 23 45 67 89\r\nTEL;CELL;PREF:06 12 34 56 78\r\nEMAIL:f@example.org\r\n"
    "END:VCARD\r\n"
    "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Zoé Dupré\r\nN:Dupré;Zoé;;;\r\n"
    "TEL;TYPE=CELL,VOICE:+33 6 98 76 54 32\r\nNOTE:met at the fair\\, 2024\r\n"
    "ORG:ACME;Sales\r\nEND:VCARD\r\n"
    "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:No Phone\r\nN:Phone;No;;;\r\nEND:VCARD\r\n"
    "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Letters\r\nN:;Letters;;;\r\nTEL:06 CALL ME\r\nEND:VCARD\r\n"
)


def test_it_imports_the_vcards_phones_export(sessions, tmp_path):
    report = imported(sessions, write(tmp_path, VCARDS, "phone.vcf"))
    assert stored(sessions) == [
        (
            "François Lefèvre",
            "+33612345678",
            "06 12 34 56 78",
            "",
            {"phone 2": "01 23 45 67 89", "email": "f@example.org"},
        ),
        (
            "Zoé Dupré",
            "+33698765432",
            "+33 6 98 76 54 32",
            "met at the fair, 2024",
            {"organisation": "ACME, Sales"},
        ),
    ]
    assert report.unit == "card"
    assert [(bad.line, bad.reason) for bad in report.rejected] == [
        (3, "the card has no phone number"),
        (4, "“06 CALL ME” has letters in it: not a phone number"),
    ]


def test_it_refuses_a_vcard_file_it_cannot_parse(sessions, tmp_path):
    path = write(tmp_path, "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:A\r\nthis is no property\r\n")
    with sessions() as session, pytest.raises(ImportRefused, match="cannot be read as vCard"):
        import_contacts(session, path, options())
