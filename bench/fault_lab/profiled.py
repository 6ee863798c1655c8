"""Run a Python program with every thread it starts under cProfile.

    python bench/fault_lab/profiled.py OUT_PREFIX -m smsbox --config PATH daemon
    python bench/fault_lab/profiled.py OUT_PREFIX .venv/bin/smsbox --config PATH daemon

cProfile alone sees only the main thread, and the daemon's work is in its modem
workers: each thread's profile is written to OUT_PREFIX.<thread name>.prof as the
thread ends (the daemon ends its workers on SIGTERM). Read them with
`python -m pstats FILE`. The benchmarks use it when SMSBOX_BENCH_PROFILE names the
prefix (`fault_lab.daemon_process`). Times are wall-clock, or each thread's CPU time
(`time.thread_time`) with SMSBOX_BENCH_PROFILE_CLOCK=thread: where a thread waits
then counts for nothing, and another thread holding the GIL neither.
"""

from __future__ import annotations

import cProfile
import os
import runpy
import sys
import threading
import time

_run = threading.Thread.run
CLOCKS = {"wall": time.perf_counter, "thread": time.thread_time}


def _profiling_into(prefix: str):
    clock = CLOCKS[os.environ.get("SMSBOX_BENCH_PROFILE_CLOCK", "wall")]

    def profiled_run(self: threading.Thread) -> None:
        profile = cProfile.Profile(clock)
        try:
            profile.runcall(_run, self)
        finally:
            profile.dump_stats(f"{prefix}.{self.name}.prof")

    return profiled_run


def main() -> None:
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    prefix, program, *arguments = sys.argv[1:]
    threading.Thread.run = _profiling_into(prefix)  # type: ignore[method-assign]
    if program == "-m":
        module, *arguments = arguments
        sys.argv = [module, *arguments]
        runpy.run_module(module, run_name="__main__", alter_sys=False)
    else:  # a console script
        sys.argv = [program, *arguments]
        runpy.run_path(program, run_name="__main__")


if __name__ == "__main__":
    main()
