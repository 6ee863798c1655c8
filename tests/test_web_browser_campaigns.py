"""Campaigns in a real headless Chromium: a group send from New SMS whose page follows
the simulated modem's progress without a reload, a campaign cancelled, and the
type-ahead that fills a number or ticks a group."""

from __future__ import annotations

from datetime import timedelta

import pytest
from browser_fixtures import NEEDS_CHROMIUM, log_in, serving, sync_api
from campaign_rows import add_contacts, group_of
from daemon_fixtures import ON_THE_NETWORK, configured, messages, start_and_settle
from waiting import wait_until

from smsbox.models import Direction, Status, utcnow
from smsbox.scheduled import local_input

pytestmark = NEEDS_CHROMIUM


@pytest.fixture
def modem_config(tmp_path):
    return configured(tmp_path, str(tmp_path / "modem"))


def test_a_group_send_from_new_sms_shows_its_counts_move_and_another_is_cancelled(
    browser,
    modem_config,
    db,
    sim,
    start_daemon,
):
    with db() as session:
        group_of(session, "Équipe", add_contacts(session, range(4)))
        session.commit()
    start_and_settle(db, start_daemon)
    # Two seconds a submission: the counts move while the page is watched, and some
    # are still queued when the page first loads, however loaded the machine (a rate
    # limit would not do: it lets a minute's worth go at once).
    sim.slow(2)
    with serving(modem_config, db) as url:
        page = browser.new_context(base_url=url, locale="en-GB").new_page()
        page.set_default_timeout(30_000)
        log_in(page)
        page.goto("/messages/send")
        page.get_by_label("Équipe (4 members)").check()
        # 22:00 in Paris is outside the sending hours: a reminder goes at any hour.
        page.get_by_label("Transactional (a reminder, a code): goes out at any hour").check()
        page.locator("#body").fill("Réunion demain, {name}")
        page.locator("#submit").click()
        sync_api.expect(page.locator(".flashes")).to_contain_text(
            "Campaign queued: 4 messages, 0 skipped as opted out."
        )
        waiting = [
            page.locator(f'tr[data-status="{status}"] .count') for status in ("queued", "sending")
        ]
        # As loaded, some are still to go out (claimed together, they show as sending)...
        assert sum(int(count.text_content() or "0") for count in waiting) > 0
        for count in waiting:  # ... and the page follows them without a reload.
            sync_api.expect(count).to_have_text("0", timeout=30_000)
        wait_until(
            lambda: (
                len([m for m in messages(db, Direction.OUTBOUND) if m.status in ON_THE_NETWORK])
                == 4
            )
        )
        counts = {
            status: int(page.locator(f'tr[data-status="{status}"] .count').text_content() or "0")
            for status in ("sent", "delivered")
        }
        assert sum(counts.values()) == 4
        assert sorted(sms.text for sms in sim.sent()) == [
            f"Réunion demain, Contact {n}" for n in range(4)
        ]

        page.goto("/messages/send")
        page.get_by_label("Équipe (4 members)").check()
        page.locator("#body").fill("Soldes")
        later = local_input(utcnow() + timedelta(days=2), "Europe/Paris")
        page.locator("#send_at").fill(later)
        page.locator("#submit").click()
        sync_api.expect(page.locator('tr[data-status="scheduled"] .count')).to_have_text("4")
        page.get_by_label("Yes, cancel every message of this campaign still waiting").check()
        page.get_by_role("button", name="Cancel the campaign").click()
        sync_api.expect(page.locator('tr[data-status="cancelled"] .count')).to_have_text("4")
        sync_api.expect(page.get_by_role("button", name="Cancel the campaign")).to_have_count(0)
    statuses = [m.status for m in messages(db, Direction.OUTBOUND)]
    assert statuses.count(Status.CANCELLED) == 4


def test_the_type_ahead_fills_a_contacts_number_and_ticks_a_group(browser, config, sessions):
    with sessions() as session:
        ids = add_contacts(session, range(3))
        group_of(session, "Contacts fidèles", ids[:2])
        session.commit()
    with serving(config, sessions) as url:
        page = browser.new_context(base_url=url, locale="en-GB").new_page()
        log_in(page)
        page.goto("/messages/send")
        number = page.locator("#number")
        number.press_sequentially("Contact 2")
        page.get_by_role("option", name="Contact 2 · +33610000002").click()
        sync_api.expect(number).to_have_value("+33610000002")

        number.fill("")
        number.press_sequentially("fid")
        sync_api.expect(page.get_by_role("option")).to_have_text(
            ["Contacts fidèles (group, 2 members)"]
        )
        number.press("ArrowDown")
        number.press("Enter")
        sync_api.expect(page.get_by_label("Contacts fidèles (2 members)")).to_be_checked()
        sync_api.expect(number).to_have_value("")
