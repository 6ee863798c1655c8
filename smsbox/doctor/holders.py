"""Which processes hold a device open or listen on a port, read from /proc (Linux).

A process that this user may not look into is left out: run as root to see them all.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

PROC = Path("/proc")
TCP_LISTEN = "0A"
_SOCKET = re.compile(r"^socket:\[(\d+)\]$")
# The smsbox commands that hold a modem's port or the web port for good reasons.
SMSBOX_SERVICES = ("daemon", "web", "demo")


@dataclass(frozen=True)
class Holder:
    pid: int
    name: str
    command: tuple[str, ...]

    @property
    def smsbox_service(self) -> str | None:
        """'daemon', 'web' or 'demo' when this is that smsbox command, else None."""
        for position, argument in enumerate(self.command):
            if Path(argument).name == "smsbox":
                services = [arg for arg in self.command[position + 1 :] if arg in SMSBOX_SERVICES]
                return services[0] if services else None
        return None

    def describe(self) -> str:
        return f"{self.name} (pid {self.pid})"


def _processes() -> Iterator[int]:
    for entry in PROC.iterdir():
        if entry.name.isdigit():
            yield int(entry.name)


def _open_files(pid: int) -> Iterator[tuple[str, str]]:
    """(descriptor, what it points at) for each file `pid` holds; none if hidden."""
    directory = PROC / str(pid) / "fd"
    try:
        descriptors = os.listdir(directory)
    except OSError:
        return
    for descriptor in descriptors:
        try:
            yield descriptor, os.readlink(directory / descriptor)
        except OSError:
            continue


def _holder(pid: int) -> Holder | None:
    try:
        name = (PROC / str(pid) / "comm").read_text().strip()
        raw = (PROC / str(pid) / "cmdline").read_bytes()
    except OSError:
        return None
    return Holder(
        pid, name, tuple(part.decode(errors="replace") for part in raw.split(b"\0") if part)
    )


def _pty_index(pid: int, descriptor: str) -> int | None:
    try:
        info = (PROC / str(pid) / "fdinfo" / descriptor).read_text()
    except OSError:
        return None
    match = re.search(r"^tty-index:\s*(\d+)$", info, re.MULTILINE)
    return int(match.group(1)) if match else None


def processes_holding(path: str | os.PathLike[str]) -> list[Holder]:
    """The other processes that have `path` open (its symlinks followed): a modem's
    device, a database file.

    For a pseudo-terminal, the process holding its master side is the one that made it
    (a simulated modem, a terminal): it is where the modem lives, not a rival client.
    """
    target = os.path.realpath(path)
    pts = re.fullmatch(r"/dev/pts/(\d+)", target)
    pty_index = int(pts.group(1)) if pts else None
    holders = []
    for pid in _processes():
        if pid == os.getpid():
            continue
        opened = False
        makes_it = False
        for descriptor, points_at in _open_files(pid):
            if points_at == target:
                opened = True
            elif pty_index is not None and points_at in ("/dev/ptmx", "/dev/pts/ptmx"):
                makes_it = makes_it or _pty_index(pid, descriptor) == pty_index
        if opened and not makes_it and (holder := _holder(pid)):
            holders.append(holder)
    return holders


def _listening_inodes(port: int) -> set[str]:
    inodes = set()
    for table in ("tcp", "tcp6"):
        try:
            lines = (PROC / "net" / table).read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            fields = line.split()
            local, state, inode = fields[1], fields[3], fields[9]
            if state == TCP_LISTEN and int(local.rsplit(":", 1)[1], 16) == port:
                inodes.add(inode)
    return inodes


def listening_on(port: int) -> list[Holder]:
    """The processes with a TCP socket listening on `port`."""
    inodes = _listening_inodes(port)
    holders = []
    for pid in _processes() if inodes else ():
        for _, points_at in _open_files(pid):
            match = _SOCKET.match(points_at)
            if match and match.group(1) in inodes:
                if holder := _holder(pid):
                    holders.append(holder)
                break
    return holders
