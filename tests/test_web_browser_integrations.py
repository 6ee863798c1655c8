"""The API keys and webhooks pages in a real browser (Debian's Chromium)."""

from __future__ import annotations

import pytest
from browser_fixtures import CHROMIUM, CHROMIUM_ARGS, NEEDS_CHROMIUM, log_in, serving, sync_api
from sqlalchemy import select
from web_fixtures import PASSWORD

from smsbox import apikeys
from smsbox.models import WebhookEndpoint
from smsbox.users import create_user

pytestmark = NEEDS_CHROMIUM


@pytest.fixture
def admin_page(config, sessions):
    with sessions() as session:
        create_user(session, "root", PASSWORD, language="en", admin=True)
        session.commit()
    with serving(config, sessions) as base_url, sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = browser.new_context(base_url=base_url).new_page()
            page.set_default_timeout(10_000)
            log_in(page, "root")
            yield page
        finally:
            browser.close()


def test_an_admin_creates_and_revokes_an_api_key_in_a_browser(admin_page, sessions):
    page = admin_page
    page.get_by_role("link", name="API keys").click()
    page.get_by_label("Name (what or who uses it)").fill("booking system")
    page.get_by_label("Scope").select_option("read")
    page.get_by_role("button", name="Create the key").click()
    token = page.locator("#created-key").inner_text()
    with sessions() as session:
        assert apikeys.authenticate(session, token).scope == "read"

    page.get_by_role("link", name="API keys").click()
    sync_api.expect(page.locator("#created-key")).to_have_count(0)
    page.get_by_role("button", name="Revoke the key booking system").click()
    sync_api.expect(page.locator(".flash")).to_contain_text("opens nothing any more")
    sync_api.expect(page.locator("table.apikeys")).to_contain_text("revoked")


def test_an_admin_adds_disables_and_removes_a_webhook_in_a_browser(admin_page, sessions):
    page = admin_page
    page.get_by_role("link", name="Webhooks").click()
    page.get_by_label("URL the events are posted to").fill("http://127.0.0.1:9/hook")
    page.get_by_label("an SMS was received").check()
    page.get_by_role("button", name="Add the webhook").click()
    sync_api.expect(page.locator(".field-errors")).to_contain_text("only an admin may allow")

    page.get_by_label("Allow an address of this box").check()
    page.get_by_label("an SMS was received").check()
    page.get_by_role("button", name="Add the webhook").click()
    sync_api.expect(page.locator("#added-secret")).to_contain_text("whsec_")

    row = page.locator("table.webhooks tbody tr").first
    row.get_by_role("button", name="Disable").click()
    sync_api.expect(page.locator(".flash")).to_contain_text("disabled")
    with sessions() as session:
        assert session.scalars(select(WebhookEndpoint.enabled)).one() is False

    page.get_by_role("link", name="http://127.0.0.1:9/hook").click()
    sync_api.expect(page.locator(".empty")).to_contain_text("Nothing was posted")
    page.get_by_role("link", name="All webhooks").click()
    page.get_by_role("button", name="Remove the webhook http://127.0.0.1:9/hook").click()
    sync_api.expect(page.locator(".empty")).to_have_text("No webhook yet.")
