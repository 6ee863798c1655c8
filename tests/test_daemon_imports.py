"""The daemon loads only what it runs: not the web stack, not Alembic (it never
migrates), not the password hashing of staff accounts, not the contacts, the message
lists or the making of campaigns until it uses them, not the `holidays` package
(every country's module: a child process computes the dates it needs); Prometheus's
client and urllib3 only once it serves metrics or posts a webhook; SQLAlchemy's
PostgreSQL dialect only once its database is PostgreSQL; OpenSSL (ssl and hashlib's
_hashlib) not at all while its modules are imported, yet ssl when a webhook needs it.
Neither the ORM nor the mapped models, imported or running: it runs Core statements
on Connections."""

from __future__ import annotations

import json
import pickle
import subprocess
import sys

import pytest
from daemon_fixtures import SENDING_WAIT
from test_custom_keywords import PROMO, groups_of
from test_keyword_replies import SENDER
from waiting import wait_until

from smsbox import account_settings
from smsbox.activity import COMMAND_LINE
from smsbox.public_holidays import HolidaysUnavailable, public_holidays

NOT_FOR_THE_DAEMON = (
    "flask",
    "werkzeug",
    "alembic",
    "mako",
    "web",
    "smsbox.users",
    "holidays",
    "prometheus_client",
    "urllib3",
    "apscheduler",
    "sqlalchemy.dialects.postgresql",
    # Used by the daemon only once a keyword tags a number or a recurring campaign is
    # due: imported then (smsbox.keyword_replies, smsbox.campaigns.due).
    "smsbox.contacts",
    "smsbox.message_lists",
    "smsbox.message_search",
    "smsbox.campaigns.store",
)


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
        "from smsbox.cli import import_daemon; import_daemon()",
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


# What the daemon receives (messages, delivery reports, the STOP list and the webhook
# events they queue), its records of its modems, its activity log, settings, purge and
# leases, its sending and its tagging by keyword, written on smsbox.tables, and the
# database's engine: none of them loads the ORM, nor does the daemon.
WITHOUT_THE_ORM = (
    "modem.daemon",
    "smsbox.sending",
    "smsbox.database",
    "smsbox.contacts.tagging",
    "smsbox.inbox",
    "smsbox.delivery",
    "smsbox.optouts",
    "smsbox.webhooks.events",
    "smsbox.modems",
    "smsbox.activity",
    "smsbox.account_settings",
    "smsbox.retention",
    "smsbox.message_actions",
    "smsbox.leases",
    "smsbox.campaigns.due",
    "smsbox.daemon_metrics",
)


@pytest.mark.parametrize("module", WITHOUT_THE_ORM)
def test_the_daemon_s_modules_on_the_tables_load_without_the_orm(module):
    assert {"sqlalchemy.orm", "smsbox.models"} & modules_loaded_by(f"import {module}") == set()


def test_the_daemon_command_imports_the_daemon_without_openssl():
    loaded = modules_loaded_by("from smsbox.cli import import_daemon; import_daemon()")
    assert {"ssl", "_ssl", "_hashlib"} & loaded == set()


def test_the_daemon_s_digests_and_tls_work_without_openssl_at_import():
    modules_loaded_by(
        "from smsbox.cli import import_daemon; import_daemon()\n"
        "import hashlib, ssl, sys, urllib3\n"
        "assert hashlib.sha256(b'abc').hexdigest().startswith('ba7816bf8f01cfea')\n"
        "sys.path.insert(0, 'tests')\n"
        "from test_webhooks import test_the_signature_matches_the_specifications_example\n"
        "test_the_signature_matches_the_specifications_example()\n"
        "ssl.create_default_context()\n"
        "urllib3.PoolManager().connection_from_url('https://example.org')"
    )


def test_the_daemon_command_loads_no_other_command_s_module():
    loaded = modules_loaded_by(
        "from smsbox.cli import build_parser\n"
        "argv = ['--config', 'smsbox.toml', 'daemon']\n"
        "assert build_parser(argv).parse_args(argv).handler.__name__ == 'cmd_daemon'"
    )
    assert {name for name in loaded if name.startswith("smsbox.cli.")} == set()


def test_the_other_commands_are_still_there_for_the_list_and_for_their_own_use():
    from smsbox.cli import build_parser

    assert "contacts" in build_parser([]).format_help()
    argv = ["contacts", "list"]
    assert build_parser(argv).parse_args(argv).handler.__module__ == "smsbox.cli.contacts"


def test_it_computes_no_password_hash_when_the_accounts_module_is_imported():
    # scrypt takes 32 MB while it runs: importing must not run it.
    modules_loaded_by(
        "import hashlib\n"
        "def refused(*args, **kwargs): raise AssertionError('scrypt at import time')\n"
        "hashlib.scrypt = refused\n"
        "import smsbox.users"
    )


def test_the_sending_hours_know_public_holidays_without_loading_the_holidays_package():
    loaded = modules_loaded_by(
        "from datetime import UTC, datetime\n"
        "from zoneinfo import ZoneInfo\n"
        "from smsbox.sending_window import SendingWindow\n"
        "armistice_day = datetime(2026, 11, 11, 9, tzinfo=UTC)\n"
        "assert not SendingWindow().is_open(armistice_day, ZoneInfo('Europe/Paris'))"
    )
    assert "holidays" not in loaded


def test_a_country_the_holidays_package_cannot_compute_is_said_in_one_line():
    with pytest.raises(HolidaysUnavailable, match=r"cannot compute public holidays \(XX 2026\)"):
        public_holidays("XX", 2026)


def test_the_daemon_runs_without_the_orm(db, sim, modem_config):
    # It receives a keyword that tags its sender (a contact and a group made), records
    # a call, and sends the reply: none of it loads the ORM or the mapped models.
    with db() as session:
        account_settings.save(session, account_settings.KEYWORDS, PROMO, COMMAND_LINE)
        session.commit()
    code = (
        "import pickle, sys, threading\n"
        "from modem.daemon import run_daemon\n"
        f"config = pickle.loads(bytes.fromhex({pickle.dumps(modem_config).hex()!r}))\n"
        "stop = threading.Event()\n"
        "thread = threading.Thread(target=run_daemon, args=(config, stop))\n"
        "thread.start()\n"
        "sys.stdin.read()\n"
        "stop.set()\n"
        "thread.join(timeout=30)\n"
    )
    listing = "import json, sys; print(json.dumps(sorted(sys.modules)))"
    with subprocess.Popen(
        [sys.executable, "-c", f"{code}\n{listing}"], stdin=subprocess.PIPE, stdout=subprocess.PIPE
    ) as daemon:
        try:
            sim.call("+33612345678", rings=1)
            sim.deliver(SENDER, "Promo")
            (reply,) = sim.wait_for_sent(1, SENDING_WAIT)
            wait_until(lambda: groups_of(db, SENDER) == {SENDER: ["Promotions"]})
        finally:
            output, _ = daemon.communicate(timeout=60)
    assert reply.text == "Merci, vous recevrez nos offres."
    loaded = set(json.loads(output.splitlines()[-1]))
    assert {"sqlalchemy.orm", "smsbox.models", "smsbox.contacts.tagging"} & loaded == {
        "smsbox.contacts.tagging"
    }
