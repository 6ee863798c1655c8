"""bench/inbound_latency.py at a handful of messages on a small seeded database: the
daemon stores each SMS its modem announces, and the bench times it from the +CMTI
(a functional check; the figures are the bench's)."""

from __future__ import annotations

import re

import inbound_latency


def test_each_announced_sms_is_timed_to_its_storage(tmp_path, capsys):
    inbound_latency.main(["--messages", "3", "--size", "1000", "--cache", str(tmp_path)])
    output = capsys.readouterr().out
    assert "the database held 1,003 messages at the end" in output
    timed = re.search(r"\+CMTI to stored over 3 messages: median ([\d.]+) ms", output)
    assert timed, output
    assert float(timed[1]) > 0
