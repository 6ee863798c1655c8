"""`smsbox contacts ...` and `smsbox groups ...` through the installed command, and the
issue's "done when" for contact files: a spreadsheet's file imported as a new user
would, exported and imported again."""

from __future__ import annotations

import json

import pytest
from cli_fixtures import CONFIG
from cli_runs import smsbox

from smsbox import account_settings
from smsbox.account_details import AccountDetails
from smsbox.activity import COMMAND_LINE
from smsbox.config import load_config
from smsbox.database import open_session

SPREADSHEET = (
    "Nom;Prénom;Téléphone;Ville;Remarques\r\n"
    "Lefèvre;Élodie;06 12 34 56 78;Orléans;cliente fidèle\r\n"
    "Dupré;François;0033 6 98 76 54 32;Besançon;\r\n"
    'Müller;Zoé;+33 (0)6 11 22 33 44;Saint-Étienne;"dit « oui »; rappeler"\r\n'
    "Garçon;Noël;6.12.34.56.79;Nîmes;\r\n"
    "Œuvre;Anaïs;+33612345680;Évry;\r\n"
    "\r\n"
    "Hugo;Bad letters;06 12 AB 56 78;Lyon;\r\n"
    "Bad;Short;06 12 34;Lyon;\r\n"
    "Double;Élodie;06-12-34-56-78;Lyon;\r\n"
    ';"=HYPERLINK(""http://x"",""y"")";07 00 00 00 01;;\r\n'
)


@pytest.fixture
def box(tmp_path):
    config = tmp_path / "smsbox.toml"
    config.write_text(CONFIG, encoding="utf-8")
    assert smsbox("init", config=config).returncode == 0
    return config


def contacts(box) -> list[dict]:
    listed = smsbox("contacts", "list", "--json", "--limit", "500", config=box)
    assert listed.returncode == 0, listed.stderr
    return [
        {key: value for key, value in record.items() if key != "id"}
        for record in json.loads(listed.stdout)["contacts"]
    ]


def test_a_spreadsheets_file_imports_with_exactly_its_bad_lines_and_comes_back_unchanged(
    box, tmp_path
):
    spreadsheet = tmp_path / "clients.csv"
    spreadsheet.write_bytes(SPREADSHEET.encode("cp1252"))

    preview = smsbox("contacts", "import", str(spreadsheet), "--dry-run", config=box)
    assert preview.returncode == 0, preview.stderr
    assert "6 contact(s) would be added" in preview.stdout
    assert "  +33612345678  Élodie Lefèvre  Nom=Lefèvre, Prénom=Élodie, Ville=Orléans" in (
        preview.stdout
    )
    assert contacts(box) == []

    result = smsbox("contacts", "import", str(spreadsheet), "--group", "Clients", config=box)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        "clients.csv: CSV, cp1252",
        "6 contact(s) were added, 0 updated, 0 unchanged; 3 line(s) rejected",
        "6 contact(s) joined group Clients",
        "  line 8: “06 12 AB 56 78” has letters in it: not a phone number (06 12 AB 56 78)",
        "  line 9: “06 12 34” has the wrong number of digits for its country (06 12 34)",
        "  line 10: the same contact as line 2 (+33612345678)",
    ]
    stored = contacts(box)
    assert [(c["name"], c["number"]) for c in stored] == [
        ('=HYPERLINK("http://x","y")', "+33700000001"),
        ("Anaïs Œuvre", "+33612345680"),
        ("François Dupré", "+33698765432"),
        ("Noël Garçon", "+33612345679"),
        ("Zoé Müller", "+33611223344"),
        ("Élodie Lefèvre", "+33612345678"),
    ]
    assert stored[4]["notes"] == "dit « oui »; rappeler"

    exported = tmp_path / "export.csv"
    assert smsbox("contacts", "export", "-o", str(exported), config=box).returncode == 0
    text = exported.read_text(encoding="utf-8-sig")
    assert '"\'=HYPERLINK(""http://x"",""y"")","+33700000001"' in text

    again = smsbox("contacts", "import", str(exported), config=box)
    assert "0 contact(s) were added, 0 updated, 6 unchanged; 0 line(s) rejected" in again.stdout
    assert contacts(box) == stored
    twice = tmp_path / "twice.csv"
    assert smsbox("contacts", "export", "-o", str(twice), config=box).returncode == 0
    assert twice.read_bytes() == exported.read_bytes()

    from_group = smsbox("contacts", "export", "--format", "json", "--group", "clients", config=box)
    assert len(json.loads(from_group.stdout)) == 6

    logged = smsbox("activity", "--json", config=box)
    entries = [
        (entry["actor"], entry["action"], entry["subject"], entry["details"])
        for entry in json.loads(logged.stdout)
    ]
    assert entries == [
        ("cli", "contacts_exported", "Clients", {"format": "json", "count": 6}),
        ("cli", "contacts_exported", None, {"format": "csv", "count": 6}),
        (
            "cli",
            "contacts_imported",
            "export.csv",
            {"added": 0, "updated": 0, "unchanged": 6, "rejected": 0, "group": None},
        ),
        ("cli", "contacts_exported", None, {"format": "csv", "count": 6}),
        (
            "cli",
            "contacts_imported",
            "clients.csv",
            {"added": 6, "updated": 0, "unchanged": 0, "rejected": 3, "group": "Clients"},
        ),
    ]


