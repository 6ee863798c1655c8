"""Waking the daemon when a message is queued: the notifier never fails its caller,
and an idle worker sends at once instead of at its next look at the queue."""

from __future__ import annotations

import socket
import threading
from datetime import timedelta

import pytest
from daemon_fixtures import EVERY_DRIVER, ON_THE_NETWORK, SENDING_WAIT, messages
from databases import ON_POSTGRESQL, database_toml
from waiting import wait_until

from modem import pace
from modem.daemon import relay_wakeups
from modem.pace import SendingPace
from smsbox import sending, wakeup
from smsbox.cli import main
from smsbox.config import parse_config
from smsbox.models import Direction, utcnow
from smsbox.modems import READY, ensure_modem, record_state
from smsbox.outbox import queue_message, release_due_scheduled
from smsbox.queue_notifications import NotificationListener


@pytest.fixture
def data_config(tmp_path):
    config = parse_config({"data_dir": "data"}, tmp_path)
    config.data_dir.mkdir()
    return config


def test_it_tells_nobody_without_error_when_no_daemon_listens(data_config):
    wakeup.notify(data_config)
    assert not wakeup.socket_path(data_config).exists()


def test_it_tells_nobody_without_error_when_the_data_directory_is_missing(tmp_path):
    wakeup.notify(parse_config({"data_dir": "nowhere"}, tmp_path))


def test_it_ignores_the_socket_a_dead_daemon_left_behind(data_config):
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as dead:
        dead.bind(str(wakeup.socket_path(data_config)))
    wakeup.notify(data_config)  # connection refused: nobody reads it


def test_it_never_blocks_on_a_daemon_that_does_not_read(data_config):
    with wakeup.Listener(data_config) as listener:
        for _ in range(10_000):  # far more than a socket's queue holds
            wakeup.notify(data_config)
        assert listener.wait(0)


def test_it_wakes_the_listener_once_for_all_that_came_meanwhile(data_config):
    with wakeup.Listener(data_config) as listener:
        assert not listener.wait(0)
        wakeup.notify(data_config)
        wakeup.notify(data_config)
        assert listener.wait(1.0)
        assert not listener.wait(0)


def test_it_takes_over_the_socket_a_killed_daemon_left_and_removes_its_own(data_config):
    path = wakeup.socket_path(data_config)
    path.touch()
    with wakeup.Listener(data_config) as listener:
        wakeup.notify(data_config)
        assert listener.wait(1.0)
    assert not path.exists()


class Woken:
    def __init__(self) -> None:
        self.count = 0

    def wake(self) -> None:
        self.count += 1


class HearsOnce:
    """A listener that hears `heard`, then nothing as the daemon stops."""

    def __init__(self, heard: wakeup.Heard, stop: threading.Event):
        self.heard, self.stop = heard, stop

    def wait(self, timeout: float) -> wakeup.Heard:
        self.stop.set()
        return self.heard


@pytest.mark.parametrize(
    ("heard", "woken"),
    [
        (wakeup.QUEUED, [1, 1, 1]),
        (wakeup.Heard(turns=frozenset({12, 99})), [0, 1, 0]),  # 99: another host's modem
        (wakeup.Heard(queued=True, turns=frozenset({12})), [1, 2, 1]),
    ],
    ids=["queued", "turn", "both"],
)
def test_the_daemon_wakes_everyone_for_a_queued_message_and_a_modem_told_its_turn(heard, woken):
    stop = threading.Event()
    first, second, webhooks = Woken(), Woken(), Woken()

    relay_wakeups(
        HearsOnce(heard, stop), [first, second, webhooks], {11: first.wake, 12: second.wake}, stop
    )

    assert [first.count, second.count, webhooks.count] == woken


def worker_idle(monkeypatch) -> threading.Event:
    """Set once a worker looked at the queue and found it empty."""
    idle = threading.Event()
    listen_to_the_modem = SendingPace.listen

    def listen(sending_pace: SendingPace, events, *, sent: bool, held_back: float) -> list:
        if not sent:
            idle.set()
        return listen_to_the_modem(sending_pace, events, sent=sent, held_back=held_back)

    monkeypatch.setattr(SendingPace, "listen", listen)
    return idle


