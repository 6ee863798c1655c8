"""Several modems sharing the traffic, through the real daemon and three simulated
modems of different makes on ptys: who sends what, counted on each simulated
network."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass

from daemon_fixtures import ON_THE_NETWORK, configured_modems
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from waiting import wait_until

from modem.daemon import run_daemon
from modem.sim import SimulatedModem
from modem.sim.profiles import HUAWEI_E3372, SIM800, SIM7600
from smsbox import routing
from smsbox.config import Config
from smsbox.database import make_engine, make_session_factory
from smsbox.models import Direction, Message, Modem, Status
from smsbox.outbox import queue_message

NAMES = ("a", "b", "c")
PROFILES = (SIM800, SIM7600, HUAWEI_E3372)
SETTLED = ON_THE_NETWORK | {Status.INTERRUPTED}


@dataclass
class Box:
    config: Config
    sessions: sessionmaker[Session]
    sims: dict[str, SimulatedModem]

    def queue(self, count: int, *, first: int = 0, modem: str | None = None) -> list[str]:
        """`count` messages, each with its own text and number; returns the texts."""
        texts = [f"message {number}" for number in range(first, first + count)]
        with self.sessions() as session:
            asked = routing.requested_modem(session, self.config.modems, modem) if modem else None
            for number, text in enumerate(texts, start=first):
                queue_message(
                    session,
                    f"06{number:08d}",
                    text,
                    default_region="FR",
                    requested_modem_id=asked,
                )
            session.commit()
        return texts

    def sent_by(self, name: str) -> list[str]:
        return [sms.text for sms in self.sims[name].sent()]

    def on_the_networks(self) -> Counter[str]:
        return Counter(text for name in self.sims for text in self.sent_by(name))

    def statuses(self) -> dict[str, tuple[Status, str | None]]:
        with self.sessions() as session:
            rows = session.execute(
                select(Message.body, Message.status, Modem.name)
                .outerjoin(Modem, Modem.id == Message.modem_id)
                .where(Message.direction == Direction.OUTBOUND)
            ).all()
        return {body: (status, modem) for body, status, modem in rows}

    def all_settled(self) -> bool:
        return all(status in SETTLED for status, _ in self.statuses().values())

    def modem_states(self) -> dict[str, tuple[str, int | None]]:
        with self.sessions() as session:
            rows = session.execute(select(Modem.name, Modem.state, Modem.signal_quality)).all()
        return {name: (state, signal) for name, state, signal in rows}


@contextmanager
def three_modems(tmp_path, roles=("both", "both", "both"), send_delay=0.0) -> Iterator[Box]:
    """The daemon serving three simulated modems, each connected and idle."""
    config = configured_modems(
        tmp_path,
        *(
            {"name": name, "device": str(tmp_path / name), "role": role}
            for name, role in zip(NAMES, roles, strict=True)
        ),
    )
    engine = make_engine(config.database_url)
    with ExitStack() as stack:
        stack.callback(engine.dispose)
        sims = {
            name: stack.enter_context(SimulatedModem(tmp_path / name, profile=profile))
            for name, profile in zip(NAMES, PROFILES, strict=True)
        }
        for sim in sims.values():
            sim.slow(send_delay)
        stop = threading.Event()
        daemon = threading.Thread(target=run_daemon, args=(config, stop))
        daemon.start()

        def stop_daemon() -> None:
            stop.set()
            daemon.join(timeout=10)
            assert not daemon.is_alive(), "the daemon did not stop when asked"

        stack.callback(stop_daemon)
        box = Box(config, make_session_factory(engine), sims)
        wait_until(
            lambda: (
                {
                    name: state == "ready" and signal is not None
                    for name, (state, signal) in box.modem_states().items()
                }
                == dict.fromkeys(NAMES, True)
            )
        )
        yield box


def test_it_spreads_messages_over_three_modems_each_sent_exactly_once(tmp_path):
    with three_modems(tmp_path) as box:
        texts = box.queue(30)
        wait_until(lambda: sum(box.on_the_networks().values()) >= 30)
        wait_until(box.all_settled)

        assert box.on_the_networks() == Counter(texts)
        assert all(box.sent_by(name) for name in NAMES)
        statuses = box.statuses()
        for name in NAMES:
            for text in box.sent_by(name):
                assert statuses[text][0] in ON_THE_NETWORK
                assert statuses[text][1] == name


def test_it_gives_idle_modems_turns_when_messages_come_one_at_a_time(tmp_path):
    with three_modems(tmp_path) as box:
        senders = []
        for number in range(6):
            (text,) = box.queue(1, first=number)
            wait_until(lambda text=text: box.statuses()[text][0] in ON_THE_NETWORK)
            senders.append(box.statuses()[text][1])

        # Each modem once, then again in the same order (which modem is first among
        # modems never used depends on the order their workers started in).
        assert sorted(senders[:3]) == sorted(NAMES)
        assert senders[3:] == senders[:3]


def test_it_sends_from_the_modem_asked_for_and_never_from_a_receive_only_one(tmp_path):
    with three_modems(tmp_path, roles=("both", "both", "receive"), send_delay=0.05) as box:
        anyone = box.queue(12)
        pinned = box.queue(4, first=100, modem="b")
        box.sims["c"].deliver("+33699999999", "Bonjour, c'est moi")
        wait_until(lambda: sum(box.on_the_networks().values()) >= 16)
        wait_until(box.all_settled)

        assert box.on_the_networks() == Counter(anyone + pinned)
        assert box.sent_by("c") == []
        assert set(pinned) <= set(box.sent_by("b"))
        assert box.sent_by("a")
        with box.sessions() as session:
            wait_until(
                lambda: (
                    session.scalar(
                        select(Modem.name)
                        .join(Message, Message.modem_id == Modem.id)
                        .where(Message.direction == Direction.INBOUND)
                    )
                    == "c"
                )
            )


def test_it_gives_a_modem_gone_no_more_work_and_the_others_send_everything(tmp_path):
    with three_modems(tmp_path, send_delay=0.3) as box:
        texts = box.queue(30)
        wait_until(lambda: len(box.sent_by("c")) >= 2)
        box.sims["c"].stop()
        sent_by_c = box.sent_by("c")
        wait_until(lambda: box.modem_states()["c"][0] == "error")

        wait_until(box.all_settled, timeout=30)

        assert box.sent_by("c") == sent_by_c
        statuses = box.statuses()
        # The one c was sending when it went may be on its network or not: a person decides.
        interrupted = {text for text, (status, _) in statuses.items() if status == "interrupted"}
        assert len(interrupted) <= 1
        assert all(statuses[text][1] == "c" for text in interrupted)
        on_the_networks = box.on_the_networks()
        assert set(texts) - interrupted <= set(on_the_networks)
        assert max(on_the_networks.values()) == 1
        for name in ("a", "b"):
            assert all(statuses[text][1] == name for text in box.sent_by(name))
