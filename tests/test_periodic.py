"""The daemon's periodic jobs (scheduled messages' release, retention): each runs again
and again on its own thread, survives its own failures and stops with the daemon."""

from __future__ import annotations

import logging
import threading

from waiting import wait_until

from modem.periodic import PeriodicJob


def test_it_runs_the_job_again_and_again_until_the_daemon_stops():
    stop = threading.Event()
    runs = []
    job = PeriodicJob("counting", lambda: runs.append(threading.current_thread().name), 0.01, stop)
    job.start()
    wait_until(lambda: len(runs) >= 3)
    stop.set()
    job.join(timeout=15)
    assert set(runs) == {"counting"}  # on its own thread, named after the job
    assert "counting" not in {thread.name for thread in threading.enumerate()}


def test_a_job_that_fails_is_logged_and_runs_again_at_its_next_time(caplog):
    stop = threading.Event()
    attempts = []

    def failing() -> None:
        attempts.append(1)
        raise RuntimeError("database locked")

    job = PeriodicJob("retention", failing, 0.01, stop)
    with caplog.at_level(logging.ERROR, logger="modem.periodic"):
        job.start()
        wait_until(lambda: len(attempts) >= 2)
        stop.set()
        job.join(timeout=15)
    assert "periodic job retention failed" in caplog.text
    assert "database locked" in caplog.text


def test_a_job_runs_first_after_its_interval_unless_asked_at_once():
    stop = threading.Event()
    waited, at_once = [], []
    hourly = PeriodicJob("waits", lambda: waited.append(1), 3600, stop)
    first_now = PeriodicJob("at-once", lambda: at_once.append(1), 3600, stop, at_once=True)
    hourly.start()
    first_now.start()
    wait_until(lambda: at_once)
    stop.set()
    for job in (hourly, first_now):
        job.join(timeout=15)
    assert (waited, at_once) == ([], [1])
