"""Group sends from the New SMS page and the campaigns' pages, through the Flask test
client: the STOP list counted before sending, refusals shown, counts, cancelling, and
bad input answered with a 4xx."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from campaign_rows import add_contacts, group_of, number_of
from sqlalchemy import select
from test_web import csrf_token, log_in, outbound

from smsbox.account_settings import QUOTAS, save
from smsbox.activity import COMMAND_LINE, Action, details_of, entries
from smsbox.campaigns.recurring import list_recurrences
from smsbox.campaigns.store import CampaignRequest, send_campaign
from smsbox.contacts.groups import create_group
from smsbox.models import Campaign, Group, Status
from smsbox.optouts import opt_out
from smsbox.quotas import Quotas

HOSTILE = "<script>alert(1)</script><img src=x onerror=alert(2)>"


def groups(sessions, members: int = 3, stopped: int = 1) -> int:
    with sessions() as session:
        group = group_of(session, "Clients", add_contacts(session, range(members)))
        for index in range(stopped):
            opt_out(session, number_of(index))
        session.commit()
        return group.id


def post_send(client, **fields):
    data = {"body": "Bonjour {name}", "csrf_token": csrf_token(client, "/messages/send"), **fields}
    return client.post("/messages/send", data=data)


def test_the_form_says_before_sending_how_many_of_a_group_are_skipped(client, sessions):
    groups(sessions, members=3, stopped=1)
    log_in(client)
    page = client.get("/messages/send").get_data(as_text=True)
    assert "Clients (3 members, 1 on the STOP list will be skipped)" in page


def test_sending_to_a_group_makes_a_campaign_and_shows_its_page(client, sessions):
    group_id = groups(sessions)
    log_in(client)
    response = post_send(client, groups=[str(group_id)], number=["07 00 00 00 09"])
    assert response.status_code == 302
    with sessions() as session:
        campaign = session.scalars(select(Campaign)).one()
    assert response.headers["Location"] == f"/campaigns/{campaign.id}"
    sent = outbound(sessions)
    assert sorted(m.body for m in sent) == ["Bonjour ", "Bonjour Contact 1", "Bonjour Contact 2"]
    assert not any(m.transactional for m in sent)

    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Campaign queued: 3 messages, 1 skipped as opted out." in page
    assert re.search(r'data-status="queued"><th scope="row">[^<]+</th><td class="count">3<', page)
    progress = client.get(f"/campaigns/{campaign.id}/progress").get_json()
    assert progress["counts"]["queued"] == 3 and progress["finished"] is False
    listing = client.get("/campaigns/").get_data(as_text=True)
    assert f'href="/campaigns/{campaign.id}">Bonjour {{name}}</a>' in listing


def test_a_transactional_group_send_and_the_groups_alone(client, sessions):
    group_id = groups(sessions, stopped=0)
    log_in(client)
    response = post_send(client, groups=[str(group_id)], transactional="y")
    assert response.status_code == 302
    assert all(m.transactional for m in outbound(sessions))


def test_a_refused_campaign_says_why_and_queues_nothing(client, sessions):
    group_id = groups(sessions)
    with sessions() as session:
        empty = create_group(session, "Vide").id
        session.commit()
    log_in(client)
    for fields, said in [
        ({"body": "Bonjour {ville}"}, "{ville} is no placeholder these contacts have"),
        ({"groups": [str(empty)]}, "these groups have no members and no number was given"),
        ({"groups": ["999"]}, "is not a valid choice for this field"),
        ({"groups": ["abc"]}, "Invalid choice(s)"),
    ]:
        response = post_send(client, **{"groups": [str(group_id)], **fields})
        assert response.status_code == 400
        assert said in response.get_data(as_text=True)
    assert outbound(sessions) == []


def test_cancelling_a_campaign_asks_for_its_token_and_cancels_what_waits(client, sessions):
    group_id = groups(sessions, stopped=0)
    with sessions() as session:
        campaign = send_campaign(
            session,
            CampaignRequest(HOSTILE, groups=[session.get(Group, group_id)]),
            COMMAND_LINE,
            default_region="FR",
            zone=ZoneInfo("Europe/Paris"),
        )
        session.commit()
        campaign_id = campaign.id
    log_in(client)
    page = client.get(f"/campaigns/{campaign_id}").get_data(as_text=True)
    assert HOSTILE not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert client.post(f"/campaigns/{campaign_id}/cancel").status_code == 400  # no token
    token = csrf_token(client, f"/campaigns/{campaign_id}")
    response = client.post(f"/campaigns/{campaign_id}/cancel", data={"csrf_token": token})
    assert response.status_code == 302
    assert {m.status for m in outbound(sessions)} == {Status.CANCELLED}
    page = client.get(f"/campaigns/{campaign_id}").get_data(as_text=True)
    assert "3 waiting message(s) cancelled." in page
    assert "Cancel the campaign" not in page
    with sessions() as session:
        (entry,) = entries(session, action=Action.CAMPAIGN_CANCELLED)
    assert (entry.actor, entry.subject, details_of(entry)) == (
        "alice",
        f"campaign {campaign_id}",
        {"cancelled": 3},
    )


def test_a_group_send_over_the_user_s_cap_is_refused_logged_and_queues_nothing(client, sessions):
    group_id = groups(sessions, stopped=0)
    with sessions() as session:
        save(session, QUOTAS, Quotas(user_daily=2), COMMAND_LINE)
        session.commit()
    log_in(client)
    response = post_send(client, groups=[str(group_id)])
    assert response.status_code == 400
    assert "3 more SMS would pass your daily cap of 2" in response.get_data(as_text=True)
    assert outbound(sessions) == []
    with sessions() as session:
        assert session.scalars(select(Campaign)).all() == []
        (entry,) = entries(session, action=Action.SEND_REFUSED)
    assert (entry.actor, details_of(entry)["recipients"]) == ("alice", 3)


def test_bad_campaign_addresses_get_a_clear_4xx(client, sessions):
    log_in(client)
    assert client.get("/campaigns/12345").status_code == 404
    assert "there is no campaign 12345" in client.get("/campaigns/12345").get_data(as_text=True)
    assert client.get("/campaigns/12345/progress").status_code == 404
    assert client.get("/campaigns/99999999999999999999").status_code == 404
    assert client.get("/campaigns/?before=<script>").status_code == 400
    assert client.get("/campaigns/?before=1").status_code == 200


def test_campaign_pages_need_a_login(client):
    for path in ("/campaigns/", "/campaigns/1", "/campaigns/1/progress"):
        assert client.get(path).status_code == 302


def post_recurrence(client, **fields):
    data = {
        "csrf_token": csrf_token(client, "/campaigns/recurring"),
        "body": "Réunion à 10 h",
        "frequency": "weekly",
        "weekdays": ["0", "3"],
        "at": "09:00",
        **fields,
    }
    return client.post("/campaigns/recurring", data=data)


def test_a_recurring_campaign_is_added_paused_resumed_and_deleted(client, sessions):
    group_id = groups(sessions, stopped=0)
    log_in(client)
    response = post_recurrence(client, groups=[str(group_id)], name=HOSTILE)
    assert response.status_code == 302
    page = client.get("/campaigns/recurring").get_data(as_text=True)
    assert "Recurring campaign added." in page
    assert "weekly on Monday, Thursday at 09:00" in page
    assert HOSTILE not in page and "&lt;script&gt;" in page
    with sessions() as session:
        (recurrence,) = list_recurrences(session)
    base = f"/campaigns/recurring/{recurrence.id}"
    token = csrf_token(client, "/campaigns/recurring")
    assert client.post(f"{base}/pause").status_code == 400  # no token
    assert client.post(f"{base}/pause", data={"csrf_token": token}).status_code == 302
    assert "paused" in client.get("/campaigns/recurring").get_data(as_text=True)
    assert client.post(f"{base}/resume", data={"csrf_token": token}).status_code == 302
    assert client.post(f"{base}/delete", data={"csrf_token": token}).status_code == 302
    with sessions() as session:
        assert list_recurrences(session) == []
    assert client.post(f"{base}/delete", data={"csrf_token": token}).status_code == 404
    assert client.post(f"{base}/explode", data={"csrf_token": token}).status_code == 404


def test_a_recurring_campaign_that_cannot_be_is_refused_with_its_reason(client, sessions):
    group_id = groups(sessions, stopped=0)
    log_in(client)
    for fields, said in [
        ({"weekdays": []}, "a weekly campaign needs at least one day of the week"),
        ({"frequency": "monthly", "month_day": "40"}, "a monthly campaign needs a day"),
        ({"groups": []}, "choose at least one group or number to send to"),
        ({"numbers": "06 12 AB"}, "has the wrong number of digits"),
        ({"at": "9h"}, 'id="at-errors"'),
        ({"body": "{nom.x}"}, "{nom.x} is not a placeholder"),
        ({"until": "2020-01-01"}, "ends before its first occurrence"),
    ]:
        response = post_recurrence(client, **{"groups": [str(group_id)], **fields})
        assert response.status_code == 400, fields
        assert said in response.get_data(as_text=True), fields
    with sessions() as session:
        assert list_recurrences(session) == []


def test_the_type_ahead_offers_ten_contacts_and_the_groups_matching_two_letters(client, sessions):
    with sessions() as session:
        group_of(session, "Contacts fidèles", add_contacts(session, range(12)))
        session.commit()
    assert client.get("/campaigns/suggest?q=co").status_code == 302  # login first
    log_in(client)
    found = client.get("/campaigns/suggest?q=co").get_json()
    assert len(found["contacts"]) == 10
    assert found["contacts"][0] == {"name": "Contact 0", "number": number_of(0)}
    assert found["groups"] == [{"id": 1, "name": "Contacts fidèles", "members": 12}]
    assert client.get("/campaigns/suggest?q=c").get_json() == {"contacts": [], "groups": []}
    for hostile in ("' OR 1=1 --", HOSTILE, "%", "_" * 500):
        answer = client.get("/campaigns/suggest", query_string={"q": hostile})
        assert answer.status_code == 200
        assert answer.get_json() == {"contacts": [], "groups": []}


def test_a_group_send_at_a_time_the_clocks_skip_goes_when_they_jump(client, sessions):
    group_id = groups(sessions, stopped=0)
    log_in(client)
    # 2027-03-28: at 02:00 Paris clocks go to 03:00 (01:00 UTC).
    response = post_send(client, groups=[str(group_id)], send_at="2027-03-28T02:30")
    assert response.status_code == 302
    with sessions() as session:
        campaign = session.scalars(select(Campaign)).one()
    assert campaign.send_at == datetime(2027, 3, 28, 1, 0, tzinfo=UTC)
    assert {m.status for m in outbound(sessions)} == {Status.SCHEDULED}
    # A single message keeps the New SMS page's rule: that time does not exist.
    single = post_send(client, number=["0612345678"], send_at="2027-03-28T02:30")
    assert single.status_code == 400
    assert "the clocks go forward at that hour" in single.get_data(as_text=True)
