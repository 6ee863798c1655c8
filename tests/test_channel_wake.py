"""Waking a channel from another thread: its wait for the modem ends at once, on a
real pty (pyserial aborts the read) as on a port that cannot abort one."""

from __future__ import annotations

import threading

import serial
from fake_port import FakePort
from waiting import wait_until

from modem.channel import ATChannel
from modem.sim import SimulatedModem

LONGER_THAN_ANY_TEST = 3600.0


def poll_in_background(channel: ATChannel) -> tuple[threading.Thread, list[list[str]]]:
    polled: list[list[str]] = []
    thread = threading.Thread(
        target=lambda: polled.append(channel.poll_urcs(LONGER_THAN_ANY_TEST)), daemon=True
    )
    thread.start()
    return thread, polled


def test_it_ends_a_wait_for_the_modem_when_woken(tmp_path):
    with SimulatedModem(tmp_path / "modem") as sim:
        channel = ATChannel(serial.Serial(str(sim.link), timeout=0.2))
        try:
            thread, polled = poll_in_background(channel)
            wait_until(lambda: channel._polling)
            channel.wake()
            thread.join(timeout=10)
            assert polled == [[]]
        finally:
            channel.close()


def test_it_does_not_wait_after_a_wake_that_came_while_it_was_busy():
    channel = ATChannel(FakePort())
    channel.wake()
    thread, polled = poll_in_background(channel)
    thread.join(timeout=10)
    assert polled == [[]]


def test_it_still_hands_out_what_the_modem_said_when_woken():
    port = FakePort()
    channel = ATChannel(port)
    port.arrive(b'\r\n+CMTI: "SM",3\r\n')
    channel.wake()
    assert channel.poll_urcs(LONGER_THAN_ANY_TEST) == ['+CMTI: "SM",3']


def test_it_waits_again_after_the_wake_up_was_taken():
    channel = ATChannel(FakePort())
    channel.wake()
    assert channel.poll_urcs(LONGER_THAN_ANY_TEST) == []
    thread, polled = poll_in_background(channel)
    thread.join(timeout=0.5)
    assert thread.is_alive()
    channel.wake()
    thread.join(timeout=10)
    assert polled == [[]]
