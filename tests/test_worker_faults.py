"""The worker through a fake driver whose modem goes away: nothing stays stranded."""

from __future__ import annotations

import threading

from fake_driver import FakeDriver
from outbox_rows import queue
from waiting import wait_until

from modem.worker import ModemWorker
from smsbox.config import MessagingConfig, ModemConfig
from smsbox.models import Message, Status


def test_it_gives_back_what_it_claimed_while_its_device_stays_away(sessions, tmp_path):
    (message_id,) = queue(sessions, "0611111111")
    modem = FakeDriver()
    modem.vanish_at_next_submission()
    stop = threading.Event()
    worker = ModemWorker(
        ModemConfig(name="gone", device=str(tmp_path / "no-such-device")),
        modem,
        sessions,
        messaging=MessagingConfig(),
        stop=stop,
    )
    thread = threading.Thread(target=worker.run)
    thread.start()
    try:
        wait_until(lambda: not modem.submit_faults)

        def given_back() -> bool:
            with sessions() as session:
                message = session.get_one(Message, message_id)
                return message.status == Status.QUEUED and message.modem_id is None

        wait_until(given_back)  # while the worker still waits for its device
        assert thread.is_alive()
    finally:
        stop.set()
        thread.join(timeout=10)
