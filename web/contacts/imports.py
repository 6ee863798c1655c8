"""The import page: a CSV or vCard file is uploaded and kept aside, previewed (what
would be stored, every bad line counted, nothing written), then committed: the
import runs in the background while the page shows its progress, and ends on the
report of every rejected line (downloadable as CSV).

The uploads and jobs a browser may see are listed in its (signed) session: a token
is good only for the session that uploaded the file.
"""

from __future__ import annotations

import csv
import io

from flask import (
    Response,
    abort,
    current_app,
    jsonify,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_babel import gettext
from flask_login import current_user, login_required
from werkzeug.exceptions import RequestEntityTooLarge

from smsbox.contacts.details import NAME_MAX, ContactRefused
from smsbox.contacts.files import ImportRefused
from smsbox.contacts.groups import all_groups, group_by_id, new_group_name
from smsbox.contacts.importing import ImportOptions, import_contacts
from smsbox.contacts.uploads import discard_upload, keep_upload, upload_path, uploads_directory
from smsbox.spreadsheets import as_text
from web.contacts import bp, why
from web.contacts.jobs import ImportJob, ImportJobs, import_jobs_directory
from web.db import get_account, get_config, get_session, get_sessions
from web.i18n import reason

JOBS_KEY = "smsbox.contact_imports"
# The session lists the last few of each: enough for a few tabs at once.
REMEMBERED = 5
REJECTED_IN_PREVIEW = 20


def _jobs() -> ImportJobs:
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    if JOBS_KEY not in app.extensions:
        app.extensions[JOBS_KEY] = ImportJobs(
            get_sessions(), import_jobs_directory(get_config().data_dir)
        )
    return app.extensions[JOBS_KEY]


def _remember(key: str, token: str) -> None:
    session[key] = [*session.get(key, [])[-(REMEMBERED - 1) :], token]


def _is_own(key: str, token: str) -> bool:
    return token in session.get(key, [])


def _options(group: str | None, dry_run: bool) -> ImportOptions:
    config = get_config()
    return ImportOptions(
        default_region=config.messaging.default_region,
        allow_duplicates=get_account().allow_duplicates,
        max_bytes=config.contacts.max_import_mb * 1_000_000,
        group=group,
        dry_run=dry_run,
    )


def _uploads():  # type: ignore[no-untyped-def]
    return uploads_directory(get_config().data_dir)


@bp.route("/import", methods=["GET", "POST"])
@login_required
def import_file() -> ResponseReturnValue:
    if request.method == "GET":
        return _render_form()
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        return _render_form(gettext("Choose a CSV or vCard file to import."), 400)
    try:
        group = _chosen_group(request.form.get("group", ""), request.form.get("new_group", ""))
    except ImportRefused as refusal:
        return _render_form(reason(refusal), 400)
    token = keep_upload(_uploads(), upload.stream, upload.filename)
    try:
        report = import_contacts(
            get_session(), upload_path(_uploads(), token), _options(group, dry_run=True)
        )
    except ImportRefused as refusal:
        discard_upload(_uploads(), token)
        return _render_form(reason(refusal), 400)
    finally:
        get_session().rollback()
    _remember("contact_uploads", token)
    return render_template(
        "contacts/preview.html",
        title=gettext("Import: preview"),
        report=report,
        token=token,
        group=group,
        new_group=request.form.get("group") == "new",
        rejected=report.rejected[:REJECTED_IN_PREVIEW],
    )


def _chosen_group(choice: str, new_name: str) -> str | None:
    """The name of the group to import into (None: none); a new name must be free."""
    session = get_session()
    try:
        if choice == "new":
            return new_group_name(session, new_name)
        if choice.isascii() and choice.isdigit() and len(choice) <= 18:
            return group_by_id(session, int(choice)).name
    except ContactRefused as refusal:
        raise ImportRefused(refusal.template, **refusal.values) from None
    if choice:
        raise ImportRefused("choose a group from the list")
    return None


@bp.errorhandler(RequestEntityTooLarge)
def _too_large(error: RequestEntityTooLarge) -> ResponseReturnValue:
    # The form could not be read: it is shown again empty.
    message = gettext(
        "The file is larger than %(limit)s MB, the largest imported ([contacts] max_import_mb).",
        limit=get_config().contacts.max_import_mb,
    )
    return _render_form(message, 413, choice="", new_group="")


def _render_form(error: str | None = None, status: int = 200, **typed: str) -> ResponseReturnValue:
    if not typed:
        typed = {
            "choice": request.form.get("group", ""),
            "new_group": request.form.get("new_group", ""),
        }
    return render_template(
        "contacts/import.html",
        title=gettext("Import contacts"),
        groups=all_groups(get_session()),
        limit_mb=get_config().contacts.max_import_mb,
        error=error,
        name_max=NAME_MAX,
        **typed,
    ), status


@bp.route("/import/commit", methods=["POST"])
@login_required
def commit_import() -> ResponseReturnValue:
    token = request.form.get("token", "")
    if not _is_own("contact_uploads", token):
        abort(404, gettext("This import is not yours or is over: upload the file again."))
    group = request.form.get("group") or None
    path = upload_path(_uploads(), token)
    _jobs().start(token, path, _uploads(), _options(group, dry_run=False), current_user.actor)
    session["contact_uploads"] = [kept for kept in session["contact_uploads"] if kept != token]
    _remember("contact_imports", token)
    return redirect(url_for("contacts.import_status", token=token))


@bp.route("/import/cancel", methods=["POST"])
@login_required
def cancel_import() -> ResponseReturnValue:
    token = request.form.get("token", "")
    if _is_own("contact_uploads", token):
        discard_upload(_uploads(), token)
    return redirect(url_for("contacts.import_file"))


def _own_job(token: str) -> ImportJob:
    job = _jobs().get(token) if _is_own("contact_imports", token) else None
    if job is None:
        abort(404, gettext("There is no such import (any more)."))
    return job


@bp.route("/import/<token>")
@login_required
def import_status(token: str) -> ResponseReturnValue:
    job = _own_job(token)
    return render_template(
        "contacts/import_status.html",
        title=gettext("Import of %(file)s", file=job.file_name),
        job=job,
        refusal=reason(job.refusal) if job.refusal else None,
    )


@bp.route("/import/<token>/progress")
@login_required
def import_progress(token: str) -> ResponseReturnValue:
    job = _own_job(token)
    return jsonify(done=job.done, total=job.total, finished=job.finished or job.stopped)


@bp.route("/import/<token>/rejected.csv")
@login_required
def rejected_csv(token: str) -> ResponseReturnValue:
    job = _own_job(token)
    if job.report is None:
        abort(404, gettext("This import has no report yet."))
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([job.report.unit, "value", "reason"])
    for rejected in job.report.rejected:
        writer.writerow([rejected.line, as_text(rejected.value), as_text(why(rejected))])
    return Response(
        "\ufeff" + out.getvalue(),  # a BOM: spreadsheets then read the file as UTF-8
        mimetype="text/csv",
        headers={"Content-Disposition": "attachment; filename=rejected-lines.csv"},
    )
