"""Real modem families the simulator can pass for, chosen with --profile."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Profile:
    name: str
    manufacturer: str
    model: str
    revision: str
    imei: str
    # Message storages and their capacities; "SR" holds status reports.
    storages: dict[str, int] = field(default_factory=lambda: {"SM": 30, "ME": 50, "SR": 20})
    # What the modem says by itself after power-on or a reboot.
    boot_urcs: tuple[str, ...] = ()
    # How AT+CCID answers: some modems prefix the ICCID, some don't.
    ccid_format: str = "+CCID: {iccid}"


SIM800 = Profile(
    name="sim800",
    manufacturer="SIMCOM_Ltd",
    model="SIMCOM_SIM800L",
    revision="Revision:1418B05SIM800L24",
    imei="867856030000001",
    # SIM800 Series AT Command Manual v1.10, §"Unsolicited result codes":
    # RDY, +CFUN: 1, +CPIN: READY, Call Ready, SMS Ready after power-on.
    boot_urcs=("RDY", "+CFUN: 1", "+CPIN: READY", "Call Ready", "SMS Ready"),
    # Same manual, AT+CCID: the ICCID on a line of its own, no prefix.
    ccid_format="{iccid}",
)

PROFILES = {profile.name: profile for profile in (SIM800,)}
DEFAULT_PROFILE = SIM800
