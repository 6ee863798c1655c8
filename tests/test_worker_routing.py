"""A worker's share of the traffic, through a driver in memory (tests/fake_driver.py)
and a clock the test moves (the `clock` fixture of tests/sim_engine.py): its role,
its rate limit, and the turns it leaves to the other modems. The same is tried end
to end on three simulated modems in tests/test_daemon_routing.py."""

from __future__ import annotations

from collections.abc import Callable

from fake_driver import FakeDriver, connected_worker
from outbox_rows import queue
from sqlalchemy import select

from modem.pace import IDLE_WAIT, RateLimit
from modem.pdu_encoding import encode_deliver
from smsbox.models import Direction, Message, Modem, Status, utcnow

CALLER = "+33622222222"


class TimedDriver(FakeDriver):
    """Keeps how long the worker was ready to wait for events at each call; a wait
    after `wake` returns at once, as the real drivers' do."""

    def __init__(self) -> None:
        super().__init__()
        self.waits: list[float] = []
        self.woken = False

    def wake(self) -> None:
        self.woken = True

    def events(self, timeout: float):
        self.waits.append(0.0 if self.woken else timeout)
        self.woken = False
        return super().events(timeout)


def test_it_lets_n_messages_go_in_any_minute_and_no_more(clock):
    limit = RateLimit(2, clock)
    limit.take()
    clock.now += 10
    limit.take()
    assert limit.wait() == 50
    clock.now += 50
    assert limit.wait() == 0  # the first went a minute ago
    limit.take()
    assert limit.wait() == 10


def test_it_sends_at_most_its_rate_limit_a_minute_and_reads_events_meanwhile(sessions, clock):
    driver = TimedDriver()
    worker = connected_worker(sessions, driver, clock, rate_limit=2)
    queue(sessions, *[f"06111111{n:02d}" for n in range(5)])

    for _ in range(4):
        worker.step()
    assert len(driver.texts_on_the_network()) == 2

    driver.deliver(*encode_deliver(CALLER, "Merci !", smsc="+33609001390", sent_at=utcnow()))
    driver.waits.clear()
    worker.step()
    # Held back, the worker still waits for events as long as when idle, no longer.
    assert driver.waits and max(driver.waits) <= IDLE_WAIT
    with sessions() as session:
        assert session.scalars(
            select(Message.body).where(Message.direction == Direction.INBOUND)
        ).all() == ["Merci !"]
        # The other modems leave it no work until its minute is over.
        assert session.scalars(select(Modem.rate_limited_until)).one() > utcnow()

    clock.now += 60
    for _ in range(3):
        worker.step()
    assert len(driver.texts_on_the_network()) == 4


def test_it_never_sends_from_a_receive_only_modem_but_stores_what_arrives(sessions, clock):
    driver = FakeDriver()
    worker = connected_worker(sessions, driver, clock, role="receive")
    queue(sessions, "0611111111")
    driver.deliver(*encode_deliver(CALLER, "Bonjour", smsc="+33609001390", sent_at=utcnow()))

    worker.step()
    worker.step()

    assert driver.texts_on_the_network() == []
    with sessions() as session:
        assert set(session.execute(select(Message.direction, Message.status)).all()) == {
            (Direction.OUTBOUND, Status.QUEUED),
            (Direction.INBOUND, Status.RECEIVED),
        }


def test_it_rings_the_modem_whose_turn_it_left(sessions, clock):
    peers: dict[int, Callable[[], None]] = {}
    first = connected_worker(sessions, TimedDriver(), clock, peers, name="first")
    second_driver = TimedDriver()
    second = connected_worker(sessions, second_driver, clock, peers, name="second")
    first.step(), second.step()  # both ready, seen, idle
    queue(sessions, "0611111111")

    second_driver.waits.clear()
    second.step()  # first's turn: second only rings it

    assert first.driver.woken
    assert second_driver.texts_on_the_network() == []
    # Work is waiting, yet second waits like an idle worker: first tells it its turn.
    assert second_driver.waits == [IDLE_WAIT]
    first.step()
    assert first.driver.texts_on_the_network() == ["hello"]
    assert not first.driver.woken


def test_an_idle_worker_stops_waiting_for_events_when_woken(sessions, clock):
    driver = TimedDriver()
    worker = connected_worker(sessions, driver, clock)
    worker.step()
    driver.waits.clear()
    worker.step()
    assert driver.waits == [IDLE_WAIT]  # one wait, not a look every few milliseconds

    driver.waits.clear()
    worker.wake()
    worker.step()
    assert driver.waits == [0.0]
