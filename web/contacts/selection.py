"""What the contacts' lists post: the ticked ids, the page size and cursor they were
shown with, and where to go back to."""

from __future__ import annotations

from flask import abort, request, url_for
from flask_babel import gettext

from web.auth.login import is_local_path

PAGE_SIZES = (10, 25, 50, 100)
DEFAULT_PAGE_SIZE = 25
# Past 18 digits no id fits in the database's 64-bit integers.
ID_DIGITS = 18


def chosen_ids() -> list[int]:
    values = request.form.getlist("id")
    if not all(value.isascii() and value.isdigit() for value in values):
        abort(400, gettext("These are not contacts from a list."))
    return sorted({int(value) for value in values if len(value) <= ID_DIGITS})


def page_size() -> int:
    value = request.args.get("size") or str(DEFAULT_PAGE_SIZE)
    if value not in {str(size) for size in PAGE_SIZES}:
        abort(400, gettext("Choose 10, 25, 50 or 100 rows per page."))
    return int(value)


def cursor() -> int | None:
    value = request.args.get("after")
    if value is None:
        return None
    if not (value.isascii() and value.isdigit() and len(value) <= ID_DIGITS):
        abort(400, gettext("This page link is damaged: go back to the first page."))
    return int(value)


def back(default_endpoint: str) -> str:
    target = request.form.get("back")
    return target if target and is_local_path(target) else url_for(default_endpoint)
