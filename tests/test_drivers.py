"""The driver factory and the line between protocol code and the core."""

from __future__ import annotations

import subprocess
import sys

import pytest

from modem.drivers import DRIVERS, DriverSettings, open_driver
from modem.drivers.at import ATDriver
from smsbox.config_checks import MODEM_DRIVERS


def test_it_has_a_driver_for_every_name_the_configuration_accepts():
    assert set(DRIVERS) == set(MODEM_DRIVERS)


def test_it_opens_the_driver_a_modem_names_without_connecting_it():
    driver = open_driver("at", DriverSettings("/dev/no-such-modem", pin="1234"))
    assert isinstance(driver, ATDriver)
    assert driver.pin == "1234"


def test_it_names_the_drivers_there_are_when_asked_for_another():
    with pytest.raises(ValueError, match=r"unknown modem driver 'hayes': choose one of at, gammu"):
        open_driver("hayes", DriverSettings("/dev/x"))


def test_it_loads_protocol_code_and_the_simulator_without_the_core():
    loaded = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys, modem.at, modem.channel, modem.pdu, modem.reports, modem.ringing, "
            "modem.drivers.at, modem.sim.runner; "
            "print(*sorted({name.split('.')[0] for name in sys.modules}))",
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    assert "modem" in loaded
    assert "smsbox" not in loaded
    assert "sqlalchemy" not in loaded
