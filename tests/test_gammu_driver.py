"""The gammu driver against the simulated modem on a real pty: what libgammu reads and
sends, told in the daemon's terms. (libgammu takes ~5 s to set a modem up: tests
share one connection where they can.)"""

from __future__ import annotations

import signal
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from daemon_fixtures import SENDING_WAIT, held_sms, messages
from databases import database_toml
from waiting import wait_until

from modem.drivers.contract import (
    DriverSettings,
    IncomingCall,
    ModemStatus,
    NewMessage,
    Outcome,
    PduRequest,
    StoredSms,
)
from modem.drivers.gammu import GammuDriver
from modem.errors import ModemError, PinRefused, SubmitOutcomeUnknown
from modem.pdu import join_text, received_part
from modem.pdu_encoding import encode_deliver, encode_status_report
from modem.reports import read_status_report
from modem.sim import SimulatedModem
from modem.sim.state import MessageStatus
from smsbox.cli import main
from smsbox.config import load_config
from smsbox.database import make_engine, make_session_factory
from smsbox.models import Direction
from smsbox.setup import initialise

SMSBOX = str(Path(sys.executable).parent / "smsbox")

SMSC = "+33609001390"  # the simulated SIM's
SENT_AT = datetime(2026, 11, 24, 9, 30, tzinfo=UTC)
LONG_UNICODE = "Réunion demain 9 h — salle « Ça va » ✓ 😀 " * 6


@pytest.fixture(scope="module")
def connected(tmp_path_factory) -> Iterator[tuple[SimulatedModem, GammuDriver]]:
    link = tmp_path_factory.mktemp("gammu") / "modem"
    with SimulatedModem(link) as sim:
        driver = GammuDriver(DriverSettings(str(link)))
        driver.connect()
        yield sim, driver
        driver.close()


def emptied(sim: SimulatedModem, driver: GammuDriver) -> None:
    """The modem as the next test expects it: no SMS stored, none announced."""
    for stored in driver.stored_messages():
        driver.delete_message(stored.index)
    assert not held_sms(sim)
    driver.events(0.2)


def events_of(driver: GammuDriver, kind: type) -> list:
    """The events of one kind the modem announced (status reports of earlier tests'
    SMS come in between)."""
    return [event for event in driver.events(0.2) if isinstance(event, kind)]


def test_it_hands_over_each_stored_sms_as_the_pdu_the_network_delivered(connected):
    sim, driver = connected
    delivered = [
        *encode_deliver("+33611111111", "[{€}] ~ accentué ç", smsc=SMSC, sent_at=SENT_AT),
        *encode_deliver("+33622222222", LONG_UNICODE, smsc=SMSC, sent_at=SENT_AT),
        *encode_deliver(
            "+33633333333", LONG_UNICODE, smsc=SMSC, sent_at=SENT_AT, wide_reference=True
        ),
    ]
    for pdu in delivered:
        sim.deliver_pdu(pdu)
    stored = wait_until(lambda: len(found := driver.stored_messages()) == len(delivered) and found)

    assert sorted(sms.pdu for sms in stored) == sorted(delivered)
    by_sender: dict[str, list[str]] = {}
    for sms in stored:
        by_sender.setdefault(received_part(sms.pdu).sender, []).append(sms.pdu)
    assert {sender: join_text(pdus) for sender, pdus in by_sender.items()} == {
        "+33611111111": "[{€}] ~ accentué ç",
        "+33622222222": LONG_UNICODE,
        "+33633333333": LONG_UNICODE,
    }
    emptied(sim, driver)


def test_it_announces_a_new_sms_at_the_slot_it_is_read_and_deleted_from(connected):
    sim, driver = connected
    sim.deliver("+33611111111", "annoncé")
    (new,) = wait_until(lambda: events_of(driver, NewMessage))
    stored = driver.read_message(new.index)
    assert isinstance(stored, StoredSms)
    assert received_part(stored.pdu).sender == "+33611111111"
    # The same slot whichever way it was found (libgammu numbers it two ways).
    slot = (stored.storage, stored.index, stored.pdu)
    assert [(sms.storage, sms.index, sms.pdu) for sms in driver.stored_messages()] == [slot]

    driver.delete_message(stored.index)
    assert not held_sms(sim)
    assert driver.read_message(stored.index) is None
    driver.delete_message(stored.index)  # gone already: nothing to do


def test_it_sends_a_stored_part_with_its_header_report_request_and_validity(connected):
    sim, driver = connected
    handed_over = []
    parts = driver.split("+33612345678", LONG_UNICODE, PduRequest(validity_hours=48))
    references = [driver.submit(part, lambda: handed_over.append(True)) for part in parts]

    (submitted,) = sim.wait_for_sent(1)
    assert submitted.text == LONG_UNICODE
    assert (submitted.status_report, submitted.validity) == (True, "2D")
    assert references == submitted.references
    assert len(handed_over) == len(parts)


def test_it_reports_a_refusal_before_the_pdu_as_a_refusal(connected):
    sim, driver = connected
    sent_before = len(sim.sent())
    sim.fail_next(code=330)  # the AT+CMGS line: SMSC address unknown
    with pytest.raises(ModemError) as refused:
        driver.submit(driver.split("+33612345678", "refusé", PduRequest())[0], lambda: None)
    assert not isinstance(refused.value, SubmitOutcomeUnknown)
    assert len(sim.sent()) == sent_before


