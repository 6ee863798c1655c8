"""The administrators' pages: settings, STOP list, activity log; operators refused."""

from __future__ import annotations

import csv
import io

import pytest
from sqlalchemy import select
from test_web import csrf_token, log_in

from smsbox import account_settings, optouts
from smsbox.activity import entries
from smsbox.keywords import KeywordRules
from smsbox.models import ActivityEntry, Direction, Message, OptOut, Status
from smsbox.quotas import Quotas, current_quotas
from smsbox.sending_window import SendingWindow

HOSTILE = "<script>alert(1)</script><img src=x onerror=alert(2)>"
ADMIN_PAGES = (
    "/admin/settings",
    "/admin/optouts",
    "/admin/activity",
    "/admin/optouts.csv",
    "/admin/users",
)
ADMIN_POSTS = (
    "/admin/users",
    "/admin/users/1",
    "/admin/settings/keywords",
    "/admin/settings/hours",
    "/admin/settings/caps",
    "/admin/settings/account",
    "/admin/settings/messages",
    "/admin/optouts",
    "/admin/optouts/remove",
)


def keyword_form(**changes) -> dict[str, str]:
    rules = KeywordRules()
    typed = {
        "opt_out": "\n".join(rules.opt_out),
        "opt_in": "\n".join(rules.opt_in),
        "help": "\n".join(rules.help),
        "opt_out_reply": rules.opt_out_reply,
        "opt_in_confirm_request": rules.opt_in_confirm_request,
        "opt_in_reply": rules.opt_in_reply,
        "help_reply": rules.help_reply,
        "default_reply": "",
        "double_opt_in": "y",
        "confirm_within_hours": "24",
        "replies_per_hour": "3",
    } | changes
    return {f"keywords-{name}": value for name, value in typed.items()}


def post_settings(client, group: str, fields: dict[str, str]):
    token = csrf_token(client, "/admin/settings")
    return client.post(f"/admin/settings/{group}", data={f"{group}-csrf_token": token, **fields})


@pytest.mark.parametrize(
    ("method", "path"),
    [("GET", path) for path in ADMIN_PAGES] + [("POST", path) for path in ADMIN_POSTS],
)
def test_an_operator_gets_403_on_every_admin_url_and_the_attempt_is_logged(
    client, sessions, method, path
):
    log_in(client)  # alice: an operator
    # A valid CSRF token: the role, not the token, is what refuses the operator.
    token = csrf_token(client, "/messages/send")
    response = client.open(path, method=method, headers={"X-CSRFToken": token})
    assert response.status_code == 403
    assert "STOP list" not in client.get("/messages/sent").get_data(as_text=True)
    with sessions() as session:
        refused = session.execute(
            select(ActivityEntry.actor, ActivityEntry.subject).where(
                ActivityEntry.action == "access_refused"
            )
        ).all()
    assert refused == [("alice", f"{method} {path}")]


def test_an_admin_saves_keywords_and_the_change_is_logged(admin, sessions):
    response = post_settings(admin, "keywords", keyword_form(help="INFOS\n\nAIDE\n"))
    assert response.status_code == 302
    with sessions() as session:
        assert account_settings.keyword_rules(session).help == ("INFOS", "AIDE")
        (logged,) = entries(session, search="root", action="settings_changed")
    assert logged.subject == "keywords"


def test_keywords_that_clash_are_refused_and_nothing_changes(admin, sessions):
    response = post_settings(admin, "keywords", keyword_form(help="AIDE\nstop"))
    assert response.status_code == 400
    assert "The keyword stop is both opt-out and help." in response.get_data(as_text=True)
    with sessions() as session:
        assert account_settings.keyword_rules(session) == KeywordRules()


def hours_form(**days: tuple[str, str]) -> dict[str, str]:
    typed = {"hours-holiday_country": "FR", "hours-extra_holidays": "2026-12-24"}
    for day in ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday"):
        start, end = days.get(day, ("08:00", "20:00"))
        typed |= {f"{day}_start": start, f"{day}_end": end}
    return typed


