"""A campaign's messages go in without the per-row triggers of `conversations`,
`hourly_traffic`, `unread_total` and the trigram index, which are brought up to date
once, exactly as the triggers would have left them; the triggers run again for everything after."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from campaign_rows import add_contacts, group_of, number_of
from databases import sqlite_only
from sqlalchemy import func, insert, select, text

from smsbox import bulk_inserts, message_search, traffic_triggers
from smsbox.activity import COMMAND_LINE
from smsbox.campaigns.store import CampaignRequest, send_campaign
from smsbox.models import (
    BulkInsert,
    ConversationHead,
    Direction,
    HourlyTraffic,
    Message,
    Status,
    UnreadTotal,
)

NOW = datetime(2026, 11, 26, 10, 30, tzinfo=UTC)


def add(session, number: str, at: datetime, direction=Direction.INBOUND) -> Message:
    message = Message(
        direction=direction,
        number=number,
        raw_number=number,
        body=f"{direction} at {at}",
        status=Status.RECEIVED if direction == Direction.INBOUND else Status.QUEUED,
        created_at=at,
    )
    session.add(message)
    session.flush()
    return message


def kept_by_triggers(session) -> dict[str, list[tuple]]:
    def rows(model, *order):
        return [tuple(row) for row in session.execute(select(model.__table__).order_by(*order))]

    return {
        "conversations": rows(ConversationHead, ConversationHead.number),
        # Each count, whatever shards the triggers counted it in.
        "hourly_traffic": [tuple(row) for row in session.execute(traffic_triggers.counts())],
        "unread_total": rows(UnreadTotal, UnreadTotal.id),
        # SQLite's trigram index (message_texts), PostgreSQL's on the table itself.
        "found": sorted(message_search.ids_holding(session, "Bonjour Contact 2", limit=100)),
    }


def queue_campaign(session, group):
    return send_campaign(
        session,
        CampaignRequest("Bonjour {name}", groups=[group]),
        COMMAND_LINE,
        default_region="FR",
        zone=ZoneInfo("Europe/Paris"),
        now=NOW,
    )


def test_a_campaign_leaves_the_tables_as_its_messages_inserted_one_by_one_would(sessions):
    with sessions() as session:
        group = group_of(session, "Clients", add_contacts(session, range(30)))
        # Already there: an older message in the campaign's hour (counted with it), a
        # newer one (its conversation stays), one of the same instant (the campaign's,
        # stored later, wins), one unread.
        add(session, number_of(0), NOW - timedelta(minutes=20), Direction.OUTBOUND)
        add(session, number_of(1), NOW + timedelta(hours=2))
        add(session, number_of(2), NOW)
        add(session, "+33699999999", NOW - timedelta(days=3))
        session.commit()
        before = kept_by_triggers(session)

        campaign = queue_campaign(session, group)
        session.flush()
        in_bulk = kept_by_triggers(session)
        rows = [
            dict(row._mapping)
            for row in session.execute(
                select(Message.__table__)
                .where(Message.campaign_id == campaign.id)
                .order_by(Message.id)
            )
        ]
        session.rollback()

        assert kept_by_triggers(session) == before
        session.add(campaign)  # the campaign row the messages point to, again
        session.flush()
        for row in rows:
            session.execute(insert(Message.__table__), row)
        assert kept_by_triggers(session) == in_bulk
    assert len(rows) == 30
    assert in_bulk != before


def test_the_insert_triggers_leave_out_what_a_bulk_insert_inserts(sessions):
    with sessions() as session:
        add(session, number_of(0), NOW)
        before = kept_by_triggers(session)
        with bulk_inserts.triggers_off(session):
            add(session, number_of(1), NOW)  # inbound and unread
            assert kept_by_triggers(session) == before
        add(session, number_of(2), NOW)
        assert [row[0] for row in kept_by_triggers(session)["conversations"]] == [
            number_of(0),
            number_of(2),
        ]


def test_the_triggers_run_again_for_the_next_insert_once_a_campaign_is_queued(sessions):
    with sessions() as session:
        group = group_of(session, "Clients", add_contacts(session, range(3)))
        queue_campaign(session, group)
        session.commit()
    with sessions() as session:
        reply = add(session, number_of(1), NOW + timedelta(minutes=1))
        session.commit()
        assert session.scalar(select(func.count()).select_from(BulkInsert)) == 0
        head = session.get(ConversationHead, number_of(1))
        assert head.last_message_id == reply.id
        received = select(func.sum(HourlyTraffic.total)).where(
            HourlyTraffic.status == Status.RECEIVED
        )
        assert session.scalar(received) == 1
        assert session.scalar(select(UnreadTotal.total)) == 1


def test_a_failed_bulk_insert_leaves_the_triggers_on_even_if_the_transaction_goes_on(sessions):
    with sessions() as session:
        add(session, number_of(0), NOW)
        with pytest.raises(RuntimeError), bulk_inserts.triggers_off(session):
            add(session, number_of(1), NOW)
            raise RuntimeError("the campaign failed half way")
        add(session, number_of(2), NOW)
        session.commit()
        assert [row[0] for row in kept_by_triggers(session)["conversations"]] == [
            number_of(0),
            number_of(2),
        ]
        assert session.scalar(select(func.count()).select_from(BulkInsert)) == 0
        assert session.scalar(select(func.count()).select_from(Message)) == 2


def flagged_triggers(session) -> list[tuple[str, str]]:
    return sorted(
        session.execute(
            text(
                "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND instr(sql, :flag)"
            ),
            {"flag": bulk_inserts.RUNNING},
        ).all()
    )


@sqlite_only
def test_on_sqlite_a_bulk_insert_drops_the_flagged_triggers_which_no_one_else_sees_gone(
    sessions,
):
    with sessions() as session, sessions() as other:
        before = flagged_triggers(session)
        tables = {definition.split(" ON ")[1].split()[0] for _, definition in before}
        assert tables == {"messages", "contacts"}
        with bulk_inserts.triggers_off(session):
            add(session, number_of(1), NOW, Direction.OUTBOUND)
            assert flagged_triggers(session) == []
            assert flagged_triggers(other) == before
        assert flagged_triggers(session) == before
        with pytest.raises(RuntimeError), bulk_inserts.triggers_off(session):
            raise RuntimeError("the campaign failed half way")
        assert flagged_triggers(session) == before
        session.commit()
        assert flagged_triggers(other) == before
