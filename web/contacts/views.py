"""The contacts list (search, pages, ticked rows put in or out of a group, or
deleted), and one contact's form."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext, ngettext
from flask_login import login_required

from smsbox.contacts.details import NAME_MAX, NOTES_MAX, ContactRefused, check_contact
from smsbox.contacts.groups import add_members, all_groups, group_by_id, remove_members
from smsbox.contacts.store import (
    SEARCH_MAX,
    chosen_contacts,
    delete_contacts,
    edit_contact,
    find_contacts,
    get_contact,
    save_contact,
)
from smsbox.models import Contact
from web.contacts import bp
from web.contacts.selection import PAGE_SIZES, back, chosen_ids, cursor, page_size
from web.db import get_account, get_config, get_session
from web.i18n import reason

# Empty custom-field rows under a contact's own: more come with each save.
BLANK_FIELDS = 2


@bp.route("/")
@login_required
def index() -> ResponseReturnValue:
    search, size = request.args.get("q", ""), page_size()
    session = get_session()
    page = find_contacts(session, search=search, after=cursor(), limit=size)
    kept = {"q": search or None, "size": size if "size" in request.args else None}
    return render_template(
        "contacts/list.html",
        title=gettext("Contacts"),
        page=page,
        search=search,
        search_max=SEARCH_MAX,
        size=size,
        page_sizes=PAGE_SIZES,
        kept=kept,
        groups=all_groups(session),
    )


@bp.route("/new", methods=["GET", "POST"])
@login_required
def add() -> ResponseReturnValue:
    return _contact_form(None)


@bp.route("/<int:contact_id>", methods=["GET", "POST"])
@login_required
def edit(contact_id: int) -> ResponseReturnValue:
    return _contact_form(get_contact(get_session(), contact_id))


def _contact_form(contact: Contact | None) -> ResponseReturnValue:
    session, config = get_session(), get_config()
    if request.method == "GET":
        shown = _shown(contact)
        return _render_form(contact, shown)
    names, values = request.form.getlist("field_name"), request.form.getlist("field_value")
    if len(names) != len(values):
        abort(400, gettext("The form is incomplete."))
    shown = {
        "name": request.form.get("name", ""),
        "number": request.form.get("number", ""),
        "notes": request.form.get("notes", "").replace("\r\n", "\n"),
        "fields": list(zip(names, values, strict=True)),
    }
    try:
        details = check_contact(
            shown["name"],
            shown["number"],
            config.messaging.default_region,
            shown["notes"],
            _fields(shown["fields"]),
        )
        if contact is None:
            contact, added = save_contact(
                session, details, allow_duplicates=get_account().allow_duplicates
            )
        else:
            added = False
            edit_contact(
                session, contact.id, details, allow_duplicates=get_account().allow_duplicates
            )
    except ContactRefused as error:
        session.rollback()
        return _render_form(contact, shown, error=reason(error)), 400
    session.commit()
    if added:
        flash(gettext("%(name)s was added.", name=contact.name), "success")
    else:
        flash(gettext("%(name)s was saved.", name=contact.name), "success")
    return redirect(url_for("contacts.edit", contact_id=contact.id))


def _fields(pairs: list[tuple[str, str]]) -> dict[str, str]:
    """The custom fields posted; a row with no name and no value is an unused one."""
    fields = {}
    for name, value in pairs:
        if not name.strip() and not value.strip():
            continue
        if not name.strip():
            raise ContactRefused("a custom field needs a name")
        fields[name.strip()] = value.replace("\r\n", "\n")
    return fields


def _shown(contact: Contact | None) -> dict[str, object]:
    if contact is None:
        return {"name": "", "number": "", "notes": "", "fields": []}
    return {
        "name": contact.name,
        "number": contact.raw_number or contact.number,
        "notes": contact.notes,
        "fields": list(contact.fields.items()),
    }


def _render_form(contact: Contact | None, shown: dict, error: str | None = None) -> str:
    return render_template(
        "contacts/edit.html",
        title=gettext("New contact") if contact is None else contact.name,
        contact=contact,
        shown=shown,
        fields=[*shown["fields"], *[("", "")] * BLANK_FIELDS],
        error=error,
        name_max=NAME_MAX,
        notes_max=NOTES_MAX,
    )


@bp.route("/selection", methods=["POST"])
@login_required
def selection() -> ResponseReturnValue:
    """The buttons under the list: into or out of a group at once; delete asks first."""
    ids, to = chosen_ids(), back("contacts.index")
    if not ids:
        flash(gettext("Tick at least one contact first."), "error")
        return redirect(to)
    action, session = request.form.get("action"), get_session()
    if action == "delete":
        return _confirm_delete(ids, to)
    if action not in ("add", "remove"):
        abort(400, gettext("Choose what to do with the ticked contacts."))
    group_id = request.form.get("group", "")
    if not (group_id.isascii() and group_id.isdigit() and len(group_id) <= 18):
        flash(gettext("Choose a group first."), "error")
        return redirect(to)
    group = group_by_id(session, int(group_id))
    existing = [contact.id for contact in chosen_contacts(session, ids)]
    if action == "add":
        count = add_members(session, group, existing)
        text = ngettext(
            "%(num)d contact added to %(group)s.",
            "%(num)d contacts added to %(group)s.",
            count,
            group=group.name,
        )
    else:
        count = remove_members(session, group, existing)
        text = ngettext(
            "%(num)d contact taken out of %(group)s.",
            "%(num)d contacts taken out of %(group)s.",
            count,
            group=group.name,
        )
    session.commit()
    flash(text, "success")
    return redirect(to)


@bp.route("/<int:contact_id>/delete")
@login_required
def delete_one(contact_id: int) -> ResponseReturnValue:
    get_contact(get_session(), contact_id)
    return _confirm_delete([contact_id], url_for("contacts.index"))


def _confirm_delete(ids: list[int], to: str) -> ResponseReturnValue:
    contacts = chosen_contacts(get_session(), ids)
    if not contacts:
        abort(404, gettext("These contacts do not exist (any more)."))
    return render_template(
        "contacts/confirm_delete.html",
        title=gettext("Delete contacts"),
        contacts=contacts,
        back=to,
    )


@bp.route("/delete", methods=["POST"])
@login_required
def delete() -> ResponseReturnValue:
    ids = chosen_ids()
    if not ids:
        abort(400, gettext("No contact was chosen."))
    session = get_session()
    deleted = delete_contacts(session, ids)
    session.commit()
    if not deleted:
        abort(404, gettext("These contacts do not exist (any more)."))
    flash(ngettext("%(num)d contact deleted.", "%(num)d contacts deleted.", deleted), "success")
    # Not back to the page: its link may start after a contact now gone.
    return redirect(url_for("contacts.index"))
