"""Each modem's recent errors: recorded where its state is, bounded, kept after the
modem recovers; and through the real daemon when the simulated modem's port goes."""

from __future__ import annotations

from daemon_fixtures import modem_state, start_and_settle
from waiting import wait_until

from smsbox.models import Modem
from smsbox.modems import ERRORS_KEPT, recent_errors, record_state


def errors_of(sessions, modem_id: int) -> list[tuple[str, int]]:
    with sessions() as session:
        return [(error.error, error.times) for error in recent_errors(session, modem_id)]


def test_it_keeps_the_errors_newest_first_after_the_modem_recovers(sessions, modem_id):
    with sessions() as session:
        record_state(session, modem_id, "error", "the SIM asks for a PIN")
        record_state(session, modem_id, "ready")
        record_state(session, modem_id, "error", "the port is gone")
        session.commit()
        assert session.get_one(Modem, modem_id).last_error == "the port is gone"
    assert errors_of(sessions, modem_id) == [("the port is gone", 1), ("the SIM asks for a PIN", 1)]


def test_the_same_fault_again_counts_on_its_row(sessions, modem_id):
    with sessions() as session:
        for _ in range(3):
            record_state(session, modem_id, "error", "no answer")
        session.commit()
        (error,) = recent_errors(session, modem_id)
    assert (error.error, error.times) == ("no answer", 3)
    assert error.last_at >= error.first_at


def test_it_keeps_only_the_latest_errors_of_each_modem(sessions, modem_id):
    with sessions() as session:
        for number in range(ERRORS_KEPT + 10):
            record_state(session, modem_id, "error", f"fault {number}")
        session.commit()
    kept = errors_of(sessions, modem_id)
    assert len(kept) == ERRORS_KEPT
    assert kept[0] == (f"fault {ERRORS_KEPT + 9}", 1)
    assert kept[-1] == ("fault 10", 1)


def test_a_port_lost_under_the_daemon_stays_in_the_modems_history(db, sim, start_daemon):
    start_and_settle(db, start_daemon)
    with db() as session:
        modem_id = session.query(Modem).one().id
    sim.vanish(1)

    wait_until(lambda: errors_of(db, modem_id), timeout=20)
    wait_until(lambda: modem_state(db) == "ready", timeout=20)
    with db() as session:
        assert session.get_one(Modem, modem_id).last_error is None
    assert any("serial port" in error for error, _ in errors_of(db, modem_id))
