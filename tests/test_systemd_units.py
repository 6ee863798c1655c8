"""The units in systemd/ as systemd itself reads them: valid, and sandboxed enough
that `systemd-analyze security` rates each "OK" or better (exposure at most 3.0)."""

from __future__ import annotations

import configparser
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

UNITS = Path(__file__).parent.parent / "systemd"
INSTALLED_COMMAND = "/opt/smsbox/.venv/bin/smsbox"
MAX_EXPOSURE = 3.0
ANALYZE = shutil.which("systemd-analyze")
needs_systemd_analyze = pytest.mark.skipif(ANALYZE is None, reason="systemd-analyze missing")

UNIT_NAMES = ["smsbox-daemon.service", "smsbox-web.service"]


def service_section(name: str) -> dict[str, list[str]]:
    """Each key of [Service] with all its values, in order (keys repeat in units)."""
    values: dict[str, list[str]] = {}
    parser = configparser.RawConfigParser(strict=False, dict_type=_Repeating)
    parser.optionxform = str  # type: ignore[assignment,method-assign]
    parser.read(UNITS / name)
    for key, value in parser.items("Service"):
        values[key] = value.split("\n")
    return values


class _Repeating(dict):
    """Keeps every value of a repeated key (configparser keeps the last otherwise)."""

    def __setitem__(self, key, value):
        if isinstance(value, list) and key in self:
            self[key].extend(value)
        else:
            super().__setitem__(key, value)


@pytest.mark.parametrize("name", UNIT_NAMES)
def test_each_unit_drops_every_privilege_and_writes_only_the_data_directory(name):
    service = service_section(name)
    for key, wanted in {
        "NoNewPrivileges": ["true"],
        "CapabilityBoundingSet": [""],
        "ProtectSystem": ["strict"],
        "ReadWritePaths": ["/var/lib/smsbox"],
        "ProtectHome": ["true"],
        "PrivateTmp": ["true"],
        "ProtectKernelTunables": ["true"],
        "ProtectKernelModules": ["true"],
        "ProtectKernelLogs": ["true"],
        "ProtectControlGroups": ["true"],
        "RestrictAddressFamilies": ["AF_UNIX AF_INET AF_INET6"],
    }.items():
        assert service.get(key) == wanted, key
    assert service["SystemCallFilter"][0] == "@system-service"


def test_the_daemon_sees_serial_devices_only_and_keeps_its_watchdog():
    service = service_section("smsbox-daemon.service")
    assert service["DevicePolicy"] == ["closed"]
    assert service["DeviceAllow"] == ["char-ttyUSB rw", "char-ttyACM rw"]
    assert service["WatchdogSec"] == ["30"]
    assert service["Type"] == ["notify"]


def test_the_web_server_sees_no_device():
    assert service_section("smsbox-web.service")["PrivateDevices"] == ["true"]


def installed_copies(tmp_path: Path) -> list[Path]:
    """The units as installed, their command pointing at this checkout's smsbox."""
    command = str(Path(sys.executable).parent / "smsbox")
    copies = []
    for name in UNIT_NAMES:
        copy = tmp_path / name
        copy.write_text((UNITS / name).read_text().replace(INSTALLED_COMMAND, command))
        copies.append(copy)
    return copies


@needs_systemd_analyze
def test_systemd_analyze_verify_accepts_the_units(tmp_path):
    run = subprocess.run(
        [ANALYZE, "verify", *map(str, installed_copies(tmp_path))],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert run.returncode == 0, run.stderr
    assert run.stderr == ""


def exposure(unit: Path) -> float:
    run = subprocess.run(
        [ANALYZE, "security", "--offline=yes", "--no-pager", str(unit)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    found = re.search(r"Overall exposure level for \S+: ([0-9.]+)", run.stdout)
    assert found, run.stdout + run.stderr
    return float(found.group(1))


@needs_systemd_analyze
@pytest.mark.parametrize("name", UNIT_NAMES)
def test_systemd_analyze_security_rates_each_unit_ok_or_better(name):
    assert exposure(UNITS / name) <= MAX_EXPOSURE
