"""The French catalogue of the web pages: which strings are to be translated, and the
compiled catalogue kept in step with its source.

    .venv/bin/python -m web.i18n.catalog

adds the strings found in the code to web/translations/fr/LC_MESSAGES/messages.po
(drops those gone), lists what still needs a translation, and compiles messages.mo.
tests/test_translations.py fails while a string has no French or the .mo is stale.
"""

from __future__ import annotations

import io
import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parents[2]
FRENCH = ROOT / "web" / "translations" / "fr" / "LC_MESSAGES"
METHOD_MAP = [
    ("web/**/templates/**.html", "jinja2.ext:babel_extract"),
    ("web/**.py", "python"),
    # The core's refusals carry their reason as a template the web translates.
    ("smsbox/numbers.py", "python"),
    ("smsbox/outbox.py", "python"),
    ("smsbox/message_lists.py", "python"),
    ("smsbox/message_actions.py", "python"),
    ("smsbox/conversations.py", "python"),
    ("smsbox/keywords.py", "python"),
    ("smsbox/sending_window.py", "python"),
    ("smsbox/quotas.py", "python"),
    ("smsbox/users.py", "python"),
    ("smsbox/scheduled.py", "python"),
    ("smsbox/contacts/**.py", "python"),
    ("smsbox/campaigns/**.py", "python"),
    ("smsbox/message_settings.py", "python"),
    ("smsbox/account_details.py", "python"),
    ("smsbox/webhooks/*.py", "python"),
    ("smsbox/apikeys.py", "python"),
]
KEYWORDS = {
    **DEFAULT_KEYWORDS,
    "_l": None,
    "lazy_gettext": None,
    "lazy_ngettext": (1, 2),
    "InvalidNumber": None,
    "MessageRejected": None,
    "ListRefused": None,
    "SelectionRefused": None,
    "BadCursor": None,
    "Refusal": None,
    "QuotaExceeded": None,
    "UserError": None,
    # smsbox.users: the reason is the third argument.
    "_keep_an_admin": (3,),
    # smsbox.quotas: the reason is the third argument.
    "_refuse_over": (3,),
    "ScheduleRefused": None,
    "NotScheduled": None,
    "ContactRefused": None,
    "ImportRefused": None,
    # smsbox.contacts.lines: a rejected line's reason is the third argument.
    "Rejected": (3,),
    "reason_template": None,
    "CampaignRefused": None,
    "PlaceholderRefused": None,
    "RecipientsRefused": None,
    "UrlRefused": None,
    "ApiKeyError": None,
    "WebhookRefused": None,
}


def extracted() -> Catalog:
    """Every string of the pages, from the code as it is now."""
    catalog = Catalog(locale="fr")
    for _, _, message, comments, context in extract_from_dir(
        ROOT, METHOD_MAP, keywords=KEYWORDS, comment_tags=("TRANSLATORS:",)
    ):
        catalog.add(message, None, auto_comments=comments, context=context)
    return catalog


def french() -> Catalog:
    with (FRENCH / "messages.po").open("rb") as source:
        return read_po(source, locale="fr")


def untranslated(catalog: Catalog) -> list[str]:
    """The strings of `catalog` with no French, or only a fuzzy guess."""
    missing = []
    for message in catalog:
        if not message.id:
            continue
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if message.fuzzy or not all(strings):
            missing.append(message.id if isinstance(message.id, str) else message.id[0])
    return missing


def compiled(catalog: Catalog) -> bytes:
    output = io.BytesIO()
    write_mo(output, catalog)
    return output.getvalue()


def main() -> int:
    catalog = french()
    template = extracted()
    # Dated as before: the files change only when their strings do.
    template.creation_date = catalog.creation_date
    catalog.update(template, no_fuzzy_matching=True)
    with (FRENCH / "messages.po").open("wb") as target:
        write_po(target, catalog, omit_header=False, sort_output=True, ignore_obsolete=True)
    (FRENCH / "messages.mo").write_bytes(compiled(catalog))
    missing = untranslated(catalog)
    for message in missing:
        print(f"no French yet: {message!r}")
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main())
