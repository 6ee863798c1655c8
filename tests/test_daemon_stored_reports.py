"""A status report a modem filed among its SMS, found by the daemon's storage sweep
(through the AT driver: libgammu notices a modem that restarted too late for a test;
tests/test_gammu_driver.py checks that driver hands such a report over)."""

from __future__ import annotations

from datetime import UTC, datetime

from daemon_fixtures import SENDING_WAIT, held_sms, messages, run_daemon_until
from test_daemon_reports import only_outbound, queue
from waiting import wait_until

from modem.pdu_encoding import encode_status_report
from modem.sim.state import MessageStatus
from smsbox.models import Direction, Status


def test_a_report_the_modem_put_in_its_storage_is_taken_as_a_report_not_an_sms(
    db, sim, start_daemon
):
    """Some modems file status reports among the SMS (AT+CNMI <ds> 2 with no "SR"
    storage, or set so by another program): the sweep must not make an empty SMS
    from the recipient of one, nor leave it filling the SIM."""
    sim.configure_reports(delay=3600)  # the network itself says nothing meanwhile
    queue(db, "rappel")
    start_daemon()
    (submitted,) = sim.wait_for_sent(1, SENDING_WAIT)
    wait_until(lambda: only_outbound(db).status == Status.SENT)
    filed = encode_status_report(
        submitted.references[0],
        submitted.recipient,
        smsc="+33609001390",
        submitted_at=datetime.now(UTC),
        status=0,  # delivered
    )
    with sim.engine.lock:
        sim.engine.storage.add(MessageStatus.REC_UNREAD, filed)
    sim.reboot()  # the daemon sets the modem up again and sweeps its storage

    wait_until(lambda: only_outbound(db).status == Status.DELIVERED, SENDING_WAIT)
    assert messages(db, Direction.INBOUND) == []
    wait_until(lambda: held_sms(sim) == [])


def test_a_report_that_came_while_the_daemon_was_down_is_taken_when_it_is_back(
    modem_config, db, sim
):
    """The modem offers a storage for reports: they wait there (+CDSI) for the daemon,
    where passed on at once (+CDS) they would be lost to a daemon that is down."""
    sim.configure_reports(delay=1.0)
    queue(db, "rappel")
    run_daemon_until(modem_config, sim.sent, SENDING_WAIT)
    wait_until(lambda: reports_waiting(sim) == 1)  # arrived with no daemon listening

    run_daemon_until(modem_config, lambda: only_outbound(db).status == Status.DELIVERED)
    assert reports_waiting(sim) == 0
    assert messages(db, Direction.INBOUND) == []


def reports_waiting(sim) -> int:
    with sim.engine.lock:
        return len(sim.engine.stores["SR"].messages)
