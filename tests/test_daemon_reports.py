"""Delivery reports through the real daemon and a simulated network that sends them."""

from __future__ import annotations

import pytest
from daemon_fixtures import (
    EVERY_DRIVER,
    SENDING_WAIT,
    configured,
    messages,
    run_daemon_until,
)
from waiting import wait_until

from modem.pdu import decode
from modem.sim import SimulatedModem
from smsbox import account_settings, outbox
from smsbox.activity import COMMAND_LINE
from smsbox.database import make_engine, make_session_factory
from smsbox.message_settings import MessageSettings
from smsbox.models import Direction, Status

pytestmark = EVERY_DRIVER

LONG = "Rendez-vous confirmé à 9 h, merci de prévenir en cas d'empêchement. " * 4


def queue(db, text: str, number: str = "0612345678") -> None:
    with db() as session:
        outbox.queue_message(session, number, text, default_region="FR")
        session.commit()


def only_outbound(db):
    (message,) = messages(db, Direction.OUTBOUND)
    return message


@pytest.mark.parametrize(
    ("outcome", "status"),
    [("delivered", Status.DELIVERED), ("failed", Status.FAILED), ("expired", Status.EXPIRED)],
)
def test_it_moves_a_long_message_to_what_the_network_reports(
    db, sim, start_daemon, outcome, status
):
    sim.configure_reports(delay=0.2, outcome=outcome)
    queue(db, LONG)
    start_daemon()

    wait_until(lambda: only_outbound(db).status == status)
    message = only_outbound(db)
    with db() as session:
        session.add(message)
        parts = len(message.parts)
        if status == Status.DELIVERED:
            assert {part.status for part in message.parts} == {Status.DELIVERED}
            assert message.delivered_at is not None
        else:
            assert "the network reports it" in message.error
    (submitted,) = sim.sent()
    assert submitted.status_report
    assert len(submitted.parts) == parts > 1


def test_it_asks_the_network_to_try_for_the_configured_validity_period(db, sim, start_daemon):
    queue(db, "valable deux jours")
    start_daemon()

    (submitted,) = sim.wait_for_sent(1, SENDING_WAIT)
    assert submitted.validity == "2D"  # 48 hours, the default


def test_it_asks_for_no_report_when_the_modem_says_so(tmp_path, driver_name):
    device = str(tmp_path / "modem")
    config = configured(
        tmp_path, device, {"validity_hours": 12}, status_reports=False, driver=driver_name
    )
    engine = make_engine(config.database_url)
    with make_session_factory(engine)() as session:
        # The account asks for reports: the modem's configuration has the last word.
        wanted = MessageSettings(delivery_reports=True)
        account_settings.save(session, account_settings.MESSAGES, wanted, COMMAND_LINE)
        session.commit()
    queue(make_session_factory(engine), "sans accusé")
    with SimulatedModem(device) as sim:
        run_daemon_until(config, sim.sent, SENDING_WAIT)
    engine.dispose()
    (submitted,) = sim.sent()
    assert not submitted.status_report
    assert submitted.validity == "720M"  # 12 hours, as python-gammu reads it back
    assert decode(submitted.parts[0])["Text"] == "sans accusé"