def test_an_admin_sets_the_sending_hours(admin, sessions):
    response = post_settings(admin, "hours", hours_form(saturday=("09:00", "12:00")))
    assert response.status_code == 302
    with sessions() as session:
        window = account_settings.sending_window(session)
    assert window.hours[5] == ("09:00", "12:00")
    assert window.hours[6] is None
    assert window.extra_holidays == ("2026-12-24",)


@pytest.mark.parametrize(
    ("fields", "reason"),
    [
        (hours_form(monday=("20:00", "08:00")), "Monday: the sending hours end (08:00) before"),
        (hours_form() | {"hours-extra_holidays": "24/12/2026"}, "The holiday 24/12/2026 is no"),
    ],
)
def test_sending_hours_that_cannot_be_applied_are_refused(admin, sessions, fields, reason):
    response = post_settings(admin, "hours", fields)
    assert response.status_code == 400
    assert reason in response.get_data(as_text=True)
    with sessions() as session:
        assert account_settings.sending_window(session) == SendingWindow()


def test_an_admin_sets_caps_and_a_negative_one_is_refused(admin, sessions):
    assert post_settings(admin, "caps", {"caps-user_daily": "100"}).status_code == 302
    refused = post_settings(admin, "caps", {"caps-account_daily": "-5"})
    assert refused.status_code == 400
    with sessions() as session:
        assert current_quotas(session) == Quotas(user_daily=100)


def test_settings_posted_without_their_csrf_token_are_refused(admin, sessions):
    response = admin.post("/admin/settings/caps", data={"caps-user_daily": "1"})
    assert response.status_code == 400
    with sessions() as session:
        assert current_quotas(session) == Quotas()


def test_the_stop_list_shows_what_each_number_said_escaped_and_exports_it_as_text(admin, sessions):
    with sessions() as session:
        said = Message(
            direction=Direction.INBOUND,
            number="+33611111111",
            raw_number="+33611111111",
            body=HOSTILE,
            status=Status.RECEIVED,
        )
        session.add(said)
        session.flush()
        optouts.opt_out(session, "+33611111111", said.id, source="sms", keyword="STOP")
        session.commit()
    token = csrf_token(admin, "/admin/optouts")
    added = admin.post(
        "/admin/optouts",
        data={"csrf_token": token, "number": "06 22 22 22 22", "reason": '=HYPERLINK("x","y")'},
    )
    assert added.status_code == 302

    page = admin.get("/admin/optouts").get_data(as_text=True)
    assert HOSTILE not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    exported = admin.get("/admin/optouts.csv")
    rows = list(csv.reader(io.StringIO(exported.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[0] == ["number", "since", "source", "keyword", "said", "reason"]
    assert [row[0] for row in rows[1:]] == ["+33622222222", "+33611111111"]
    assert rows[1][5] == '\'=HYPERLINK("x","y")'


def test_an_admin_removes_a_number_with_a_reason(admin, sessions):
    with sessions() as session:
        optouts.opt_out(session, "+33622222222")
        session.commit()
    token = csrf_token(admin, "/admin/optouts")
    data = {"csrf_token": token, "number": "+33622222222", "reason": "asked by phone"}
    assert admin.post("/admin/optouts/remove", data=data).status_code == 302
    assert admin.post("/admin/optouts/remove", data=data).status_code == 404
    with sessions() as session:
        assert session.scalars(select(OptOut)).all() == []
        (logged,) = entries(session, action="optout_removed")
    assert (logged.actor, logged.subject) == ("root", "+33622222222")


def test_the_activity_page_lists_entries_and_refuses_a_bad_cursor_or_kind(admin):
    page = admin.get("/admin/activity").get_data(as_text=True)
    assert "logged in" in page and "root" in page
    assert admin.get("/admin/activity?older=garbage").status_code == 400
    assert admin.get("/admin/activity?action=nothing").status_code == 400
    assert admin.get("/admin/activity?q=%3Cscript%3E").status_code == 200