@EVERY_DRIVER
def test_it_sends_a_message_queued_from_the_cli_at_once_to_an_idle_worker(
    tmp_path, modem_config, db, sim, start_daemon, monkeypatch
):
    # An idle worker looks at the queue again only when woken: the message can go
    # out only because `smsbox send` woke the daemon.
    monkeypatch.setattr(pace, "IDLE_WAIT", 3600.0)
    idle = worker_idle(monkeypatch)
    config_file = tmp_path / "smsbox.toml"
    config_file.write_text(
        f'data_dir = "{modem_config.data_dir}"\n[messaging]\ndefault_region = "FR"\n'
        + database_toml(modem_config.data_dir),
        encoding="utf-8",
    )
    start_daemon()
    wait_until(idle.is_set, SENDING_WAIT)

    assert main(["--config", str(config_file), "send", "0611111111", "Bonjour"]) == 0

    wait_until(
        lambda: (
            [message.status in ON_THE_NETWORK for message in messages(db, Direction.OUTBOUND)]
            == [True]
        ),
        SENDING_WAIT,
    )
    assert [sms.text for sms in sim.sent()] == ["Bonjour"]


# -- several hosts on PostgreSQL: LISTEN/NOTIFY -----------------------------------------

on_postgresql_only = pytest.mark.skipif(
    not ON_POSTGRESQL, reason="LISTEN/NOTIFY: SQLite has the socket and polling"
)


@on_postgresql_only
def test_it_hears_through_the_database_each_commit_that_queues_and_only_those(sessions):
    with sessions() as session:
        engine = session.get_bind()
    with NotificationListener(engine) as listener:
        assert not listener.wait(0)
        with sessions() as session:
            queue_message(
                session,
                "0611111111",
                "later",
                default_region="FR",
                scheduled_at=utcnow() + timedelta(hours=1),
            )
            session.commit()
        assert not listener.wait(0.5)  # scheduled, not queued
        with sessions() as session:
            for number in ("0611111111", "0622222222"):
                queue_message(session, number, "now", default_region="FR")
            session.commit()
        assert listener.wait(5.0)
        assert not listener.wait(0)  # one transaction, one wake-up
        with sessions() as session:
            release_due_scheduled(session, utcnow() + timedelta(hours=2))
            session.commit()
        assert listener.wait(5.0)


@on_postgresql_only
def test_a_turn_passed_to_another_hosts_modem_reaches_every_daemon_with_its_id(sessions):
    with sessions() as session:
        engine = session.get_bind()
        elsewhere_id, here_id = (ensure_modem(session, name, f"/dev/{name}") for name in ("a", "b"))
        for modem_id in (here_id, elsewhere_id):
            record_state(session, modem_id, READY)
        queue_message(session, "0611111111", "now", default_region="FR")
        session.commit()
    told: list[int] = []

    def ring(modem_id: int) -> bool:
        told.append(modem_id)
        return False  # not one of this daemon's modems

    with NotificationListener(engine) as listener:
        listener.wait(5.0)  # the queued messages
        with sessions() as session:  # the message is a's (first in turn)
            assert sending.claim(session, here_id, ring=ring) == []

        heard = listener.wait(5.0)

    assert told == [elsewhere_id]
    assert heard == wakeup.Heard(turns=frozenset({elsewhere_id}))


@on_postgresql_only
def test_it_sends_at_once_what_another_host_queued_to_an_idle_worker(
    modem_config, db, sim, start_daemon, monkeypatch
):
    # No `smsbox send` here, no socket: a web server on another host wrote the row.
    monkeypatch.setattr(pace, "IDLE_WAIT", 3600.0)
    idle = worker_idle(monkeypatch)
    start_daemon()
    wait_until(idle.is_set, SENDING_WAIT)

    with db() as session:
        queue_message(session, "0611111111", "d'un autre hôte", default_region="FR")
        session.commit()

    wait_until(
        lambda: (
            [message.status in ON_THE_NETWORK for message in messages(db, Direction.OUTBOUND)]
            == [True]
        ),
        SENDING_WAIT,
    )
    assert [sms.text for sms in sim.sent()] == ["d'un autre hôte"]
