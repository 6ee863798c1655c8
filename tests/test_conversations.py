"""Conversations by number: the list newest first with unread counts, search, pages."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from databases import sqlite_query_plans
from sqlalchemy import delete, event, select, update

from smsbox.conversations import (
    BadCursor,
    ConversationCursor,
    MessageCursor,
    conversation_messages,
    list_conversations,
    mark_read,
    messages_after,
)
from smsbox.models import Contact, ConversationHead, Direction, Message, Status

T0 = datetime(2026, 11, 1, 9, 0, tzinfo=UTC)


def add(session, number: str, minutes: int, direction=Direction.INBOUND, body="", read=False):
    moment = T0 + timedelta(minutes=minutes)
    message = Message(
        direction=direction,
        number=number,
        raw_number=number,
        body=body or f"{number} at {minutes}",
        status=Status.RECEIVED if direction == Direction.INBOUND else Status.SENT,
        created_at=moment,
        read_at=moment if read else None,
    )
    session.add(message)
    session.flush()
    return message


def conversations(session, **options):
    page = list_conversations(session, default_region="FR", **options)
    return [(c.number, c.last_message.body, c.unread) for c in page.conversations]


def test_it_lists_conversations_by_their_last_message_newest_first(sessions):
    with sessions() as session:
        add(session, "+33611111111", 1)
        add(session, "+33622222222", 2)
        add(session, "+33611111111", 3, Direction.OUTBOUND, "reply to one")
        add(session, "+33633333333", 0, read=True)
        assert conversations(session) == [
            ("+33611111111", "reply to one", 1),
            ("+33622222222", "+33622222222 at 2", 1),
            ("+33633333333", "+33633333333 at 0", 0),
        ]


def test_it_counts_only_inbound_messages_not_read_yet(sessions):
    with sessions() as session:
        for minute in range(3):
            add(session, "+33611111111", minute)
        add(session, "+33611111111", 3, read=True)
        add(session, "+33611111111", 4, Direction.OUTBOUND)
        [conversation] = list_conversations(session, default_region="FR").conversations
        assert conversation.unread == 3


def test_it_shows_one_conversation_for_two_messages_in_the_same_instant(sessions):
    with sessions() as session:
        add(session, "+33611111111", 1, body="first")
        add(session, "+33611111111", 1, body="second")
        assert conversations(session) == [("+33611111111", "second", 2)]


def test_it_pages_conversations_with_its_cursor_without_gaps_or_repeats(sessions):
    with sessions() as session:
        numbers = [f"+336000000{n:02d}" for n in range(25)]
        for index, number in enumerate(numbers):
            # Pairs share their last instant: the cursor's number breaks the tie.
            add(session, number, index // 2)
            add(session, number, -5, Direction.OUTBOUND)
        seen, cursor = [], None
        while True:
            page = list_conversations(session, default_region="FR", after=cursor, page_size=4)
            seen += [conversation.number for conversation in page.conversations]
            if page.next_cursor is None:
                break
            cursor = ConversationCursor.parse(str(page.next_cursor))
        assert seen == sorted(numbers, key=lambda n: (numbers.index(n) // 2, n), reverse=True)


@pytest.mark.parametrize("search", ["06 12", "+33 6 12", "0033612", "612", "34 56"])
def test_it_finds_a_number_as_people_type_it(sessions, search):
    with sessions() as session:
        add(session, "+33612345678", 1)
        add(session, "+33798765432", 2)
        assert [number for number, *_ in conversations(session, search=search)] == ["+33612345678"]


def test_it_finds_a_sender_that_is_a_name_not_a_number(sessions):
    with sessions() as session:
        add(session, "ORANGE", 1)
        add(session, "+33612345678", 2)
        assert [number for number, *_ in conversations(session, search="orange")] == ["ORANGE"]


def test_it_finds_a_conversation_by_its_contacts_name_and_shows_the_name(sessions):
    with sessions() as session:
        add(session, "+33612345678", 1)
        add(session, "+33798765432", 2)
        session.add(Contact(name="Élodie Martin", number="+33612345678", raw_number="06"))
        session.flush()
        page = list_conversations(session, default_region="FR", search="martin")
        [conversation] = page.conversations
        assert (conversation.number, conversation.contact_name) == ("+33612345678", "Élodie Martin")
        everyone = list_conversations(session, default_region="FR").conversations
        assert [c.contact_name for c in everyone] == [None, "Élodie Martin"]


def test_a_name_with_a_digit_finds_that_name_not_every_number_with_the_digit(sessions):
    with sessions() as session:
        add(session, "+33612345678", 1)
        add(session, "+33722222222", 2)
        session.add(Contact(name="Salle 2", number="+33612345678", raw_number="06"))
        session.flush()
        assert [number for number, *_ in conversations(session, search="salle 2")] == [
            "+33612345678"
        ]


@pytest.mark.parametrize("search", ["%", "_", "' OR 1=1 --", "<b>", "0" * 500])
def test_it_takes_a_search_with_wildcards_or_sql_as_plain_text(sessions, search):
    with sessions() as session:
        add(session, "+33612345678", 1)
        assert conversations(session, search=search) == []


def test_it_pages_one_conversation_backwards_in_time_order(sessions):
    with sessions() as session:
        for minute in range(7):
            add(session, "+33611111111", minute, body=f"m{minute}")
        add(session, "+33622222222", 3)
        latest = conversation_messages(session, "+33611111111", page_size=3)
        assert [m.body for m in latest.messages] == ["m4", "m5", "m6"]
        older = conversation_messages(
            session,
            "+33611111111",
            before=MessageCursor.parse(str(latest.older_cursor)),
            page_size=3,
        )
        assert [m.body for m in older.messages] == ["m1", "m2", "m3"]
        oldest = conversation_messages(
            session, "+33611111111", before=older.older_cursor, page_size=3
        )
        assert ([m.body for m in oldest.messages], oldest.older_cursor) == (["m0"], None)


def test_it_marks_read_the_inbound_messages_up_to_the_last_shown(sessions):
    with sessions() as session:
        first = add(session, "+33611111111", 1)
        shown = add(session, "+33611111111", 2)
        later = add(session, "+33611111111", 3)
        other = add(session, "+33622222222", 1)
        assert mark_read(session, "+33611111111", up_to_id=shown.id) == 2
        session.expire_all()
        assert [m.read_at is not None for m in (first, shown, later, other)] == [
            True,
            True,
            False,
            False,
        ]
        assert mark_read(session, "+33611111111") == 1
        assert mark_read(session, "+33611111111") == 0


def test_it_gives_the_messages_stored_after_one(sessions):
    with sessions() as session:
        seen = add(session, "+33611111111", 5)
        add(session, "+33622222222", 6)
        # The network's time can be older than a message already shown: order is arrival.
        late = add(session, "+33611111111", 1)
        assert messages_after(session, "+33611111111", seen.id) == [late]
        assert messages_after(session, "+33611111111", 0, limit=1) == [seen]


def heads(session) -> list[tuple[str, str]]:
    return [
        (head.number, session.get(Message, head.last_message_id).body)
        for head in session.scalars(select(ConversationHead).order_by(ConversationHead.number))
    ]


def test_the_database_keeps_one_conversation_per_number_through_deletes_and_edits(sessions):
    with sessions() as session:
        add(session, "+33611111111", 1, body="old")
        newest = add(session, "+33611111111", 2, body="new")
        alone = add(session, "+33622222222", 1, body="alone")
        assert heads(session) == [("+33611111111", "new"), ("+33622222222", "alone")]

        session.execute(delete(Message).where(Message.id == newest.id))
        assert heads(session) == [("+33611111111", "old"), ("+33622222222", "alone")]
        session.execute(delete(Message).where(Message.id == alone.id))
        assert heads(session) == [("+33611111111", "old")]
        session.execute(update(Message).where(Message.body == "old").values(number="+33633333333"))
        assert heads(session) == [("+33633333333", "old")]


@pytest.mark.parametrize(
    "text", ["", "abc", "123", "1:", ":+336", "-5:+336", "1²:+336", "9" * 18 + ":+336"]
)
def test_it_refuses_a_conversation_cursor_it_did_not_write(text):
    with pytest.raises(BadCursor):
        ConversationCursor.parse(text)


@pytest.mark.parametrize("text", ["", "1", "1:", "1:x", "1:-2", "1:" + "9" * 19, "x:1"])
def test_it_refuses_a_message_cursor_it_did_not_write(text):
    with pytest.raises(BadCursor):
        MessageCursor.parse(text)


def test_it_round_trips_a_cursor_to_the_microsecond(sessions):
    moment = datetime(2026, 11, 1, 9, 0, 0, 999_999, tzinfo=UTC)
    cursor = ConversationCursor(moment, "+33611111111")
    assert ConversationCursor.parse(str(cursor)) == cursor


def query_plans(session, action) -> str:
    """SQLite's plans of the statements `action` runs."""
    statements = []

    def record(_conn, _cursor, statement, parameters, _context, _many):
        statements.append((statement, parameters))

    engine = session.get_bind()
    event.listen(engine, "before_cursor_execute", record)
    try:
        action()
    finally:
        event.remove(engine, "before_cursor_execute", record)
    connection = session.connection()
    return "\n".join(
        row[-1]
        for statement, parameters in statements
        for row in connection.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, parameters)
    )


