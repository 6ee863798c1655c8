"""The addresses of a list's rows: built once a page, each row's value filled in."""

from __future__ import annotations

from typing import Any

from flask import current_app, url_for

# Digits: what every converter (a number, a string) writes unchanged, and what no
# route's fixed part holds.
_PLACEHOLDER = "918273645546372819"


class RowLink:
    """One endpoint's address for every row of a list, its `name` argument filled in
    with each row's value: url_for builds it once (some 20 µs a call, which a list of
    100 rows felt), and the route's own converter writes each value, so each address
    is what url_for(endpoint, name=value, **values) writes. Templates escape it like
    any other string."""

    def __init__(self, endpoint: str, name: str, **values: Any):
        rules = current_app.url_map.iter_rules(endpoint)
        rule = next((rule for rule in rules if name in rule.arguments), None)
        if rule is None:
            raise ValueError(f"{endpoint}'s address takes no {name}")
        # Werkzeug keeps the converter of each argument of a rule there.
        self._converter = rule._converters[name]
        address = url_for(endpoint, **{name: _PLACEHOLDER}, **values)
        self._before, placeholder, self._after = address.partition(_PLACEHOLDER)
        if not placeholder or _PLACEHOLDER in self._after:
            raise ValueError(f"{endpoint}'s address does not hold its {name} once: {address}")

    def __call__(self, value: Any) -> str:
        return f"{self._before}{self._converter.to_url(value)}{self._after}"
