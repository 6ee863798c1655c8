"""A newcomer's first run: the README's set-up line as written, run by root on a fresh
Debian (no sudo there) and by a sudo user (the system's commands are stand-ins that
record their calls), and a daemon started with its modem unplugged."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

from cli_runs import smsbox_command
from config_files import write_config_file
from daemon_fixtures import configured
from waiting import wait_until

README = Path(__file__).parent.parent / "README.md"
RECORDER = '#!/bin/sh\necho "{name} $*" >> "$CALLS"\n'
STAND_INS = {
    # Whoever runs the line: $UID_SHOWN says which.
    "id": '#!/bin/sh\n[ "$1" = -u ] && echo "$UID_SHOWN"\n',
    "apt-get": RECORDER.format(name="apt-get"),
    "sudo": '#!/bin/sh\necho "sudo $1" >> "$CALLS"\nexec "$@"\n',
    # python3 -m venv .venv: a venv whose pip and smsbox record their calls.
    "python3": (
        '#!/bin/sh\necho "python3 $*" >> "$CALLS"\nmkdir -p .venv/bin\n'
        "for tool in pip smsbox; do\n"
        '  printf \'#!/bin/sh\\necho "%s $*" >> "$CALLS"\\n\' ".venv/bin/$tool" '
        '> ".venv/bin/$tool"\n'
        '  chmod +x ".venv/bin/$tool"\n'
        "done\n"
    ),
}


def setup_line() -> str:
    try_it = README.read_text(encoding="utf-8").split("## Try it", 1)[1]
    return re.search(r"```sh\n(.*?)\n```", try_it, re.DOTALL).group(1)


def run_as(uid: int, tmp_path: Path, with_sudo: bool) -> list[str]:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for name, script in STAND_INS.items():
        if name == "sudo" and not with_sudo:
            continue
        (bin_dir / name).write_text(script)
        (bin_dir / name).chmod(0o755)
    calls = tmp_path / "calls"
    run = subprocess.run(
        ["/bin/bash", "-c", setup_line()],
        cwd=tmp_path,
        env={
            "PATH": f"{bin_dir}:/usr/bin:/bin",
            "CALLS": str(calls),
            "UID_SHOWN": str(uid),
        },
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert run.returncode == 0, run.stderr
    return calls.read_text().splitlines()


INSTALL = (
    "apt-get install -y --no-install-recommends python3-venv libgammu-dev pkg-config "
    "gammu gammu-smsd chromium"
)
AFTER_APT = [
    "python3 -m venv .venv",
    ".venv/bin/pip install -e .[test]",
    ".venv/bin/smsbox demo",
]


def test_root_on_a_fresh_debian_runs_it_without_sudo(tmp_path):
    assert run_as(0, tmp_path, with_sudo=False) == ["apt-get update", INSTALL, *AFTER_APT]


def test_a_sudo_user_runs_apt_get_through_sudo(tmp_path):
    calls = run_as(1000, tmp_path, with_sudo=True)
    assert calls == ["sudo apt-get", "apt-get update", "sudo apt-get", INSTALL, *AFTER_APT]


def test_the_daemon_says_in_one_line_that_the_modem_device_is_missing(tmp_path):
    config = configured(tmp_path, str(tmp_path / "ttyUSB7"))
    config_file = write_config_file(config, tmp_path / "smsbox.toml")
    log = tmp_path / "daemon.log"
    wanted = (
        f"modem sim: cannot open {tmp_path / 'ttyUSB7'}: no such device: plug the modem in, "
        "or correct device (smsbox doctor checks it)"
    )
    with log.open("w") as stderr:
        daemon = subprocess.Popen(
            [smsbox_command(), "--config", str(config_file), "daemon"], stderr=stderr
        )
        try:
            wait_until(lambda: "waiting for" in log.read_text(), timeout=30)
        finally:
            daemon.terminate()
            assert daemon.wait(timeout=60) == 0
    said = log.read_text()
    assert [line.split(": ", 1)[1] for line in said.splitlines() if "cannot open" in line] == [
        wanted
    ]
    assert "Traceback" not in said
