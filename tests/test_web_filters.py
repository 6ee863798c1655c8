"""The templates' filters write what Flask-Babel's own would, at a lower cost."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from babel.dates import format_datetime as babel_format_datetime
from flask_babel import format_datetime

from smsbox.models import Status
from web.filters import STATUS_NAMES, datetime_writer, localtime, status_name

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


# Each hour of a day, with minutes and seconds that tell the fields apart.
DAY = [datetime(2026, 11, 26, 0, 7, 9, tzinfo=UTC) + timedelta(hours=hour) for hour in range(24)]


@pytest.mark.parametrize(
    "locale",
    # The pages' two, then others whose short patterns hold what those lack: a 12-hour
    # clock with its day period (en_US), a two-digit year, a month's name (ja: 月), a
    # clock where midnight is 0 or 24 (ja_JP's "H:mm"), right-to-left text (ar).
    ["fr_FR", "en_GB", "en_US", "de_DE", "ja_JP", "ar_EG", "ko_KR"],
)
@pytest.mark.parametrize(
    "zone",
    # Whole hours either side of UTC, a half hour (Kolkata), summer time a half hour
    # (Lord Howe), a date line (Kiritimati).
    [
        "Europe/Paris",
        "America/New_York",
        "Asia/Kolkata",
        "Australia/Lord_Howe",
        "Pacific/Kiritimati",
    ],
)
def test_its_writer_agrees_with_babel_in_any_locale_and_zone(locale, zone):
    write = datetime_writer(locale, zone)
    for moment in MOMENTS + DAY:
        assert write(moment) == babel_format_datetime(moment, "short", tzinfo=zone, locale=locale)


@pytest.mark.parametrize(("language", "delivered"), [("fr", "remis"), ("en", "delivered")])
def test_it_names_states_in_the_readers_language(app, language, delivered):
    with app.test_request_context(headers={"Accept-Language": language}):
        assert status_name(Status.DELIVERED) == delivered
        assert [status_name(status) for status in STATUS_NAMES] == [
            str(name) for name in STATUS_NAMES.values()
        ]
        assert status_name("unheard-of") == "unheard-of"
