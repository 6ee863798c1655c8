"""Which modem takes a message when several share the traffic (`smsbox.routing`),
decided in the claim itself, on the database."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from outbox_rows import queue
from sqlalchemy import update

from smsbox import routing, sending
from smsbox.config import ModemConfig
from smsbox.models import Message, Modem, utcnow
from smsbox.modems import ensure_modem

NOW = utcnow()


def modems_up(sessions, *names: str, role: str = "both", seen: datetime = NOW) -> list[int]:
    """Modems a daemon serves: ready, seen at `seen` (claims made at NOW see them up)."""
    with sessions() as session:
        ids = [ensure_modem(session, name, f"/dev/{name}", role=role) for name in names]
        session.execute(
            update(Modem).where(Modem.id.in_(ids)).values(state="ready", last_seen_at=seen)
        )
        session.commit()
        return ids


def change_modem(sessions, modem_id: int, **values) -> None:
    with sessions() as session:
        session.execute(update(Modem).where(Modem.id == modem_id).values(**values))
        session.commit()


def claim(sessions, modem_id: int, at=NOW, told=None) -> int | None:
    """The message `modem_id` claims at `at`; `told` gets whose turn it passed on (each
    as this daemon's own modem)."""

    def ring(in_turn: int) -> bool:
        told.append(in_turn)
        return True

    with sessions() as session:
        message = sending.claim_next(session, modem_id, at, ring=None if told is None else ring)
        return None if message is None else message.id


def finish(sessions, message_id: int) -> None:
    """The modem is done with it: it counts as in flight no more."""
    with sessions() as session:
        message = session.get_one(Message, message_id)
        sending.prepare_parts(message, ["00AA"])
        sending.record_handover(message.parts[0])
        sending.record_part_sent(message, message.parts[0], reference=1)
        session.commit()


def pin(sessions, message_id: int, modem_id: int) -> None:
    with sessions() as session:
        session.get_one(Message, message_id).requested_modem_id = modem_id
        session.commit()


def test_it_gives_idle_modems_their_turns_round_robin(sessions):
    first, second, third = modems_up(sessions, "a", "b", "c")
    order = []
    for turn in range(6):
        at = NOW + timedelta(seconds=turn)
        queue(sessions, f"06111111{turn:02d}")
        # The modems ask, the last in turn first: only the one in turn takes the message.
        for modem in (third, second, first):
            if (message := claim(sessions, modem, at)) is not None:
                order.append(modem)
                finish(sessions, message)
                break
    assert order == [first, second, third, first, second, third]


def test_as_many_idle_modems_as_messages_wait_take_one_each_at_once(sessions):
    first, second, third = modems_up(sessions, "a", "b", "c")
    queue(sessions, "0611111111", "0622222222")

    # Two messages for the first two in turn: neither waits for the other's claim.
    assert claim(sessions, third) is None
    assert claim(sessions, second) is not None
    assert claim(sessions, first) is not None
    assert claim(sessions, third) is None


def test_it_gives_the_next_message_to_the_modem_with_the_fewest_in_flight(sessions):
    first, second = modems_up(sessions, "a", "b")
    queue(sessions, "0611111111", "0622222222")
    told = []
    assert claim(sessions, first) is not None  # a is sending it: in flight
    change_modem(sessions, second, last_claimed_at=NOW + timedelta(seconds=5))

    # a used longer ago, but b has none in flight.
    assert claim(sessions, first, NOW + timedelta(seconds=6), told) is None
    assert told == [second]
    assert claim(sessions, second, NOW + timedelta(seconds=6)) is not None


def test_a_modem_out_of_turn_tells_the_idle_one_in_turn_while_a_message_waits(sessions):
    first, second, third = modems_up(sessions, "a", "b", "c")
    queue(sessions, "0611111111")
    told: list[int] = []

    assert claim(sessions, third, told=told) is None
    assert told == [first]
    assert claim(sessions, first) is not None
    assert claim(sessions, third, told=told) is None
    assert told == [first]  # none waits: nobody to tell
    queue(sessions, "0622222222")
    assert claim(sessions, third, told=told) is None
    assert told == [first, second]  # a is busy: b's turn


@pytest.mark.parametrize(
    "down",
    [
        {"state": "error"},
        {"state": "connecting"},
        {"last_seen_at": NOW - routing.SILENT_AFTER - timedelta(seconds=1)},
        {"last_seen_at": None},
        {"rate_limited_until": NOW + timedelta(seconds=30)},
        {"role": "receive"},
    ],
    ids=["error", "connecting", "silent", "never-seen", "rate-limited", "receive-only"],
)
def test_it_leaves_no_work_for_a_modem_that_cannot_take_it(sessions, down):
    waiting, asking = modems_up(sessions, "a", "b")
    change_modem(sessions, waiting, **down)
    (message,) = queue(sessions, "0611111111")

    # `waiting` would come first (never used, first id), were it up.
    assert claim(sessions, asking) == message


def test_it_counts_a_rate_limited_modem_again_once_its_wait_is_over(sessions):
    waiting, asking = modems_up(sessions, "a", "b")
    change_modem(sessions, waiting, rate_limited_until=NOW + timedelta(seconds=30))
    queue(sessions, "0611111111")

    assert claim(sessions, asking, NOW + timedelta(seconds=31)) is None
    assert claim(sessions, waiting, NOW + timedelta(seconds=31)) is not None


def test_it_sends_a_message_asked_of_a_modem_by_that_modem_only_even_out_of_turn(sessions):
    in_turn, asked = modems_up(sessions, "a", "b")
    change_modem(sessions, asked, last_claimed_at=NOW)
    pinned, free = queue(sessions, "0611111111", "0622222222")
    pin(sessions, pinned, asked)

    assert claim(sessions, in_turn) == free
    assert claim(sessions, in_turn) is None
    assert claim(sessions, asked) == pinned


def test_it_keeps_a_message_asked_of_a_modem_that_is_down_for_that_modem(sessions):
    up, down = modems_up(sessions, "a", "b")
    change_modem(sessions, down, state="error")
    (message,) = queue(sessions, "0611111111")
    pin(sessions, message, down)

    assert claim(sessions, up) is None
    assert claim(sessions, down) == message


def test_it_takes_a_message_out_of_turn_when_part_of_it_left_through_this_modem(sessions):
    mine, other = modems_up(sessions, "a", "b")
    (message,) = queue(sessions, "0611111111")
    change_modem(sessions, mine, last_claimed_at=NOW)
    with sessions() as session:
        session.get_one(Message, message).modem_id = mine
        session.commit()

    assert claim(sessions, other) is None
    assert claim(sessions, mine) == message


def test_it_lets_one_modem_alone_send_everything(sessions):
    (only,) = modems_up(sessions, "a")
    first, second = queue(sessions, "0611111111", "0622222222")
    assert claim(sessions, only) == first
    assert claim(sessions, only) == second


def test_it_finds_the_modem_asked_for_by_name_among_those_that_send(sessions):
    modems = (
        ModemConfig(name="front", device="/dev/ttyUSB0", rate_limit=6),
        ModemConfig(name="listener", device="/dev/ttyUSB1", role="receive"),
    )
    with sessions() as session:
        front = routing.requested_modem(session, modems, "front")
        assert (session.get_one(Modem, front).name, session.get_one(Modem, front).rate_limit) == (
            "front",
            6,
        )
        with pytest.raises(routing.UnknownModem, match="'listener' only receives"):
            routing.requested_modem(session, modems, "listener")
        with pytest.raises(routing.UnknownModem, match="modems that send: front"):
            routing.requested_modem(session, modems, "back")
