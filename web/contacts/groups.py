"""The groups page (create, rename, delete, how many members each has) and a group's
members, a page at a time, to take out."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext, ngettext
from flask_login import login_required

from smsbox.contacts.details import NAME_MAX, ContactRefused
from smsbox.contacts.groups import (
    create_group,
    delete_group,
    group_by_id,
    list_groups,
    remove_members,
    rename_group,
    summary_of,
)
from smsbox.contacts.store import find_contacts
from web.contacts import bp
from web.contacts.selection import PAGE_SIZES, back, chosen_ids, cursor, page_size
from web.db import get_session
from web.i18n import reason


@bp.route("/groups", methods=["GET", "POST"])
@login_required
def groups() -> ResponseReturnValue:
    session, error, typed = get_session(), None, ""
    if request.method == "POST":
        typed = request.form.get("name", "")
        try:
            group = create_group(session, typed)
        except ContactRefused as refusal:
            session.rollback()
            error = reason(refusal)
        else:
            session.commit()
            flash(gettext("Group %(name)s created.", name=group.name), "success")
            return redirect(url_for("contacts.groups"))
    page = render_template(
        "contacts/groups.html",
        title=gettext("Groups"),
        groups=list_groups(session),
        error=error,
        typed=typed,
        name_max=NAME_MAX,
    )
    return page, 400 if error else 200


@bp.route("/groups/<int:group_id>/rename", methods=["POST"])
@login_required
def rename(group_id: int) -> ResponseReturnValue:
    session = get_session()
    group = group_by_id(session, group_id)
    old_name = group.name
    rename_group(session, old_name, request.form.get("name", ""))
    session.commit()
    flash(gettext("Group %(old)s renamed %(new)s.", old=old_name, new=group.name), "success")
    return redirect(url_for("contacts.groups"))


@bp.route("/groups/<int:group_id>/delete", methods=["GET", "POST"])
@login_required
def delete_group_page(group_id: int) -> ResponseReturnValue:
    session = get_session()
    group = group_by_id(session, group_id)
    if request.method == "GET":
        return render_template(
            "contacts/confirm_group_delete.html",
            title=gettext("Delete a group"),
            group=summary_of(session, group),
        )
    name = group.name
    members = delete_group(session, name)
    session.commit()
    flash(
        ngettext(
            "Group %(name)s deleted; its %(num)d contact is kept.",
            "Group %(name)s deleted; its %(num)d contacts are kept.",
            members,
            name=name,
        ),
        "success",
    )
    return redirect(url_for("contacts.groups"))


@bp.route("/groups/<int:group_id>")
@login_required
def members(group_id: int) -> ResponseReturnValue:
    session, size = get_session(), page_size()
    group = group_by_id(session, group_id)
    page = find_contacts(session, group_id=group.id, after=cursor(), limit=size)
    return render_template(
        "contacts/members.html",
        title=group.name,
        group=summary_of(session, group),
        page=page,
        size=size,
        page_sizes=PAGE_SIZES,
        kept={"size": size if "size" in request.args else None},
    )


@bp.route("/groups/<int:group_id>/remove", methods=["POST"])
@login_required
def remove(group_id: int) -> ResponseReturnValue:
    session = get_session()
    group = group_by_id(session, group_id)
    removed = remove_members(session, group, chosen_ids())
    session.commit()
    flash(
        ngettext(
            "%(num)d contact taken out of %(group)s.",
            "%(num)d contacts taken out of %(group)s.",
            removed,
            group=group.name,
        ),
        "success",
    )
    return redirect(back("contacts.groups"))
