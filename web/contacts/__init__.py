"""The address book's pages: contacts, groups, importing and exporting contact
files. Every page works on the core (smsbox.contacts), which checks every value."""

from __future__ import annotations

from flask import Blueprint, render_template
from flask.typing import ResponseReturnValue
from flask_babel import gettext

from smsbox.contacts.details import ContactRefused
from smsbox.contacts.files import ImportRefused
from web.i18n import reason

bp = Blueprint("contacts", __name__, url_prefix="/contacts", template_folder="templates")


@bp.errorhandler(ContactRefused)
@bp.errorhandler(ImportRefused)
def _refused(error: ContactRefused | ImportRefused) -> ResponseReturnValue:
    """A contact, group or file id that does not exist (any more), and the like."""
    status = 404 if error.template.startswith("there is no") else 400
    return render_template(
        "error.html", title=gettext("Request refused"), reason=reason(error)
    ), status


from web.contacts import exports, groups, imports, views  # noqa: E402,F401  (their routes join it)
