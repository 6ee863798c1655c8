"""`smsbox contacts ...` and `smsbox groups ...`: the address book from a shell, and
contact files in and out (smsbox.contacts does the work)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from smsbox.cli.output import print_json
from smsbox.cli.sessions import refusing_session
from smsbox.config import Config, load_config

if TYPE_CHECKING:  # the models load SQLAlchemy: only the commands that run import them
    from smsbox.contacts.importing import ImportReport
    from smsbox.models import Contact

REJECTED_IN_PREVIEW = 20


RECORDED = ("id", "name", "number", "raw_number", "notes", "fields")


def _record(contact: Contact) -> dict[str, Any]:
    return {column: getattr(contact, column) for column in RECORDED}


def _fields(pairs: list[str]) -> dict[str, str]:
    from smsbox.cli import CommandFailed

    fields = {}
    for pair in pairs:
        key, equals, value = pair.partition("=")
        if not equals or not key.strip():
            raise CommandFailed(f"--field {pair!r}: write it NAME=VALUE")
        fields[key.strip()] = value
    return fields


def cmd_contacts_list(args: argparse.Namespace) -> None:
    from smsbox.contacts.groups import get_group
    from smsbox.contacts.store import find_contacts

    config = load_config(args.config)
    with refusing_session(config) as session:
        group_id = get_group(session, args.group).id if args.group else None
        page = find_contacts(
            session, search=args.search, group_id=group_id, after=args.after, limit=args.limit
        )
        records = [_record(contact) for contact in page.contacts]
    if args.json:
        print_json({"contacts": records, "next": page.next_cursor})
        return
    for record in records:
        print(f"{record['id']}  {record['number']}  {record['name']}")
    if page.next_cursor is not None:
        print(f"more: --after {page.next_cursor}")


def cmd_contacts_add(args: argparse.Namespace) -> None:
    from smsbox.account_details import effective
    from smsbox.contacts.details import check_contact
    from smsbox.contacts.store import save_contact

    config = load_config(args.config)
    with refusing_session(config) as session:
        details = check_contact(
            args.name,
            args.number,
            config.messaging.default_region,
            args.notes,
            _fields(args.field),
        )
        allow_duplicates = effective(session, config).allow_duplicates
        contact, added = save_contact(session, details, allow_duplicates=bool(allow_duplicates))
        session.commit()
    print(
        f"contact {contact.id} {'added' if added else 'updated'}: {contact.number} {contact.name}"
    )


def cmd_contacts_delete(args: argparse.Namespace) -> None:
    from smsbox.contacts.store import delete_contacts

    deleted = _changed(args, lambda session, _: delete_contacts(session, args.ids))
    print(f"{deleted} contact(s) deleted")


def _progress_bar(done: int, total: int) -> None:
    share = done / total if total else 1
    filled = int(share * 30)
    print(
        f"\r[{'#' * filled}{'.' * (30 - filled)}] {share:4.0%}  "
        f"{done / 1e6:.1f}/{total / 1e6:.1f} MB",
        end="",
        file=sys.stderr,
        flush=True,
    )


def cmd_contacts_import(args: argparse.Namespace) -> None:
    from smsbox.account_details import effective
    from smsbox.activity import COMMAND_LINE
    from smsbox.contacts.importing import ImportOptions, import_contacts, record_import

    config = load_config(args.config)
    shows_progress = args.progress or sys.stderr.isatty()
    with refusing_session(config) as session:
        options = ImportOptions(
            default_region=config.messaging.default_region,
            allow_duplicates=bool(effective(session, config).allow_duplicates),
            max_bytes=config.contacts.max_import_mb * 1_000_000,
            group=args.group,
            dry_run=args.dry_run,
        )
        try:
            report = import_contacts(
                session, Path(args.file), options, _progress_bar if shows_progress else None
            )
        finally:
            if shows_progress:
                print(file=sys.stderr)
        if not args.dry_run:
            record_import(session, COMMAND_LINE, report)
            session.commit()
    _print_report(report)


def _print_report(report: ImportReport) -> None:
    from smsbox.contacts.lines import shortened

    kind = "vCard" if report.file.is_vcard else "CSV"
    print(f"{report.file.path.name}: {kind}, {report.file.encoding}")
    verb = "would be" if report.dry_run else "were"
    print(
        f"{report.added} contact(s) {verb} added, {report.updated} updated, "
        f"{report.unchanged} unchanged; {len(report.rejected)} {report.unit}(s) rejected"
    )
    if report.group and not report.dry_run:
        print(f"{report.joined_group} contact(s) joined group {report.group}")
    shown = report.rejected[:REJECTED_IN_PREVIEW] if report.dry_run else report.rejected
    for rejected in shown:
        print(f"  {report.unit} {rejected.line}: {rejected.reason} ({rejected.value})")
    if len(shown) < len(report.rejected):
        print(f"  ... and {len(report.rejected) - len(shown)} more")
    if report.dry_run:
        print("dry run: nothing was stored. The first contacts as they would be stored:")
        for details in report.preview:
            fields = ", ".join(f"{key}={value}" for key, value in details.fields.items())
            print(f"  {details.number}  {shortened(details.name)}  {shortened(fields)}".rstrip())


def cmd_contacts_export(args: argparse.Namespace) -> None:
    from smsbox.activity import COMMAND_LINE
    from smsbox.contacts.exporting import ExportFormat, export_contacts, record_export
    from smsbox.contacts.groups import get_group

    config = load_config(args.config)
    with refusing_session(config) as session:
        group = get_group(session, args.group) if args.group else None
        if args.output:
            with open(args.output, "w", encoding="utf-8", newline="") as out:
                written = export_contacts(session, out, ExportFormat(args.format), group)
        else:
            written = export_contacts(session, sys.stdout, ExportFormat(args.format), group)
        record_export(session, COMMAND_LINE, ExportFormat(args.format), group)
        session.commit()
    print(f"{written} contact(s) exported", file=sys.stderr)


def _contact_ids(session, config: Config, numbers: list[str]) -> list[int]:  # type: ignore[no-untyped-def]
    from smsbox.cli import CommandFailed
    from smsbox.contacts.details import contact_number
    from smsbox.contacts.store import contacts_with_number

    ids = []
    for raw in numbers:
        found = contacts_with_number(session, contact_number(raw, config.messaging.default_region))
        if not found:
            raise CommandFailed(f"no contact has the number {raw}")
        ids += [contact.id for contact in found]
    return ids


def cmd_groups_list(args: argparse.Namespace) -> None:
    from smsbox.contacts.groups import list_groups

    config = load_config(args.config)
    with refusing_session(config) as session:
        groups = list_groups(session)
    if args.json:
        print_json([{"name": group.name, "members": group.members} for group in groups])
        return
    for group in groups:
        print(f"{group.name}  ({group.members} member(s))")


def _changed(args: argparse.Namespace, change) -> Any:  # type: ignore[no-untyped-def]
    """What `change(session, config)` gives, committed."""
    config = load_config(args.config)
    with refusing_session(config) as session:
        result = change(session, config)
        session.commit()
    return result


def cmd_groups_create(args: argparse.Namespace) -> None:
    from smsbox.contacts.groups import create_group

    group = _changed(args, lambda session, _: create_group(session, args.name))
    print(f"group {group.name} created")


def cmd_groups_rename(args: argparse.Namespace) -> None:
    from smsbox.contacts.groups import rename_group

    group = _changed(args, lambda session, _: rename_group(session, args.name, args.new_name))
    print(f"group {args.name} renamed {group.name}")


def cmd_groups_delete(args: argparse.Namespace) -> None:
    from smsbox.contacts.groups import delete_group

    members = _changed(args, lambda session, _: delete_group(session, args.name))
    print(f"group {args.name} deleted; its {members} contact(s) are kept")


def cmd_groups_members(args: argparse.Namespace) -> None:
    from smsbox.contacts.groups import add_members, get_group, remove_members

    adding = args.groups_command == "add"

    def change(session, config: Config) -> tuple[int, str]:  # type: ignore[no-untyped-def]
        group = get_group(session, args.name)
        ids = _contact_ids(session, config, args.numbers)
        return (add_members if adding else remove_members)(session, group, ids), group.name

    count, name = _changed(args, change)
    print(f"{count} contact(s) {'added to' if adding else 'taken out of'} {name}")


def _add_contacts_commands(commands, add) -> None:
    contacts = commands.add_parser("contacts", help="the address book, and contact files")
    sub = contacts.add_subparsers(dest="contacts_command", required=True)
    listing = add("list", cmd_contacts_list, "list contacts by name, a page at a time", sub)
    listing.add_argument("--search", default="", help="only names or numbers holding this")
    listing.add_argument("--group", metavar="NAME", help="only this group's members")
    listing.add_argument("--limit", type=int, default=50, help="at most N (default 50)")
    listing.add_argument("--after", type=int, metavar="ID", help="the page after contact ID")
    listing.add_argument("--json", action="store_true", help="every field, as JSON")
    adding = add("add", cmd_contacts_add, "add a contact (or update the one with NUMBER)", sub)
    adding.add_argument("name")
    adding.add_argument("number", help="national or international format")
    adding.add_argument("--notes", default="")
    adding.add_argument(
        "--field", action="append", default=[], metavar="NAME=VALUE", help="a custom field"
    )
    deleting = add("delete", cmd_contacts_delete, "delete contacts by id", sub)
    deleting.add_argument("ids", type=int, nargs="+", metavar="ID")
    importing = add("import", cmd_contacts_import, "import a CSV or vCard file", sub)
    importing.add_argument("file", metavar="FILE")
    importing.add_argument("--group", metavar="NAME", help="put them in this group (made if new)")
    importing.add_argument(
        "--dry-run", action="store_true", help="check and preview; store nothing"
    )
    importing.add_argument(
        "--progress", action="store_true", help="show progress on stderr even when not a terminal"
    )
    exporting = add("export", cmd_contacts_export, "write contacts as CSV, JSON or vCard", sub)
    exporting.add_argument("--format", choices=("csv", "json", "vcf"), default="csv")
    exporting.add_argument("--group", metavar="NAME", help="only this group's members")
    exporting.add_argument("-o", "--output", metavar="FILE", help="default: standard output")


def _add_groups_commands(commands, add) -> None:
    groups = commands.add_parser("groups", help="groups of contacts")
    sub = groups.add_subparsers(dest="groups_command", required=True)
    listing = add("list", cmd_groups_list, "list groups and their sizes", sub)
    listing.add_argument("--json", action="store_true", help="as JSON")
    add("create", cmd_groups_create, "create a group", sub).add_argument("name")
    renaming = add("rename", cmd_groups_rename, "rename a group", sub)
    renaming.add_argument("name")
    renaming.add_argument("new_name")
    add("delete", cmd_groups_delete, "delete a group (not its contacts)", sub).add_argument("name")
    for name, help_text in (
        ("add", "put the contacts with these numbers in the group"),
        ("remove", "take the contacts with these numbers out of the group"),
    ):
        members = add(name, cmd_groups_members, help_text, sub)
        members.add_argument("name")
        members.add_argument("numbers", nargs="+", metavar="NUMBER")


def add_contacts_commands(commands, add) -> None:
    _add_contacts_commands(commands, add)
    _add_groups_commands(commands, add)
