"""The address book's pages: contacts, groups, importing and exporting contact
files. Every page works on the core (smsbox.contacts), which checks every value."""

from __future__ import annotations

from flask import Blueprint, render_template, request
from flask.typing import ResponseReturnValue
from flask_babel import gettext

from smsbox.contacts.details import ContactRefused
from smsbox.contacts.files import ImportRefused
from smsbox.contacts.lines import Rejected
from web.db import get_config
from web.i18n import reason

bp = Blueprint("contacts", __name__, url_prefix="/contacts", template_folder="templates")
# Room for the form around the file in the request.
FORM_BYTES = 64 * 1024


def allow_contact_files() -> None:
    """The import page takes files up to [contacts] max_import_mb, over the requests'
    usual limit (web.MAX_REQUEST_BYTES)."""
    if request.endpoint == "contacts.import_file":
        request.max_content_length = upload_limit() + FORM_BYTES


@bp.app_template_filter("why")
def why(rejected: Rejected) -> str:
    """Why a line of a file was rejected, in the reader's language."""
    return gettext(rejected.template, **rejected.values)


def upload_limit() -> int:
    return get_config().contacts.max_import_mb * 1_000_000


@bp.errorhandler(ContactRefused)
@bp.errorhandler(ImportRefused)
def _refused(error: ContactRefused | ImportRefused) -> ResponseReturnValue:
    """A contact, group or file id that does not exist (any more), and the like."""
    status = 404 if error.template.startswith("there is no") else 400
    return render_template(
        "error.html", title=gettext("Request refused"), reason=reason(error)
    ), status


from web.contacts import exports, groups, imports, views  # noqa: E402,F401  (their routes join it)
