"""Which item of the main navigation a page belongs to."""

from __future__ import annotations

from collections.abc import Iterable

from flask import request, url_for


def current_item(endpoints: Iterable[str]) -> str | None:
    """The item whose address is the longest start of the page's: Groups for a group's
    page, Contacts for a contact's, none for a page outside the navigation."""
    path = request.path
    found, found_length = None, -1
    for endpoint in endpoints:
        address = url_for(endpoint)
        holds = path == address or (address != "/" and path.startswith(address.rstrip("/") + "/"))
        if holds and len(address) > found_length:
            found, found_length = endpoint, len(address)
    return found
