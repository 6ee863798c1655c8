"""The export page: every contact or one group's, as CSV, JSON or vCard, downloaded
as the rows are read (a POST: the export is written in the activity log)."""

from __future__ import annotations

from collections.abc import Iterator

from flask import Response, abort, render_template, request
from flask.typing import ResponseReturnValue
from flask_babel import gettext
from flask_login import current_user, login_required
from sqlalchemy.orm import Session, sessionmaker

from smsbox.contacts.exporting import ExportFormat, export_chunks, record_export
from smsbox.contacts.groups import all_groups, group_by_id
from smsbox.models import Group
from web.contacts import bp
from web.db import get_session, get_sessions

MIMETYPES = {
    ExportFormat.CSV: "text/csv",
    ExportFormat.JSON: "application/json",
    ExportFormat.VCARD: "text/vcard",
}


@bp.route("/export", methods=["GET", "POST"])
@login_required
def export() -> ResponseReturnValue:
    session = get_session()
    if request.method == "GET":
        return render_template(
            "contacts/export.html", title=gettext("Export contacts"), groups=all_groups(session)
        )
    try:
        format = ExportFormat(request.form.get("format", ""))
    except ValueError:
        abort(400, gettext("Choose CSV, JSON or vCard."))
    group_id = request.form.get("group", "")
    if group_id and not (group_id.isascii() and group_id.isdigit() and len(group_id) <= 18):
        abort(400, gettext("Choose a group from the list."))
    group = group_by_id(session, int(group_id)) if group_id else None
    record_export(session, current_user.actor, format, group)
    session.commit()
    name = f"contacts-{group.id}" if group else "contacts"
    return Response(
        _streamed(get_sessions(), format, group),
        mimetype=MIMETYPES[format],
        headers={"Content-Disposition": f"attachment; filename={name}.{format}"},
    )


def _streamed(
    sessions: sessionmaker[Session], format: ExportFormat, group: Group | None
) -> Iterator[str]:
    """The download's own session, closed when its last row is sent or the client goes:
    the request's is closed when the view returns, before the first row is read."""
    with sessions() as session:
        yield from export_chunks(session, format, group)
