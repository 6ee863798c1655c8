"""The templates' filters write what Flask-Babel's own would, at a lower cost."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from flask_babel import format_datetime

from smsbox.models import Status
from web.filters import STATUS_NAMES, localtime, status_name

# Around Paris's change to summer time (2024-03-31 01:00 UTC) and back (10-27 01:00 UTC),
# and across midnight and noon (12-hour clocks).
MOMENTS = (
    [datetime(2024, 3, 31, 0, 30, tzinfo=UTC) + timedelta(minutes=20 * step) for step in range(9)]
    + [
        datetime(2024, 10, 27, 0, 10, tzinfo=UTC) + timedelta(minutes=25 * step)
        for step in range(6)
    ]
    + [datetime(2024, 12, 31, 22, 59, 59, 999999, tzinfo=UTC), datetime(2025, 1, 1, 11, 5)]
)


@pytest.mark.parametrize("language", ["fr", "en"])
def test_it_writes_times_as_flask_babel_does(app, language):
    with app.test_request_context(headers={"Accept-Language": language}):
        assert [localtime(moment) for moment in MOMENTS] == [
            format_datetime(moment, "short") for moment in MOMENTS
        ]
        assert localtime(None) == ""


@pytest.mark.parametrize(("language", "delivered"), [("fr", "remis"), ("en", "delivered")])
def test_it_names_states_in_the_readers_language(app, language, delivered):
    with app.test_request_context(headers={"Accept-Language": language}):
        assert status_name(Status.DELIVERED) == delivered
        assert [status_name(status) for status in STATUS_NAMES] == [
            str(name) for name in STATUS_NAMES.values()
        ]
        assert status_name("unheard-of") == "unheard-of"
