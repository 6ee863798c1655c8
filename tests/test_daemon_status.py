"""What a modem says of itself, through the real daemon and the simulated modem to
`smsbox modems --json`; and modems that lack AT+CNMI or AT+CMMS."""

from __future__ import annotations

import json
import logging

import pytest
from daemon_fixtures import ON_THE_NETWORK, messages, modem_state, start_and_settle
from databases import database_toml
from outbox_rows import queue
from waiting import wait_until

from modem.sim import SimulatedModem
from modem.sim.network import ROAMING
from modem.sim.profiles import PROFILES
from smsbox.cli import main
from smsbox.models import Direction

OWN_NUMBER = "+33612345678"
SENDER = "+33698765432"


def modems_json(config, capsys) -> list[dict]:
    """`smsbox modems --json` on the daemon's database."""
    config_file = config.data_dir.parent / "smsbox.toml"
    config_file.write_text(
        f'data_dir = "{config.data_dir}"\n' + database_toml(config.data_dir), encoding="utf-8"
    )
    capsys.readouterr()
    assert main(["--config", str(config_file), "modems", "--json"]) == 0
    return json.loads(capsys.readouterr().out)


@pytest.mark.parametrize("profile", ["sim800", "huawei-e3372"])
def test_it_shows_what_the_modem_says_of_itself_in_smsbox_modems(
    db, modem_config, start_daemon, capsys, profile
):
    with SimulatedModem(
        modem_config.modems[0].device, profile=PROFILES[profile], own_number=OWN_NUMBER
    ) as sim:
        sim.network.registration = ROAMING
        # Left naming the operator by its code, as Gammu leaves a modem (AT+COPS=3,2).
        sim.engine.settings.operator_format = 2
        start_and_settle(db, start_daemon)

        (record,) = modems_json(modem_config, capsys)
        assert record["state"] == "ready"
        assert record["signal_quality"] == sim.network.signal
        assert record["registration"] == "roaming"
        assert record["operator"] == "Orange F"
        assert (record["storage_used"], record["storage_total"]) == (
            0,
            PROFILES[profile].storages["SM"],
        )
        assert record["imei"] == PROFILES[profile].imei
        assert record["imsi"] == sim.engine.sim.imsi
        assert record["iccid"] == sim.engine.sim.iccid
        assert record["own_number"] == OWN_NUMBER
        assert record["status_checked_at"]


def test_it_receives_by_polling_when_the_modem_refuses_to_announce_new_sms(
    db, modem_config, start_daemon, caplog
):
    caplog.set_level(logging.WARNING)
    with SimulatedModem(modem_config.modems[0].device) as sim:
        sim.refuse("+CNMI")
        start_and_settle(db, start_daemon)
        sim.deliver(SENDER, "arrivé sans +CMTI")

        wait_until(
            lambda: [m.body for m in messages(db, Direction.INBOUND)] == ["arrivé sans +CMTI"]
        )
        assert modem_state(db) == "ready"
        assert caplog.text.count("refuses to announce new SMS") == 1


def test_it_keeps_the_relay_link_open_between_messages(db, modem_config, start_daemon, tmp_path):
    transcript = tmp_path / "transcript.log"
    with SimulatedModem(modem_config.modems[0].device, transcript=transcript):
        start_and_settle(db, start_daemon)
    assert "## relay link: AT+CMMS=2" in transcript.read_text()


def test_it_sends_through_a_modem_that_refuses_to_keep_the_relay_link_open(
    db, modem_config, start_daemon, caplog
):
    caplog.set_level(logging.WARNING)
    with SimulatedModem(modem_config.modems[0].device) as sim:
        sim.refuse("+CMMS")
        start_and_settle(db, start_daemon)
        queue(db, "0611111111", "0622222222")

        wait_until(
            lambda: (
                [m.status in ON_THE_NETWORK for m in messages(db, Direction.OUTBOUND)]
                == [True, True]
            )
        )
        assert len(sim.sent()) == 2
    assert caplog.text.count("refused AT+CMMS=2") == 1
