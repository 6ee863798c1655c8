"""The README's curl examples of the HTTP API, run as printed against the real server
and the daemon on a simulated modem (only the address differs: a free port)."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

from api_fixtures import serving
from daemon_fixtures import SENDING_WAIT, start_and_settle
from databases import database_toml
from sqlalchemy import select

from smsbox.models import Message, OptOut, Status, WebhookEndpoint

README = Path(__file__).resolve().parent.parent / "README.md"
DEMO_ADDRESS = "http://127.0.0.1:8080"


def curl_examples() -> str:
    """The examples of "Try it with curl", then those of "Webhooks", which go on
    with its $KEY and $BOX."""
    blocks = []
    for title in ("### Try it with curl", "### Webhooks"):
        section = README.read_text().split(title, 1)[1]
        blocks.append(re.search(r"```sh\n(.*?)```", section, re.DOTALL)[1])
    return "\n".join(blocks)


def test_the_readme_curl_examples_work_as_printed(tmp_path, modem_config, db, sim, start_daemon):
    start_and_settle(db, start_daemon)
    where = tmp_path / "shell"
    (where / "smsbox-demo").mkdir(parents=True)
    (where / "smsbox-demo" / "smsbox.toml").write_text(
        f'data_dir = "{modem_config.data_dir}"\n' + database_toml(modem_config.data_dir)
    )
    (where / ".venv").symlink_to(Path(sys.executable).parent.parent)
    script = curl_examples()
    assert script.count(DEMO_ADDRESS) == 1

    with serving(modem_config, db) as base:
        run = subprocess.run(
            ["bash", "-e", "-o", "pipefail", "-c", script.replace(DEMO_ADDRESS, base)],
            cwd=where,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
    assert run.returncode == 0, run.stderr

    answers = [json.loads(line) for line in run.stdout.splitlines() if line.startswith("{")]
    sent, status, received, optout, webhook, deliveries = answers
    (first,) = sent["messages"]
    assert (first["number"], first["callback_data"]) == ("+33612345678", "order-1234")
    assert status["id"] == first["id"] and "parts" in status
    assert received == {"messages": [], "next_cursor": None}
    assert "204" in run.stdout.splitlines()
    assert optout["number"] == "+33611223344"
    assert webhook["id"] == 1 and webhook["secret"].startswith("whsec_")
    assert webhook["events"] == ["message.received", "message.delivered"]
    assert deliveries == {"deliveries": []}
    with db() as session:
        scheduled = session.scalars(
            select(Message.number).where(Message.status == Status.SCHEDULED)
        ).all()
        assert scheduled == ["+33698765432"]  # the other one was cancelled
        assert session.scalar(select(OptOut.number)) == "+33611223344"
        assert session.scalar(select(WebhookEndpoint.url)) == "http://192.168.1.20:8000/sms-events"
    (on_the_network,) = sim.wait_for_sent(1, SENDING_WAIT)
    assert on_the_network.text == "Votre commande est prête"
