"""`smsbox demo` as a new user runs it: a real process, real HTTP, Ctrl-C at the end."""

from __future__ import annotations

import http.cookiejar
import queue
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.parse
import urllib.request
from pathlib import Path

SMSBOX = str(Path(sys.executable).parent / "smsbox")
CSRF_FIELD = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Browser:
    """Just enough of a browser: cookies, form posts with the CSRF token of the page."""

    def __init__(self, base: str):
        self.base = base
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
        )

    def get(self, path: str) -> str:
        with self.opener.open(self.base + path, timeout=10) as response:
            return response.read().decode()

    def submit(self, path: str, fields: dict[str, str]) -> str:
        token = CSRF_FIELD.search(self.get(path)).group(1)
        data = urllib.parse.urlencode({**fields, "csrf_token": token}).encode()
        with self.opener.open(self.base + path, data=data, timeout=10) as response:
            return response.read().decode()


def read_lines(stream, lines: queue.Queue) -> None:
    for line in stream:
        lines.put(line)


def wait_for_line(lines: queue.Queue, pattern: str, timeout: float = 30) -> re.Match:
    deadline = time.monotonic() + timeout
    seen = []
    while time.monotonic() < deadline:
        try:
            line = lines.get(timeout=0.2)
        except queue.Empty:
            continue
        seen.append(line)
        if match := re.search(pattern, line):
            return match
    raise AssertionError(f"no line matching {pattern!r} in:\n{''.join(seen)}")


def test_it_runs_the_demo_and_an_sms_sent_from_the_page_reaches_the_simulated_network(tmp_path):
    port = free_port()
    demo = subprocess.Popen(
        [SMSBOX, "demo", "--port", str(port), "--data", str(tmp_path / "demo")],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        encoding="utf-8",
    )
    lines: queue.Queue = queue.Queue()
    threading.Thread(target=read_lines, args=(demo.stdout, lines), daemon=True).start()
    try:
        password = wait_for_line(lines, r"password\s+(\S+)").group(1)
        hint = wait_for_line(lines, r"^  (.* sim deliver --control .*)$").group(1)
        wait_for_line(lines, r"Ctrl-C stops")
        browser = Browser(f"http://127.0.0.1:{port}")
        browser.submit("/login", {"name": "admin", "password": password})
        page = browser.submit(
            "/messages/send", {"number": "06 12 34 56 78", "body": "Bonjour é ç €"}
        )
        assert "Message mis en file d&#39;attente pour +33612345678." in page  # French by default

        wait_for_line(lines, r"\[network\] SMS to \+33612345678 \(1 part\(s\)\): Bonjour é ç €$")

        # The hint as printed, in a shell whose PATH lacks the venv (the README's
        # set-up line does not activate it).
        reply = subprocess.run(
            ["/bin/sh", "-c", hint],
            env={"PATH": "/usr/bin:/bin"},
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
        )
        assert reply.returncode == 0, reply.stderr
        deadline = time.monotonic() + 20
        while "Bonjour" not in browser.get("/messages/received"):
            assert time.monotonic() < deadline, "the delivered SMS never reached the inbox"
            time.sleep(0.2)
    finally:
        demo.send_signal(signal.SIGINT)
        assert demo.wait(timeout=30) == 0
