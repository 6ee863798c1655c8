"""The real `smsbox` console script in a child process, as a sysadmin runs it."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from smsbox.config import CONFIG_ENV


def smsbox_command() -> str:
    beside_python = Path(sys.executable).parent / "smsbox"
    found = str(beside_python) if beside_python.exists() else shutil.which("smsbox")
    assert found, "the smsbox console script is not installed"
    return found


def smsbox(
    *args: str, config: Path | None = None, stdin: str = "", env: dict[str, str] | None = None
):
    command = [smsbox_command()]
    if config is not None:
        command += ["--config", str(config)]
    environment = {key: value for key, value in os.environ.items() if key != CONFIG_ENV}
    environment.update(env or {})
    return subprocess.run(
        [*command, *args],
        input=stdin,
        capture_output=True,
        text=True,
        encoding="utf-8",
        env=environment,
        timeout=60,
        check=False,
    )
