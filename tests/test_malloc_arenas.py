"""The daemon's cap on glibc's malloc arenas: eight threads that allocate at once
share two arenas instead of taking one each."""

from __future__ import annotations

import os
import platform
import subprocess
import sys

import pytest

THREADS = 8
# Each thread holds its memory until the main thread has counted the arenas.
EIGHT_THREADS_ALLOCATING = f"""
import ctypes, threading
together = threading.Barrier({THREADS} + 1)
def allocate():
    held = [bytearray(4096) for _ in range(100)]
    together.wait()
    together.wait()
threads = [threading.Thread(target=allocate) for _ in range({THREADS})]
for thread in threads:
    thread.start()
together.wait()
ctypes.CDLL(None).malloc_stats()
together.wait()
"""


def arenas_used(code: str, **environment: str) -> int:
    """The malloc arenas of a child process running `code`, then eight threads that
    allocate at once (glibc's `malloc_stats` lists them on stderr)."""
    env = {name: value for name, value in os.environ.items() if name != "MALLOC_ARENA_MAX"}
    run = subprocess.run(
        [sys.executable, "-c", code + EIGHT_THREADS_ALLOCATING],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
        env=env | environment,
    )
    return sum(line.startswith("Arena ") for line in run.stderr.splitlines())


pytestmark = pytest.mark.skipif(
    platform.libc_ver()[0] != "glibc", reason="malloc arenas are glibc's"
)


def test_threads_that_allocate_at_once_take_an_arena_each_by_default():
    assert arenas_used("") > 2


def test_the_daemons_cap_keeps_them_to_two_arenas():
    capped = "from smsbox.malloc_arenas import cap_malloc_arenas\nassert cap_malloc_arenas()\n"
    assert arenas_used(capped) <= 2


def test_an_arena_cap_set_in_the_environment_is_left_as_it_is():
    respected = (
        "from smsbox.malloc_arenas import cap_malloc_arenas\nassert not cap_malloc_arenas()\n"
    )
    assert arenas_used(respected, MALLOC_ARENA_MAX="3") == 3