def test_a_bad_file_is_one_clear_line_and_exit_status_1(box, tmp_path):
    big = tmp_path / "big.csv"
    with big.open("wb") as file:
        file.truncate(50_000_000)
    result = smsbox("contacts", "import", str(big), config=box)
    assert (result.returncode, result.stdout) == (1, "")
    assert result.stderr == (
        "smsbox: big.csv is 50.0 MB; files up to 20 MB are imported ([contacts] max_import_mb)\n"
    )
    headless = tmp_path / "no-number.csv"
    headless.write_text("Nom;Ville\nAlice;Lyon\n", encoding="utf-8")
    result = smsbox("contacts", "import", str(headless), config=box)
    assert result.returncode == 1
    assert "has no column of phone numbers" in result.stderr


def test_the_progress_shows_on_stderr_when_asked(box, tmp_path):
    path = tmp_path / "many.csv"
    path.write_text("".join(f"P{i},06{i:08d}\n" for i in range(2500)), encoding="utf-8")
    result = smsbox("contacts", "import", str(path), "--progress", config=box)
    assert result.returncode == 0, result.stderr
    assert "100%" in result.stderr
    assert "%" not in smsbox("contacts", "import", str(path), config=box).stderr


def test_contacts_and_groups_by_hand(box):
    added = smsbox(
        "contacts", "add", "Alice", "06 12 34 56 78", "--field", "ville=Lyon", config=box
    )
    assert added.returncode == 0, added.stderr
    assert added.stdout.startswith("contact 1 added: +33612345678 Alice")
    again = smsbox("contacts", "add", "Alice M.", "+33612345678", config=box)
    assert again.stdout.startswith("contact 1 updated")
    assert smsbox("contacts", "add", "Bob", "0698765432", config=box).returncode == 0
    bad = smsbox("contacts", "add", "x" * 300, "0611111111", config=box)
    assert (bad.returncode, bad.stderr) == (
        1,
        "smsbox: the name is 300 characters long; at most 200 are kept\n",
    )

    assert smsbox("groups", "create", "Amis", config=box).returncode == 0
    exists = smsbox("groups", "create", "amis", config=box)
    assert (exists.returncode, exists.stderr) == (
        1,
        "smsbox: a group named “amis” exists already\n",
    )
    members = smsbox("groups", "add", "Amis", "0612345678", "0698765432", config=box)
    assert members.stdout == "2 contact(s) added to Amis\n"
    assert smsbox("groups", "rename", "Amis", "Famille", config=box).returncode == 0
    taken_out = smsbox("groups", "remove", "famille", "06 98 76 54 32", config=box)
    assert taken_out.stdout == "1 contact(s) taken out of Famille\n"
    listed = smsbox("groups", "list", "--json", config=box)
    assert json.loads(listed.stdout) == [{"name": "Famille", "members": 1}]
    found = smsbox("contacts", "list", "--group", "Famille", config=box)
    assert found.stdout == "1  +33612345678  Alice M.\n"
    assert smsbox("contacts", "list", "--search", "bo", config=box).stdout == (
        "2  +33698765432  Bob\n"
    )
    assert smsbox("contacts", "delete", "1", config=box).stdout == "1 contact(s) deleted\n"
    deleted = smsbox("groups", "delete", "Famille", config=box)
    assert deleted.stdout == "group Famille deleted; its 0 contact(s) are kept\n"
    assert [c["name"] for c in contacts(box)] == ["Bob"]


def test_the_accounts_setting_lets_two_contacts_share_a_number(box):
    with open_session(load_config(box).database_url) as session:
        details = AccountDetails(allow_duplicates=True)
        account_settings.save(session, account_settings.ACCOUNT, details, COMMAND_LINE)
        session.commit()
    assert smsbox("contacts", "add", "Alice", "0612345678", config=box).returncode == 0
    shared = smsbox("contacts", "add", "Accueil", "06 12 34 56 78", config=box)
    assert shared.stdout.startswith("contact 2 added: +33612345678 Accueil")
