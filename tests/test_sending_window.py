"""The sending hours of commercial messages: the window, public holidays, daylight
saving, the settings refused, and the daemon's worker holding commercial messages
while the window is closed."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from fake_driver import FakeDriver, connected_worker
from outbox_rows import status_of
from sqlalchemy.orm import Session

from modem.pace import SETTINGS_REFRESH
from smsbox import account_settings, sending
from smsbox.account_details import AccountDetails
from smsbox.activity import COMMAND_LINE
from smsbox.models import Status
from smsbox.outbox import queue_message
from smsbox.refusals import Refusal
from smsbox.sending_window import SendingWindow

PARIS = ZoneInfo("Europe/Paris")
FRENCH = SendingWindow()
CLOSED = SendingWindow(hours=(None,) * 7, holiday_country="")


def paris(*fields: int) -> datetime:
    return datetime(*fields, tzinfo=PARIS)


@pytest.mark.parametrize(
    ("moment", "is_open"),
    [
        (paris(2026, 11, 28, 19, 59), True),  # Saturday
        (paris(2026, 11, 28, 20, 0), False),
        (paris(2026, 11, 29, 12, 0), False),  # Sunday
        (paris(2026, 11, 30, 7, 59), False),
        (paris(2026, 11, 30, 8, 0), True),
        (paris(2026, 11, 11, 10, 0), False),  # Armistice Day, a Wednesday
        (paris(2026, 7, 14, 10, 0), False),  # National Day
    ],
)
def test_french_commercial_sms_go_monday_to_saturday_8_to_20_and_not_on_holidays(moment, is_open):
    assert FRENCH.is_open(moment, PARIS) is is_open


def test_a_send_started_saturday_evening_resumes_monday_or_after_a_holiday_monday():
    saturday = paris(2026, 11, 28, 20, 0)
    assert FRENCH.next_opening(saturday, PARIS) == paris(2026, 11, 30, 8, 0)
    # Easter Monday 2026 is April 6: Tuesday 8:00, now in summer time (UTC+2).
    before_easter = paris(2026, 4, 4, 20, 0)
    assert FRENCH.next_opening(before_easter, PARIS) == datetime(2026, 4, 7, 6, 0, tzinfo=UTC)


def test_the_next_opening_after_the_clocks_go_forward_is_8_local_time():
    saturday = paris(2026, 3, 28, 21, 0)  # the clocks go forward that night
    assert FRENCH.next_opening(saturday, PARIS) == datetime(2026, 3, 30, 6, 0, tzinfo=UTC)


def test_an_open_window_opens_now_and_a_window_never_open_never_opens():
    moment = paris(2026, 11, 30, 9, 0)
    assert FRENCH.next_opening(moment, PARIS) == moment
    assert CLOSED.next_opening(moment, PARIS) is None


def test_extra_days_off_close_the_window_and_worked_holidays_open_it():
    window = dataclasses.replace(
        FRENCH, extra_holidays=("2026-12-24",), worked_holidays=("2026-11-11",)
    )
    assert not window.is_open(paris(2026, 12, 24, 10, 0), PARIS)
    assert window.is_open(paris(2026, 11, 11, 10, 0), PARIS)


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"hours": (("20:00", "08:00"),) * 7}, "monday: the sending hours end (08:00) before"),
        ({"hours": (("8h", "20:00"),) * 7}, "monday: 8h is no time of day (HH:MM)."),
        ({"hours": (("08:00", "20:00"),) * 6}, "The sending hours need one entry per day"),
        ({"extra_holidays": ("2026-13-01",)}, "The holiday 2026-13-01 is no date (YYYY-MM-DD)."),
        ({"holiday_country": "XX"}, "XX is no country whose public holidays are known."),
    ],
)
def test_it_refuses_sending_hours_that_cannot_be_applied(change, reason):
    with pytest.raises(Refusal) as refused:
        dataclasses.replace(FRENCH, **change)
    assert str(refused.value).startswith(reason)


def test_saved_sending_hours_come_back_as_they_were(sessions):
    window = dataclasses.replace(FRENCH, extra_holidays=("2026-12-24",))
    with sessions() as session:
        assert account_settings.sending_window(session) == FRENCH
        account_settings.save(session, account_settings.SENDING_WINDOW, window, COMMAND_LINE)
        session.commit()
    with sessions() as session:
        assert account_settings.sending_window(session) == window


def queue(session: Session, text: str, *, transactional: bool) -> int:
    message = queue_message(
        session, "0612345678", text, default_region="FR", transactional=transactional
    )
    return message.id


def test_outside_the_window_only_transactional_messages_are_claimed(sessions, modem_id):
    with sessions() as session:
        commercial = queue(session, "Soldes !", transactional=False)
        code = queue(session, "Code : 1234", transactional=True)
        session.commit()
        assert sending.claim_next(session, modem_id, commercial=False).id == code
        assert sending.claim_next(session, modem_id, commercial=False) is None
        assert sending.claim_next(session, modem_id, commercial=True).id == commercial


def test_the_worker_holds_commercial_messages_until_an_admin_opens_the_window(sessions, clock):
    with sessions() as session:
        account_settings.save(session, account_settings.SENDING_WINDOW, CLOSED, COMMAND_LINE)
        commercial = queue(session, "Soldes !", transactional=False)
        queue(session, "Votre rendez-vous est demain à 9 h", transactional=True)
        session.commit()
    driver = FakeDriver()
    worker = connected_worker(sessions, driver, clock)
    for _ in range(3):
        worker.step()
    assert driver.texts_on_the_network() == ["Votre rendez-vous est demain à 9 h"]
    assert status_of(sessions, commercial) == Status.QUEUED

    with sessions() as session:
        always = SendingWindow(hours=(("00:00", "24:00"),) * 7, holiday_country="")
        account_settings.save(session, account_settings.SENDING_WINDOW, always, COMMAND_LINE)
        session.commit()
    clock.now += SETTINGS_REFRESH
    worker.step()
    assert status_of(sessions, commercial) == Status.SENT


def test_the_worker_opens_the_window_in_the_time_zone_an_admin_sets(sessions, clock):
    mornings = SendingWindow(hours=(("00:00", "12:00"),) * 7, holiday_country="")
    # Twelve hours apart: the mornings are open in exactly one of the two now.
    zones = ("UTC", "Etc/GMT+12")
    closed, open_ = sorted(
        zones, key=lambda zone: mornings.is_open(datetime.now(UTC), ZoneInfo(zone))
    )

    def set_zone(session: Session, zone: str) -> None:
        details = AccountDetails(timezone=zone)
        account_settings.save(session, account_settings.ACCOUNT, details, COMMAND_LINE)
        session.commit()

    with sessions() as session:
        account_settings.save(session, account_settings.SENDING_WINDOW, mornings, COMMAND_LINE)
        set_zone(session, closed)
        commercial = queue(session, "Soldes !", transactional=False)
        session.commit()
    worker = connected_worker(sessions, FakeDriver(), clock)
    worker.step()
    assert status_of(sessions, commercial) == Status.QUEUED

    with sessions() as session:
        set_zone(session, open_)
    clock.now += SETTINGS_REFRESH
    worker.step()
    assert status_of(sessions, commercial) == Status.SENT
