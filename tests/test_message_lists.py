"""The staff's message lists: keyset pages, search, filters, and the actions on a choice."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from databases import sqlite_query_plans
from message_rows import message
from sqlalchemy import event, insert, select

from smsbox.message_actions import SelectionRefused, delete_messages, find_chosen, mark_read
from smsbox.message_lists import (
    Box,
    Cursor,
    ListQuery,
    ListRefused,
    Toward,
    list_page,
    parse_day,
    parse_page_size,
    parse_status,
)
from smsbox.models import (
    Contact,
    Direction,
    InboundPart,
    IncomingCall,
    Message,
    MessagePart,
    OptOut,
    Status,
)

NOON = datetime(2024, 3, 10, 12, 0, tzinfo=UTC)
OUT = Direction.OUTBOUND


def page(session, box=Box.RECEIVED, **criteria):
    criteria.setdefault("page_size", 10)
    return list_page(
        session, ListQuery(box, **criteria), timezone="Europe/Paris", default_region="FR"
    )


def bodies(found) -> list[str]:
    return [row.message.body for row in found.rows]


def store(sessions, *messages: Message) -> list[int]:
    with sessions() as session:
        session.add_all(messages)
        session.commit()
        return [m.id for m in messages]


def test_it_pages_forward_and_back_through_rows_sharing_a_time(sessions):
    # 25 messages, five at each of five instants: only the id orders those sharing one.
    store(
        sessions,
        *(message("+33611111111", f"m{i:02}", NOON + timedelta(minutes=i // 5)) for i in range(25)),
    )
    newest_first = [f"m{i:02}" for i in sorted(range(25), key=lambda i: (i // 5, i))][::-1]
    with sessions() as session:
        first = page(session, page_size=10)
        second = page(session, page_size=10, cursor=first.older)
        third = page(session, page_size=10, cursor=second.older)
        back = page(session, page_size=10, cursor=third.newer, toward=Toward.NEWER)
        front = page(session, page_size=10, cursor=back.newer, toward=Toward.NEWER)

    assert bodies(first) + bodies(second) + bodies(third) == newest_first
    assert (first.newer, third.older) == (None, None)
    assert second.newer is not None and third.newer is not None
    assert bodies(back) == bodies(second)
    assert bodies(front) == bodies(first)
    assert front.newer is None and front.older is not None


def test_it_gives_a_cursor_back_from_its_text_and_refuses_a_damaged_one():
    cursor = Cursor(NOON + timedelta(microseconds=7), 42)
    assert Cursor.parse(str(cursor)) == cursor
    for damaged in ["", "abc", "1-", "-1", "1-2-3", "1 -2", "9" * 18 + "-1", "1-" + "9" * 19]:
        with pytest.raises(ListRefused):
            Cursor.parse(damaged)


def test_it_separates_sent_received_and_unread(sessions):
    store(
        sessions,
        message("+33611111111", "out", NOON, direction=OUT),
        message("+33611111111", "in, read", NOON, read_at=NOON),
        message("+33611111111", "in, unread", NOON),
    )
    with sessions() as session:
        assert bodies(page(session, Box.SENT)) == ["out"]
        assert sorted(bodies(page(session, Box.RECEIVED))) == ["in, read", "in, unread"]
        assert bodies(page(session, Box.UNREAD)) == ["in, unread"]


def test_it_filters_by_state_and_by_days_in_the_box_time_zone(sessions):
    # Paris is UTC+1 in March: 23:30 UTC on the 9th is already the 10th there.
    store(
        sessions,
        message("+33611111111", "late on the 9th UTC", datetime(2024, 3, 9, 23, 30, tzinfo=UTC)),
        message("+33611111111", "22:59 UTC on the 9th", datetime(2024, 3, 9, 22, 59, tzinfo=UTC)),
        message("+33611111111", "failed", NOON, direction=OUT, status=Status.FAILED),
        message("+33611111111", "delivered", NOON, direction=OUT, status=Status.DELIVERED),
    )
    with sessions() as session:
        assert bodies(page(session, since=date(2024, 3, 10))) == ["late on the 9th UTC"]
        assert bodies(page(session, until=date(2024, 3, 9))) == ["22:59 UTC on the 9th"]
        assert bodies(page(session, Box.SENT, status=Status.FAILED)) == ["failed"]
        with pytest.raises(ListRefused, match="after the last"):
            page(session, since=date(2024, 3, 11), until=date(2024, 3, 10))


@pytest.mark.parametrize(
    ("search", "found"),
    [
        ("100%", ["100% sure"]),
        ("%", ["100% sure"]),
        ("_", ["snake_case"]),
        ("a_c", []),  # the underscore is no wildcard: "abc" is not found
        ("\\", ["back\\slash"]),
        ("SNAKE", ["snake_case"]),
        ("'; DROP TABLE messages; --", ["'; DROP TABLE messages; --"]),
        ("<script>", ["<script>alert(1)</script>"]),
    ],
)
def test_it_searches_text_as_text_ignoring_case(sessions, search, found):
    texts = ["100% sure", "snake_case", "abc", "back\\slash", "'; DROP TABLE messages; --"]
    texts.append("<script>alert(1)</script>")
    store(sessions, *(message("+33611111111", text, NOON) for text in texts))
    with sessions() as session:
        assert bodies(page(session, search=search)) == found


@pytest.mark.parametrize(
    "search", ["+33612345678", "06 12 34 56 78", "0612345678", "45 67", "061234"]
)
def test_it_searches_numbers_whole_or_partial_as_typed_or_in_e164(sessions, search):
    store(
        sessions,
        message("+33612345678", "mine", NOON),
        message("+33699999999", "other", NOON),
    )
    with sessions() as session:
        assert bodies(page(session, search=search)) == ["mine"]


def test_it_searches_contact_names_and_shows_them(sessions):
    store(
        sessions,
        message("+33612345678", "from Ana", NOON),
        message("+33699999999", "unknown", NOON),
    )
    with sessions() as session:
        session.add(Contact(name="Ana Lopez", number="+33612345678", raw_number="06 12 34 56 78"))
        session.commit()
        found = page(session, search="lopez")
    assert [(row.message.body, row.contact_name) for row in found.rows] == [
        ("from Ana", "Ana Lopez")
    ]


def test_it_refuses_page_sizes_days_and_states_no_list_offers():
    assert parse_page_size(None) == 25
    assert [parse_page_size(size) for size in ["10", "25", "50", "100"]] == [10, 25, 50, 100]
    for size in ["0", "-10", "11", "1000", "abc", "25.0", " 25"]:
        with pytest.raises(ListRefused, match="rows per page"):
            parse_page_size(size)
    assert parse_day("2024-02-29") == date(2024, 2, 29)
    for day in ["2023-02-29", "29/02/2024", "2024-1-5", "20240105", "tomorrow"]:
        with pytest.raises(ListRefused, match="is not a date"):
            parse_day(day)
    assert parse_status(Box.SENT, "failed") is Status.FAILED
    for box, status in [(Box.SENT, "received"), (Box.SENT, "nope"), (Box.RECEIVED, "failed")]:
        with pytest.raises(ListRefused):
            parse_status(box, status)


def test_it_marks_received_messages_read_and_unread_several_at_once(sessions):
    ids = store(
        sessions,
        message("+33611111111", "a", NOON),
        message("+33611111111", "b", NOON),
        message("+33611111111", "sent", NOON, direction=OUT),
    )
    with sessions() as session:
        assert mark_read(session, ids) == 2
        session.commit()
        assert bodies(page(session, Box.UNREAD)) == []
        assert session.get(Message, ids[2]).read_at is None
        assert mark_read(session, ids[:1], read=False) == 1
        session.commit()
        assert bodies(page(session, Box.UNREAD)) == ["a"]


def test_it_deletes_several_but_keeps_what_is_being_sent_or_still_on_a_sim(sessions, modem_id):
    ids = store(
        sessions,
        message("+33611111111", "queued", NOON, direction=OUT, status=Status.QUEUED),
        message("+33611111111", "sending", NOON, direction=OUT, status=Status.SENDING),
        message("+33611111111", "sent", NOON, direction=OUT),
        message("+33611111111", "received", NOON),
        message("+33611111111", "on a SIM", NOON),
    )
    queued, sending, sent, received, on_sim = ids
    with sessions() as session:
        session.add(MessagePart(message_id=sent, part_number=1, status=Status.SENT, pdu="00"))
        for key, message_id in [(None, received), ("slot", on_sim)]:
            session.add(
                InboundPart(
                    key=key,
                    modem_id=modem_id,
                    number="+33611111111",
                    pdu="00",
                    message_id=message_id,
                )
            )
        session.add(OptOut(number="+33611111111", source_message_id=received))
        session.add(IncomingCall(number="+33611111111", reply_message_id=queued))
        session.commit()

        outcome = delete_messages(session, [*ids, 999_999])
        session.commit()

        assert (outcome.deleted, outcome.kept) == (3, [sending, on_sim])
        assert set(session.scalars(select(Message.id))) == {sending, on_sim}
        assert session.scalars(select(MessagePart)).all() == []
        assert [p.message_id for p in session.scalars(select(InboundPart))] == [on_sim]
        assert session.scalar(select(OptOut.source_message_id)) is None
        assert session.scalar(select(IncomingCall.reply_message_id)) is None


def test_it_refuses_a_choice_larger_than_any_page(sessions):
    with sessions() as session:
        for action in (mark_read, delete_messages, find_chosen):
            with pytest.raises(SelectionRefused):
                action(session, list(range(101)))


MANY = 30_000


@sqlite_query_plans
@pytest.mark.parametrize(
    ("box", "criteria", "index"),
    [
        (Box.RECEIVED, {}, "ix_messages_direction_created"),
        (Box.UNREAD, {}, "ix_messages_unread"),
        (Box.SENT, {"status": Status.FAILED}, "ix_messages_direction_status_created"),
        (Box.RECEIVED, {"search": "+33600000123"}, "ix_messages_number_created"),
    ],
)
def test_it_seeks_a_deep_page_through_an_index_among_many_messages(sessions, box, criteria, index):
    rows = [
        {
            "direction": OUT if i % 3 == 0 else Direction.INBOUND,
            "number": f"+336{i % 1000:08}",
            "raw_number": f"+336{i % 1000:08}",
            "body": f"message {i}",
            "status": Status.FAILED if i % 3 == 0 else Status.RECEIVED,
            "created_at": NOON + timedelta(seconds=i // 2),
            "read_at": NOON if i % 5 else None,
        }
        for i in range(MANY)
    ]
    statements: list[tuple[str, object]] = []
    with sessions() as session:
        session.execute(insert(Message), rows)
        session.commit()
        deep = Cursor(NOON + timedelta(seconds=MANY // 4), MANY // 2)
        connection = session.connection()
        listen = lambda *args: statements.append((args[2], args[3]))  # noqa: E731
        event.listen(connection, "before_cursor_execute", listen)
        found = page(session, box, cursor=deep, **criteria)
        event.remove(connection, "before_cursor_execute", listen)
        (query, parameters) = statements[0]
        plan = " ".join(
            str(row[-1])
            for row in connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {query}", parameters)
        )
    assert found.rows and all(row.message.created_at <= deep.created_at for row in found.rows)
    assert index in plan, plan
    assert "TEMP B-TREE" not in plan, plan  # the index gives the order: no sort of the rest
    assert "SCAN messages" not in plan.replace(f"SCAN messages USING INDEX {index}", ""), plan
