"""Campaigns going out through the daemon: a commercial group send stops when the
sending hours end and resumes when they open; cancelling half way leaves the rest
cancelled, never sent, on the simulated modem."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from campaign_rows import add_contacts, group_of
from daemon_fixtures import ON_THE_NETWORK, configured, messages, start_and_settle
from fake_driver import FakeDriver, connected_worker
from waiting import wait_until

from modem import pace
from smsbox.activity import COMMAND_LINE
from smsbox.campaigns.store import CampaignRequest, cancel_campaign, progress, send_campaign
from smsbox.models import Direction, Message, Status

PARIS = ZoneInfo("Europe/Paris")


def send(session, text: str, count: int, *, transactional: bool = False) -> int:
    group = group_of(session, "Clients", add_contacts(session, range(count)))
    campaign = send_campaign(
        session,
        CampaignRequest(text, groups=[group], transactional=transactional),
        COMMAND_LINE,
        default_region="FR",
        zone=PARIS,
    )
    session.commit()
    return campaign.id


def test_a_group_send_started_saturday_1958_sends_what_fits_and_the_rest_monday_8(
    sessions, clock, monkeypatch
):
    started = datetime(2026, 11, 28, 19, 58, tzinfo=PARIS)  # a Saturday
    monkeypatch.setattr(pace, "utcnow", lambda: started + timedelta(seconds=clock.now - 1000))
    with sessions() as session:
        campaign_id = send(session, "Soldes ce week-end, {name} !", 5)
    driver = FakeDriver()
    # One a minute: 19:58 and 19:59 fit before 20:00.
    worker = connected_worker(sessions, driver, clock, rate_limit=1)

    went: list[str] = []  # the local time each SMS reached the network

    def minutes(count: int) -> None:
        for _ in range(count):
            before = len(driver.texts_on_the_network())
            worker.step()
            now = pace.utcnow().astimezone(PARIS).strftime("%a %H:%M")
            went.extend([now] * (len(driver.texts_on_the_network()) - before))
            clock.now += 60

    minutes(4)  # 19:58 to 20:01
    assert driver.texts_on_the_network() == [
        "Soldes ce week-end, Contact 0 !",
        "Soldes ce week-end, Contact 1 !",
    ]
    clock.now += (datetime(2026, 11, 29, 12, 0, tzinfo=PARIS) - started).total_seconds() - 240
    minutes(3)  # Sunday noon: closed all day
    with sessions() as session:
        assert progress(session, campaign_id).counts[Status.QUEUED] == 3
    clock.now = 1000 + (datetime(2026, 11, 30, 7, 59, tzinfo=PARIS) - started).total_seconds()
    minutes(5)  # Monday 07:59 to 08:03
    assert went == ["Sat 19:58", "Sat 19:59", "Mon 08:00", "Mon 08:01", "Mon 08:02"]
    assert len(set(driver.texts_on_the_network())) == 5


@pytest.fixture
def modem_config(tmp_path):
    return configured(tmp_path, str(tmp_path / "modem"))


def test_cancelling_half_way_leaves_the_rest_cancelled_never_sent(db, sim, start_daemon):
    start_and_settle(db, start_daemon)
    # A fifth of a second a submission: the campaign lasts long enough to be cancelled
    # half way (a rate limit would not do: it lets a minute's worth go at once).
    sim.slow(0.2)
    with db() as session:
        campaign_id = send(session, "Rappel : {name}", 30, transactional=True)

    wait_until(lambda: len(sim.sent()) >= 5, 30)
    with db() as session:
        cancelled = cancel_campaign(session, campaign_id, COMMAND_LINE)
        session.commit()
    assert cancelled > 0

    def settled() -> list[Message]:
        found = messages(db, Direction.OUTBOUND)
        busy = {Status.QUEUED, Status.SENDING, Status.SCHEDULED}
        return found if not any(m.status in busy for m in found) else []

    final = wait_until(settled, 30)
    on_the_network = [m for m in final if m.status in ON_THE_NETWORK]
    assert len(on_the_network) + cancelled == 30
    assert {m.status for m in final} <= ON_THE_NETWORK | {Status.CANCELLED}
    # Exactly what was not cancelled reached the network, once each.
    assert sorted(sms.text for sms in sim.sent()) == sorted(m.body for m in on_the_network)
