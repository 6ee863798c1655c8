"""The lists' search through the trigram index finds what the plain LIKE search finds."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from databases import ON_POSTGRESQL, sqlite_query_plans
from message_rows import message
from sqlalchemy import delete, event, insert, select, text, update

from smsbox import message_lists, message_search
from smsbox.message_lists import Box, ListQuery, Toward, list_page
from smsbox.models import Contact, Direction, Message

NOON = datetime(2024, 3, 10, 12, 0, tzinfo=UTC)
TEXTS = [
    "Rendez-vous à l'ÉTÉ prochain",
    "rendez-vous à l'été",
    "RENDEZ-VOUS",
    "100% sûr",
    "50 % de remise",
    "snake_case",
    "snakeXcase",
    "back\\slash",
    "'; DROP TABLE messages; --",
    "<script>alert(1)</script><img src=x onerror=alert(2)>",
    'say "hello" twice',
    "Ok 👍👍",
    "ÉCOLE fermée",
    "école ouverte",
    "Straße",
]
SEARCHES = [
    "rendez-vous",
    "ÉTÉ",
    "été",
    "Été",
    "100%",
    "0 %",
    "e_c",
    "snake_case",
    "\\sl",
    "drop table",
    "<script>",
    "onerror=alert(2)>",
    'y "hel',
    '"',
    "👍👍",
    "École",
    "COLE",
    "STRASSE",
    "straße",
    "nowhere",
    "Dupont",
    "zoé",
    "ZOÉ",
    "61234",
    "06 12 34",
    "99 99",
]


def found_ids(session, search: str, box: Box = Box.RECEIVED, page_size: int = 100) -> list[int]:
    query = ListQuery(box, page_size=page_size, search=search)
    page = list_page(session, query, timezone="Europe/Paris", default_region="FR")
    return [row.message.id for row in page.rows]


@pytest.fixture
def stored(sessions):
    with sessions() as session:
        for i, body in enumerate(TEXTS):
            number = "+33612345678" if i % 2 else "+33699999999"
            direction = Direction.OUTBOUND if i % 3 == 0 else Direction.INBOUND
            session.add(message(number, body, NOON + timedelta(minutes=i), direction=direction))
        session.add(Contact(name="Zoé Dupont", number="+33612345678", raw_number="0612345678"))
        session.commit()
    return sessions


@pytest.mark.parametrize("box", [Box.RECEIVED, Box.SENT, Box.UNREAD])
def test_it_finds_through_the_index_what_the_plain_search_finds(stored, monkeypatch, box):
    searched = []

    def recorded(session, search, *, limit):
        searched.append(search)
        return holding(session, search, limit=limit)

    holding = message_search.ids_holding
    monkeypatch.setattr(message_search, "ids_holding", recorded)
    with stored() as session:
        indexed = {search: found_ids(session, search, box) for search in SEARCHES}
        asked = list(searched)
        # No candidate is few enough, no row read first: every search reads the list as
        # it did before.
        monkeypatch.setattr(message_lists, "SEARCH_CANDIDATES", -1)
        monkeypatch.setattr(message_lists, "SEARCH_SCAN_PER_ROW", 0)
        plain = {search: found_ids(session, search, box) for search in SEARCHES}
    assert indexed == plain
    assert any(indexed.values())
    assert asked == [search for search in SEARCHES if len(search) >= 3]


def test_the_index_follows_texts_written_changed_and_deleted(sessions):
    with sessions() as session:
        first = message("+33611111111", "un mot rare", NOON)
        second = message("+33622222222", "banal", NOON)
        session.add_all([first, second])
        session.commit()
        assert found_ids(session, "mot rare") == [first.id]
        for changed, body in [(second, "autre mot rare"), (first, "plus rien")]:
            session.execute(update(Message).where(Message.id == changed.id).values(body=body))
        session.commit()
        assert found_ids(session, "mot rare") == [second.id]
        assert found_ids(session, "plus rien") == [first.id]
        session.execute(delete(Message).where(Message.id == second.id))
        session.commit()
        assert found_ids(session, "mot rare") == []
        assert message_search.ids_holding(session, "mot rare", limit=10) == []


def test_the_database_has_its_trigram_index(sessions):
    index = message_search.MESSAGE_TEXTS
    with sessions() as session:
        if ON_POSTGRESQL:
            query = "SELECT indexdef FROM pg_indexes WHERE indexname = :name"
            definition = session.scalar(text(query), {"name": index.gin_index})
            assert "gin_trgm_ops" in definition
        else:
            query = "SELECT sql FROM sqlite_master WHERE name = :name"
            definition = session.scalar(text(query), {"name": index.fts_table})
            assert "trigram" in definition


MANY = 30_000


@sqlite_query_plans
@pytest.mark.parametrize("search", ["needle", "Dupont", "0000123"])
def test_a_rare_word_is_read_by_id_not_by_scanning_the_list(sessions, search):
    rows = [
        {
            "direction": Direction.INBOUND,
            "number": f"+336{i % 1000:08}",
            "raw_number": f"+336{i % 1000:08}",
            "body": "a needle in the haystack" if i % 10_000 == 7 else f"message {i}",
            "status": "received",
            "created_at": NOON + timedelta(seconds=i),
        }
        for i in range(MANY)
    ]
    statements: list[tuple[str, object]] = []
    with sessions() as session:
        session.execute(insert(Message), rows)
        session.add(Contact(name="Ana Dupont", number="+33600000042", raw_number="0600000042"))
        session.commit()
        connection = session.connection()
        listen = lambda *args: statements.append((args[2], args[3]))  # noqa: E731
        event.listen(connection, "before_cursor_execute", listen)
        found = found_ids(session, search)
        event.remove(connection, "before_cursor_execute", listen)
        plans = [
            " ".join(
                str(row[-1])
                for row in connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {query}", parameters)
            )
            for query, parameters in statements
        ]
    assert found
    assert "INTEGER PRIMARY KEY" in plans[-1], plans[-1]
    assert not [plan for plan in plans if "SCAN messages" in plan], plans
    # The contacts named by the search come from their names' index, not a read of all.
    assert not [plan for plan in plans if "SCAN contacts" in plan], plans


def test_a_common_word_finds_its_pages_among_the_first_rows(sessions, monkeypatch):
    rows = [
        {
            "direction": Direction.INBOUND,
            "number": f"+336{i % 1000:08}",
            "raw_number": f"+336{i % 1000:08}",
            # Common among the newest, rare among the oldest, some at the same time.
            "body": "un rendez-vous" if i % (3 if i > 2000 else 400) == 0 else f"message {i}",
            "status": "received",
            "created_at": NOON + timedelta(seconds=i // 2),
        }
        for i in range(3000)
    ]
    with sessions() as session:
        session.execute(insert(Message), rows)
        session.commit()
        pages = []
        for scanned_per_row in (message_lists.SEARCH_SCAN_PER_ROW, 0):
            monkeypatch.setattr(message_lists, "SEARCH_SCAN_PER_ROW", scanned_per_row)
            pages.append(walked(session, "Rendez-Vous"))
        holding = select(Message.id).where(Message.body.contains("rendez-vous"))
        newest_first = list(session.scalars(holding.order_by(Message.id.desc())))
        limits = []
        holding_ids = message_search.ids_holding

        def recorded(session, search, *, limit):
            limits.append(limit)
            return holding_ids(session, search, limit=limit)

        monkeypatch.setattr(message_lists, "SEARCH_SCAN_PER_ROW", 8)
        monkeypatch.setattr(message_search, "ids_holding", recorded)
        first = found_ids(session, "rendez-vous", page_size=10)
    first_rows, indexed = pages
    assert first_rows == indexed
    forward = first_rows[: len(first_rows) // 2]
    assert [id_ for page in forward for id_ in page] == newest_first
    assert first == newest_first[:10]
    # Its candidates are more than 8 a row: the index did not have to give all of them.
    assert limits == [8 * 11 + 1]


def walked(session, search: str) -> list[list[int]]:
    """Every page of 10 from the newest, then back from the oldest: their ids."""
    pages: list[list[int]] = []
    query = ListQuery(Box.RECEIVED, page_size=10, search=search)
    for toward, onward in ((Toward.OLDER, "older"), (Toward.NEWER, "newer")):
        while True:
            page = list_page(session, query, timezone="Europe/Paris", default_region="FR")
            pages.append([row.message.id for row in page.rows])
            cursor = getattr(page, onward)
            if cursor is None:
                break
            query = replace(query, cursor=cursor, toward=toward)
    return pages


@sqlite_query_plans
@pytest.mark.parametrize(
    ("box", "criteria", "index"),
    [
        (Box.RECEIVED, {}, "ix_messages_direction_created"),
        (Box.UNREAD, {}, "ix_messages_unread"),
        (Box.SENT, {"status": "failed"}, "ix_messages_direction_status_created"),
    ],
)
def test_a_common_word_is_read_in_the_list_order_from_its_index(sessions, box, criteria, index):
    rows = [
        {
            "direction": Direction.OUTBOUND if i % 2 else Direction.INBOUND,
            "number": f"+336{i % 1000:08}",
            "raw_number": f"+336{i % 1000:08}",
            "body": f"un rendez-vous {i}" if i % 3 == 0 else f"message {i}",
            "status": "failed" if i % 2 else "received",
            "created_at": NOON + timedelta(seconds=i),
        }
        for i in range(MANY)
    ]
    statements: list[tuple[str, object]] = []
    with sessions() as session:
        session.execute(insert(Message), rows)
        session.commit()
        connection = session.connection()
        listen = lambda *args: statements.append((args[2], args[3]))  # noqa: E731
        event.listen(connection, "before_cursor_execute", listen)
        searched = ListQuery(box, search="rendez-vous", **criteria)
        page = list_page(session, searched, timezone="Europe/Paris", default_region="FR")
        event.remove(connection, "before_cursor_execute", listen)
        (statement, parameters) = statements[-1]
        plan = " ".join(
            str(row[-1])
            for row in connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", parameters)
        )
    assert len(page.rows) == 25
    assert len(statements) == 2  # the index's first candidates, then the list's first rows
    assert index in plan, plan
    assert "TEMP B-TREE" not in plan, plan
    assert "SCAN messages" not in plan, plan
