"""glibc's malloc gives threads that allocate at the same time arenas of their own
(up to 8 per core), and each arena keeps the memory its threads freed: with a worker
thread per modem, about half a megabyte a modem. The daemon caps them as
`MALLOC_ARENA_MAX` would, however it was started; its threads mostly wait on serial
ports and hold the GIL when they allocate, so they hardly ever contend for one.
"""

from __future__ import annotations

import ctypes
import os

# mallopt's parameter number for the arena cap (glibc's malloc.h).
M_ARENA_MAX = -8
DAEMON_ARENAS = 2


def cap_malloc_arenas(arenas: int = DAEMON_ARENAS) -> bool:
    """Cap the malloc arenas threads started from now on may create; True when the C
    library took it. `MALLOC_ARENA_MAX` in the environment wins: the cap is left as set.
    Another C library (musl has no arenas) refuses, and nothing changes."""
    if "MALLOC_ARENA_MAX" in os.environ:
        return False
    mallopt = getattr(ctypes.CDLL(None), "mallopt", None)
    return mallopt is not None and mallopt(M_ARENA_MAX, arenas) == 1
