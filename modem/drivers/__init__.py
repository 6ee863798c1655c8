"""Modem drivers, chosen per `[[modem]]` by its `driver` key.

Each is imported only when a modem uses it: a box with AT modems alone never loads
another driver's library (as Radicale loads only the storage plugin it is told to).
"""

from __future__ import annotations

import importlib

from modem.drivers.contract import DriverSettings, ModemDriver

# driver name -> "module:class"; smsbox.config.MODEM_DRIVERS lists the same names.
DRIVERS = {
    "at": "modem.drivers.at:ATDriver",
    "gammu": "modem.drivers.gammu:GammuDriver",
}


def open_driver(name: str, settings: DriverSettings) -> ModemDriver:
    """The driver `name` for one modem, not yet connected."""
    try:
        module_name, _, class_name = DRIVERS[name].partition(":")
    except KeyError:
        raise ValueError(
            f"unknown modem driver {name!r}: choose one of {', '.join(sorted(DRIVERS))}"
        ) from None
    driver_class = getattr(importlib.import_module(module_name), class_name)
    return driver_class(settings)