def test_it_says_what_the_modem_says_of_itself(connected):
    sim, driver = connected
    sim.deliver("+33611111111", "occupe une place")
    wait_until(lambda: held_sms(sim))
    status = driver.status()
    assert status == ModemStatus(
        signal=sim.network.signal,
        registration="home",
        operator=sim.network.operator,
        storage_used=status.storage_used,
        storage_total=status.storage_total,
        imei=sim.engine.profile.imei,
        imsi=sim.engine.sim.imsi,
    )
    emptied(sim, driver)


def test_it_tells_of_a_call_once_and_hangs_it_up(connected):
    sim, driver = connected
    sim.call("+33612345678", rings=10, interval=0.3)
    (call,) = wait_until(lambda: events_of(driver, IncomingCall))
    assert (call.number, call.rings) == ("+33612345678", 1)

    driver.hang_up()
    assert [record.outcome for record in sim.network.calls()] == ["rejected"]


def test_it_calls_an_answer_lost_after_the_handover_an_unknown_outcome(tmp_path):
    link = tmp_path / "modem"
    with SimulatedModem(link) as sim:
        driver = GammuDriver(DriverSettings(str(link)))
        driver.connect()
        with pytest.raises(SubmitOutcomeUnknown):
            driver.submit(
                driver.split("+33612345678", "perdu", PduRequest())[0], lambda: sim.vanish(2)
            )
        driver.close()


def test_it_gives_a_refused_pin_once_and_never_again(tmp_path):
    link = tmp_path / "modem"
    with SimulatedModem(link, pin="4321") as sim:
        driver = GammuDriver(DriverSettings(str(link), pin="1234"))
        with pytest.raises(PinRefused):
            driver.connect()
        driver.close()
        assert sim.engine.sim.pin_retries == 2

        with pytest.raises(PinRefused, match="not tried again"):
            driver.connect()
        driver.close()
        assert sim.engine.sim.pin_retries == 2


def test_it_serves_a_modem_through_the_daemon_command_when_the_config_says_gammu(tmp_path):
    link = tmp_path / "modem"
    config_path = tmp_path / "smsbox.toml"
    config_path.write_text(
        'data_dir = "data"\n'
        '[messaging]\ndefault_region = "FR"\ntimezone = "Europe/Paris"\n'
        f'[[modem]]\nname = "sim"\ndevice = "{link}"\ndriver = "gammu"\n'
        + database_toml(tmp_path / "data")
    )
    config = load_config(config_path)
    initialise(config)
    assert main(["--config", str(config_path), "send", "06 12 34 56 78", "par gammu €"]) == 0
    engine = make_engine(config.database_url)
    db = make_session_factory(engine)
    log = tmp_path / "daemon.log"
    with SimulatedModem(link) as sim, log.open("wb") as output:
        daemon = subprocess.Popen(
            [SMSBOX, "--config", str(config_path), "daemon"], stdout=output, stderr=output
        )
        try:
            (submitted,) = sim.wait_for_sent(1, SENDING_WAIT)
            sim.deliver("+33698765432", "réponse à gammu")
            (received,) = wait_until(lambda: messages(db, Direction.INBOUND))
        finally:
            daemon.send_signal(signal.SIGTERM)
            daemon.wait(timeout=30)
    engine.dispose()
    assert (submitted.recipient, submitted.text) == ("+33612345678", "par gammu €")
    assert (received.number, received.body) == ("+33698765432", "réponse à gammu")
    assert daemon.returncode == 0, log.read_text()


CLOSE_AFTER_UNREAD_CALLS = """
import sys, time
from modem.drivers.contract import DriverSettings
from modem.drivers.gammu import GammuDriver
from modem.sim import SimulatedModem

with SimulatedModem(sys.argv[1]) as sim:
    driver = GammuDriver(DriverSettings(sys.argv[1]))
    driver.connect()
    sim.call("+33612345678", rings=12, interval=0.2)
    time.sleep(3)  # more rings than python-gammu queues, none read
    driver.close()
"""


def test_it_closes_a_session_that_has_calls_it_did_not_read(tmp_path):
    # In a child process: python-gammu used to free its callback queue twice here,
    # and glibc aborts the process.
    closing = subprocess.run(
        [sys.executable, "-c", CLOSE_AFTER_UNREAD_CALLS, str(tmp_path / "modem")],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert closing.returncode == 0, closing.stderr


def test_it_hands_over_a_status_report_filed_in_the_storage_as_its_pdu(connected):
    sim, driver = connected
    filed = encode_status_report(
        42, "+33612345678", smsc=SMSC, submitted_at=SENT_AT, status=0x46
    )  # 0x46: the validity period ran out
    with sim.engine.lock:
        sim.engine.storage.add(MessageStatus.REC_UNREAD, filed)
    (stored,) = driver.stored_messages()
    report = read_status_report(stored.pdu)
    assert (report.reference, report.recipient, report.outcome) == (
        42,
        "+33612345678",
        Outcome.EXPIRED,
    )
    emptied(sim, driver)
