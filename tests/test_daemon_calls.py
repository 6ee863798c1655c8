"""Incoming calls through the real daemon and the simulated modem: one row per call."""

from __future__ import annotations

import time

import pytest
from daemon_fixtures import (
    EVERY_DRIVER,
    ON_THE_NETWORK,
    configured,
    daemon_running,
    messages,
    modem_state,
    start_and_settle,
    status_recorded,
)
from outbox_rows import queue
from waiting import wait_until

from modem.sim import SimulatedModem
from modem.sim.profiles import PROFILES
from smsbox.calls import list_calls
from smsbox.database import make_engine, make_session_factory
from smsbox.models import Direction

CALLER = "+33612345678"


def logged(db) -> list[tuple[str | None, str | None, int]]:
    with db() as session:
        return [(c.number, c.raw_number, c.rings) for c in reversed(list_calls(session, 10))]


# Not huawei-e3372 with gammu: Huawei ends a call with ^CEND, which libgammu does not
# know, so the call ends only once it has been quiet for ringing.QUIET_PERIOD (the
# second call here, which rings sooner, counts as more rings of the first), and the
# unknown line makes libgammu's next command wait out its timeout.
@pytest.mark.parametrize(
    ("profile", "driver_name"), [("sim800", "at"), ("huawei-e3372", "at"), ("sim800", "gammu")]
)
def test_it_logs_each_call_once_with_its_caller_and_rings_and_sends_meanwhile(
    db, modem_config, start_daemon, profile
):
    with SimulatedModem(modem_config.modems[0].device, profile=PROFILES[profile]) as sim:
        start_and_settle(db, start_daemon)
        sim.call(CALLER, rings=3, interval=0.3)
        queue(db, "0698765432", text="envoyé pendant l'appel")

        wait_until(lambda: logged(db) == [(CALLER, CALLER, 3)])
        # The call ends (NO CARRIER, ^CEND) before the next one rings: that is a second call.
        wait_until(lambda: sim.engine.call is None)
        sim.call(None, rings=2, interval=0.3)

        wait_until(lambda: logged(db) == [(CALLER, CALLER, 3), (None, None, 2)])
        wait_until(
            lambda: [m.status in ON_THE_NETWORK for m in messages(db, Direction.OUTBOUND)] == [True]
        )
        time.sleep(1.0)  # nothing more comes of either call, nor of the message
        assert logged(db) == [(CALLER, CALLER, 3), (None, None, 2)]
        assert [sms.text for sms in sim.sent()] == ["envoyé pendant l'appel"]


@EVERY_DRIVER
def test_it_stores_a_national_caller_in_e164_beside_the_number_as_given(db, sim, start_daemon):
    start_and_settle(db, start_daemon)
    sim.call("0612345678", rings=1, interval=0.3)
    wait_until(lambda: logged(db) == [(CALLER, "0612345678", 1)])


# AT only: test_gammu_driver hangs up a call through the gammu driver.
def test_it_hangs_up_after_the_configured_rings_and_replies_to_the_caller(tmp_path):
    reply = "Ce numéro ne prend pas d'appels : écrivez-nous par SMS."
    config = configured(
        tmp_path,
        str(tmp_path / "modem"),
        calls={"hang_up_after_rings": 2, "auto_reply": reply},
    )
    engine = make_engine(config.database_url)
    db = make_session_factory(engine)
    with SimulatedModem(config.modems[0].device) as sim:

        def answered() -> bool:
            return [c.outcome for c in sim.network.calls()] == ["rejected"] and [
                (sms.recipient, sms.text) for sms in sim.sent()
            ] == [(CALLER, reply)]

        with daemon_running(config):
            # Rung once the daemon listens: a busy machine may take seconds to start it.
            wait_until(lambda: modem_state(db) == "ready" and status_recorded(db))
            sim.call(CALLER, rings=6, interval=0.3)
            wait_until(answered)
    with db() as session:
        (call,) = list_calls(session, 10)
        assert (call.number, call.rings, call.hung_up) == (CALLER, 2, True)
    engine.dispose()
