"""The simulated modems on a core of their own, the daemon on the others, as a modem
has a processor of its own.

On shared cores, the simulator woken by the daemon's AT+CMGS was often queued on the
daemon's core (the pty's kernel worker that carries the bytes runs there) and waited
for the daemon's thread to block: the handover's commit ran first, and the line
idled meanwhile. At 115200 baud the modem read the command 1.1 ms (median) after the
daemon wrote it, against 0.1 ms with a core each. A real modem's USB port takes the
bytes in the write itself, whatever the daemon does next.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path


@contextlib.contextmanager
def kept_apart(daemon_pid: int) -> Iterator[str | None]:
    """Pin this process's threads (the simulators) to the last core allowed and the
    daemon's to the others, until the block ends; yields how, or None on one core."""
    cores = sorted(os.sched_getaffinity(0))
    if len(cores) < 2:
        yield None
        return
    simulators, daemon = {cores[-1]}, set(cores[:-1])
    _pin(daemon_pid, daemon)
    _pin(os.getpid(), simulators)
    try:
        yield f"the simulated modems on core {cores[-1]}, the daemon on {_listed(daemon)}"
    finally:
        _pin(os.getpid(), set(cores))


def _pin(pid: int, cores: set[int]) -> None:
    """Every thread of `pid`; those it starts later inherit it from theirs."""
    for task in Path(f"/proc/{pid}/task").iterdir():
        # A thread may end meanwhile.
        with contextlib.suppress(OSError):
            os.sched_setaffinity(int(task.name), cores)


def _listed(cores: set[int]) -> str:
    return ", ".join(str(core) for core in sorted(cores))
