"""The dashboard's figures, read from the per-hour counters the database keeps."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from message_rows import message
from modem_rows import reported_modem
from sqlalchemy import delete, select, update

from smsbox.conversations import mark_read
from smsbox.dashboard import dashboard, is_online, signal_bars
from smsbox.models import Direction, HourlyTraffic, Message, Modem, Status, UnreadTotal
from smsbox.modems import record_state

# 10:00 in Paris on Wednesday 25 November 2026.
NOW = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)
OUT = Direction.OUTBOUND


def counters(sessions) -> dict[tuple[str, str], int]:
    with sessions() as session:
        rows = session.execute(
            select(HourlyTraffic.direction, HourlyTraffic.status, HourlyTraffic.total)
        )
        found: dict[tuple[str, str], int] = {}
        for direction, status, total in rows:
            found[direction, status] = found.get((direction, status), 0) + total
        return {key: total for key, total in found.items() if total}


def test_the_counters_follow_every_insert_change_and_delete_of_messages(sessions):
    with sessions() as session:
        session.add_all(
            [
                message("+33611111111", "in", NOW),
                message("+33611111111", "out", NOW, direction=OUT, status=Status.QUEUED),
                message("+33622222222", "out", NOW, direction=OUT, status=Status.QUEUED),
            ]
        )
        session.commit()
    assert counters(sessions) == {("in", "received"): 1, ("out", "queued"): 2}

    with sessions() as session:
        session.execute(
            update(Message).where(Message.number == "+33611111111").values(status=Status.DELIVERED)
        )
        session.execute(delete(Message).where(Message.number == "+33622222222"))
        session.commit()
    assert counters(sessions) == {("in", "delivered"): 1, ("out", "delivered"): 1}


def unread_total(sessions) -> int | None:
    with sessions() as session:
        return session.scalar(select(UnreadTotal.total))


def test_the_unread_count_follows_every_message_stored_read_unread_and_deleted(sessions):
    with sessions() as session:
        session.add_all(
            [
                message("+33611111111", "in", NOW),
                message("+33611111111", "in, read", NOW, read_at=NOW),
                message("+33622222222", "in", NOW),
                message("+33622222222", "out", NOW, direction=OUT),
            ]
        )
        session.commit()
    assert unread_total(sessions) == 2

    with sessions() as session:
        mark_read(session, "+33611111111")
        session.execute(update(Message).where(Message.body == "in, read").values(read_at=None))
        session.execute(update(Message).where(Message.body == "out").values(body="still out"))
        session.commit()
    assert unread_total(sessions) == 2

    with sessions() as session:
        session.execute(delete(Message).where(Message.number == "+33622222222"))
        session.commit()
        assert dashboard(session, timezone="Europe/Paris", now=NOW).unread == 1
    with sessions() as session:
        mark_read(session, "+33611111111")
        session.commit()
        assert dashboard(session, timezone="Europe/Paris", now=NOW).unread == 0
    # Down to zero, the row goes: the table holds what a recount from nothing would.
    assert unread_total(sessions) is None


def test_it_counts_today_and_the_week_in_the_configured_time_zone(sessions):
    with sessions() as session:
        for minutes_ago, status in [
            (30, Status.DELIVERED),  # today
            (10 * 60 + 30, Status.FAILED),  # 23:30 yesterday in Paris, 22:30 UTC
            (9 * 60 + 30, Status.EXPIRED),  # 00:30 today in Paris, still yesterday in UTC
            (3 * 24 * 60, Status.SENT),
            (8 * 24 * 60, Status.DELIVERED),  # more than a week ago
            (60, Status.QUEUED),  # not sent yet: in no figure
        ]:
            at = NOW - timedelta(minutes=minutes_ago)
            session.add(message("+33611111111", "out", at, direction=OUT, status=status))
        session.add(message("+33622222222", "unread", NOW - timedelta(hours=2)))
        session.add(message("+33622222222", "read", NOW - timedelta(days=2), read_at=NOW))
        session.commit()

        figures = dashboard(session, timezone="Europe/Paris", now=NOW)

    assert (figures.today.sent, figures.today.received, figures.today.failed) == (1, 1, 1)
    assert (figures.week.sent, figures.week.received, figures.week.failed) == (2, 2, 2)
    assert figures.today.delivery_rate == 1 / 2
    assert figures.week.delivery_rate == 1 / 3
    assert figures.unread == 1
    assert len(figures.days) == 30
    assert figures.days[-1].day == date(2026, 11, 25)
    by_day = {day.day: (day.sent, day.received) for day in figures.days}
    assert by_day[date(2026, 11, 25)] == (1, 1)
    assert by_day[date(2026, 11, 24)] == (0, 0)  # the failed one is not among the sent
    assert by_day[date(2026, 11, 23)] == (0, 1)
    assert by_day[date(2026, 11, 22)] == (1, 0)
    assert by_day[date(2026, 11, 17)] == (1, 0)
    assert date(2026, 10, 26) not in by_day


def test_it_has_no_delivery_rate_before_any_message_is_settled(sessions):
    with sessions() as session:
        session.add(message("+33611111111", "out", NOW, direction=OUT, status=Status.SENT))
        session.commit()
        figures = dashboard(session, timezone="Europe/Paris", now=NOW)
    assert figures.today.sent == 1
    assert figures.today.delivery_rate is None
    assert [day.sent for day in figures.days][-1] == 1


def test_a_modem_is_online_when_ready_and_heard_from_lately(sessions):
    with sessions() as session:
        modem = session.get_one(Modem, reported_modem(session, "sim1", signal=17))
        seen = modem.last_seen_at
        (card,) = dashboard(session, timezone="Europe/Paris", now=seen).modems
        assert card.online and card.bars == 3 and card.latest_error is None
        assert not is_online(modem, seen + timedelta(minutes=4))

        record_state(session, modem.id, "error", "the port is gone")
        (card,) = dashboard(session, timezone="Europe/Paris", now=seen).modems
        assert not card.online
        assert card.latest_error is not None and card.latest_error.error == "the port is gone"


def test_signal_quality_shows_as_zero_to_four_bars():
    assert [signal_bars(q) for q in (None, 99, 0, 1, 2, 9, 10, 15, 19, 20, 31)] == [
        None,
        None,
        0,
        0,
        1,
        1,
        2,
        3,
        3,
        4,
        4,
    ]
