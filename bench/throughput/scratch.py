"""Each leg's directory: removed after a good run, kept (and named) after a failure."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path


def make_workdir(leg: str) -> Path:
    return Path(tempfile.mkdtemp(prefix=f"{leg}-throughput-"))


def tidy(workdir: Path, failed: bool, contents: str) -> None:
    if failed:
        print(f"kept {workdir} ({contents})")
    else:
        shutil.rmtree(workdir, ignore_errors=True)
