"""The worker through a fake driver whose modem goes away: nothing stays stranded."""

from __future__ import annotations

import threading

from outbox_rows import queue
from waiting import wait_until

from modem.errors import PortError
from modem.worker import ModemWorker
from smsbox.config import MessagingConfig, ModemConfig
from smsbox.models import Message, Status


class ModemThatVanishes:
    """Connects, then loses its port at the first submission, before the '>' prompt."""

    pin_refused = False

    def __init__(self) -> None:
        self.submissions = 0

    def connect(self) -> None:
        pass

    def reinitialise(self) -> None:
        pass

    def settings_lost(self) -> bool:
        return False

    def close(self) -> None:
        pass

    def split(self, number: str, text: str) -> list[str]:
        return [text]

    def submit(self, part: str, before_handover: object) -> int:
        self.submissions += 1
        raise PortError("the serial port failed: [Errno 5] Input/output error")

    def stored_messages(self) -> list:
        return []

    def read_message(self, index: int) -> None:
        return None

    def delete_message(self, index: int) -> None:
        pass

    def signal_quality(self) -> int:
        return 20

    def events(self, timeout: float) -> list:
        return []


def test_it_gives_back_what_it_claimed_while_its_device_stays_away(sessions, tmp_path):
    (message_id,) = queue(sessions, "0611111111")
    modem = ModemThatVanishes()
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
        wait_until(lambda: modem.submissions == 1)

        def given_back() -> bool:
            with sessions() as session:
                message = session.get_one(Message, message_id)
                return message.status == Status.QUEUED and message.modem_id is None

        wait_until(given_back)  # while the worker still waits for its device
        assert thread.is_alive()
    finally:
        stop.set()
        thread.join(timeout=10)
