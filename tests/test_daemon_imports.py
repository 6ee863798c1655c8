"""The daemon loads only what it runs: not the web stack, not Alembic (it never
migrates), not the password hashing of staff accounts."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

NOT_FOR_THE_DAEMON = ("flask", "werkzeug", "alembic", "mako", "web", "smsbox.users")


def modules_loaded_by(code: str) -> set[str]:
    listing = "import json, sys; print(json.dumps(sorted(sys.modules)))"
    run = subprocess.run(
        [sys.executable, "-c", f"{code}\n{listing}"],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    return set(json.loads(run.stdout.splitlines()[-1]))


@pytest.mark.parametrize(
    "entry",
    [
        "import modem.daemon",
        "import smsbox.cli; from smsbox.cli import cmd_daemon; import modem.daemon",
    ],
)
def test_it_keeps_the_web_stack_and_alembic_out_of_the_daemon(entry):
    loaded = modules_loaded_by(entry)
    unwanted = {
        name
        for name in loaded
        if any(name == prefix or name.startswith(f"{prefix}.") for prefix in NOT_FOR_THE_DAEMON)
    }
    assert unwanted == set()


def test_it_computes_no_password_hash_when_the_accounts_module_is_imported():
    # scrypt takes 32 MB while it runs: importing must not run it.
    modules_loaded_by(
        "import hashlib\n"
        "def refused(*args, **kwargs): raise AssertionError('scrypt at import time')\n"
        "hashlib.scrypt = refused\n"
        "import smsbox.users"
    )
