"""The contacts pages in a real browser (Debian's Chromium, Playwright): a contact
added and edited, a spreadsheet's file imported through its preview, an export
downloaded, a group filled from ticked rows; at a laptop's width and a phone's."""

from __future__ import annotations

import pytest
from browser_fixtures import NEEDS_CHROMIUM, PHONE, log_in, sync_api
from sqlalchemy import select
from test_web_contacts import members
from test_web_contacts_import import SPREADSHEET

from smsbox.models import Contact

pytestmark = NEEDS_CHROMIUM


def fits(page) -> None:
    # After a click, the page's text may be there before its stylesheet: an unstyled
    # page is wider (the groups page measured 402 px once, on a loaded machine).
    page.wait_for_load_state()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"{page.url} is {width} px wide"


@pytest.mark.parametrize("viewport", [None, PHONE], ids=["laptop", "phone"])
def test_contacts_are_added_edited_imported_exported_and_grouped_in_a_browser(
    browser,
    base_url,
    sessions,
    tmp_path,
    viewport,
):
    context = browser.new_context(
        base_url=base_url, locale="en-GB", viewport=viewport, accept_downloads=True
    )
    page = context.new_page()
    page.set_default_timeout(30_000)  # a bound for a loaded machine, not a target
    log_in(page)
    check_width = fits if viewport else (lambda page: None)

    page.get_by_role("navigation").get_by_role("link", name="Contacts", exact=True).click()
    sync_api.expect(page.locator(".empty")).to_contain_text("No contact yet")
    page.get_by_role("link", name="Add a contact").click()
    page.get_by_label("Name", exact=True).fill("Ana Lopez")
    page.get_by_label("Number").fill("06 11 22 33 44")
    page.get_by_label("Field 1 name").fill("city")
    page.get_by_label("Field 1 value").fill("Lyon")
    page.get_by_role("button", name="Save").click()
    sync_api.expect(page.locator(".flash")).to_contain_text("Ana Lopez was added.")
    sync_api.expect(page.locator("#stored-number")).to_contain_text("Stored as +33611223344")
    check_width(page)
    page.get_by_label("Name", exact=True).fill("Ana López")
    page.get_by_label("Field 1 value").fill("Paris")
    page.get_by_role("button", name="Save").click()
    sync_api.expect(page.locator(".flash")).to_contain_text("Ana López was saved.")
    sync_api.expect(page.get_by_label("Field 1 value")).to_have_value("Paris")

    page.goto("/contacts/import")
    spreadsheet = tmp_path / "export tableur.csv"
    spreadsheet.write_bytes(SPREADSHEET)
    page.get_by_label("File").set_input_files(spreadsheet)
    page.get_by_label("Put the contacts in a group").select_option(label="A new group (name below)")
    page.get_by_label("New group's name").fill("Salon")
    page.get_by_role("button", name="Preview").click()
    sync_api.expect(page.locator(".counts")).to_contain_text("3 contacts would be added")
    sync_api.expect(page.locator("table.rejected")).to_contain_text("has letters in it")
    check_width(page)
    with sessions() as session:
        assert session.scalars(select(Contact.name)).all() == ["Ana López"]
    page.get_by_role("button", name="Import", exact=True).click()
    sync_api.expect(page.locator(".counts")).to_contain_text("3 contacts added")
    sync_api.expect(page.locator("table.rejected tbody tr")).to_have_count(1)
    check_width(page)
    assert members(sessions, "Salon") == ["Amélie Dupont", "Benoît Lefèvre", "Jürgen Müller"]

    page.get_by_role("navigation").get_by_role("link", name="Groups", exact=True).click()
    page.get_by_label("Name", exact=True).fill("Team")
    page.get_by_role("button", name="Create").click()
    sync_api.expect(page.locator(".flash")).to_contain_text("Group Team created.")
    check_width(page)

    page.get_by_role("navigation").get_by_role("link", name="Contacts", exact=True).click()
    page.get_by_role("checkbox", name="Ana López").check()
    page.get_by_role("checkbox", name="Jürgen Müller").check()
    page.get_by_label("Group", exact=True).select_option(label="Team")
    page.get_by_role("button", name="Add to the group").click()
    sync_api.expect(page.locator(".flash")).to_contain_text("2 contacts added to Team.")
    check_width(page)
    assert members(sessions, "Team") == ["Ana López", "Jürgen Müller"]

    page.goto("/contacts/export")
    page.get_by_label("JSON (every value, groups too)").check()
    page.get_by_label("Contacts", exact=True).select_option(label="Group Team")
    with page.expect_download() as download:
        page.get_by_role("button", name="Download").click()
    body = download.value.path().read_text(encoding="utf-8")
    assert "Ana López" in body and "Jürgen Müller" in body and "Amélie" not in body
    context.close()