@sqlite_query_plans
def test_the_list_reads_one_row_per_number_and_counts_unread_from_the_partial_index(sessions):
    with sessions() as session:
        add(session, "+33611111111", 1)
        plans = query_plans(session, lambda: list_conversations(session, default_region="FR"))
    assert "SCAN conversations USING INDEX ix_conversations_last" in plans
    assert "SEARCH messages USING INTEGER PRIMARY KEY (rowid=?)" in plans
    assert (
        "SEARCH unread USING COVERING INDEX ix_messages_unread_numbers "
        "(number=? AND direction=? AND read_at=?)"
    ) in plans
    assert "TEMP B-TREE" not in plans  # no sort of the whole table


SEARCHES = ["4567", "456", "45", "06 12", "+33 6", "0033 7", "orange", "ORA", "Martin", "é", "%5"]


def test_the_trigram_index_finds_what_reading_every_number_finds(sessions, monkeypatch):
    with sessions() as session:
        for index, number in enumerate(
            ["+33612345678", "+33745678123", "+33145670000", "ORANGE", "Orange Info", "+3361"]
        ):
            add(session, number, index)
        session.add(Contact(name="Élodie Martin", number="+33745678123", raw_number="07"))
        gone = add(session, "+33600045678", 9)
        moved = add(session, "+33611111111", 10)
        session.execute(delete(Message).where(Message.id == gone.id))
        session.execute(update(Message).where(Message.id == moved.id).values(number="+33645671111"))
        session.flush()

        def found(search: str) -> list[str]:
            return [number for number, *_ in conversations(session, search=search)]

        through_the_index = {search: found(search) for search in SEARCHES}
        monkeypatch.setattr("smsbox.conversations.indexable", lambda _search: False)
        assert through_the_index == {search: found(search) for search in SEARCHES}
    newest_first = ["+33645671111", "+33145670000", "+33745678123", "+33612345678"]
    assert through_the_index["4567"] == newest_first  # not the deleted one
    assert through_the_index["Martin"] == ["+33745678123"]


@sqlite_query_plans
def test_digits_from_the_middle_of_a_number_are_found_through_the_index(sessions):
    with sessions() as session:
        add(session, "+33612345678", 1)
        plans = query_plans(
            session, lambda: list_conversations(session, default_region="FR", search="4567")
        )
    assert "MULTI-INDEX OR" in plans
    assert "SCAN conversation_numbers VIRTUAL TABLE" in plans
    assert "SCAN conversations" not in plans  # no number read that the index ruled out
