"""Telling systemd how the service is (sd_notify(3)), without linking libsystemd.

The protocol is one datagram of `KEY=value` lines to the socket named in
$NOTIFY_SOCKET; outside systemd there is no socket and nothing is sent.
"""

from __future__ import annotations

import os
import socket


def notify(state: str) -> bool:
    """Send `state` (e.g. "READY=1", "WATCHDOG=1"); False when not under systemd."""
    address = os.environ.get("NOTIFY_SOCKET")
    if not address:
        return False
    if address.startswith("@"):  # an abstract socket
        address = "\0" + address[1:]
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as sock:
        sock.sendto(state.encode(), address)
    return True


def watchdog_seconds() -> float | None:
    """The WatchdogSec= systemd gave this process, None when it gave none."""
    usec = os.environ.get("WATCHDOG_USEC", "")
    pid = os.environ.get("WATCHDOG_PID", "")
    if not usec.isdigit() or (pid and pid != str(os.getpid())):
        return None
    return int(usec) / 1_000_000
