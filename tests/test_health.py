"""`/healthz`, Prometheus metrics from the web app and the daemon, `smsbox status`."""

from __future__ import annotations

import json
import socket
import subprocess
import urllib.request
from datetime import timedelta

import pytest
from cli_runs import smsbox, smsbox_command
from config_files import write_config_file
from daemon_fixtures import configured
from prometheus_client import CollectorRegistry, generate_latest
from sqlalchemy import text
from test_web import log_in
from waiting import wait_until
from web_fixtures import PASSWORD

from modem.sim import SimulatedModem
from smsbox import leases
from smsbox.database import make_engine, make_session_factory
from smsbox.metrics import DatabaseCollector
from smsbox.models import utcnow
from smsbox.modems import ensure_modem, record_state
from smsbox.outbox import queue_message
from smsbox.users import create_user

LAN_CLIENT = {"REMOTE_ADDR": "192.168.1.20"}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_healthz_answers_200_without_login_when_the_database_is_migrated(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "problems": {}}


def test_healthz_answers_503_when_the_schema_is_not_this_codes(client, sessions):
    with sessions() as session:
        session.execute(
            text("UPDATE alembic_version SET version_num = '0012_message_list_indexes'")
        )
        session.commit()
    response = client.get("/healthz")
    assert response.status_code == 503
    body = response.get_json()
    assert body["status"] == "error"
    assert body["problems"]["schema"].startswith("at 0012_message_list_indexes, this code expects")


def queue_two(sessions) -> None:
    with sessions() as session:
        queue_message(session, "+33612345678", "un", default_region="FR")
        queue_message(session, "+33612345679", "deux", default_region="FR")
        session.commit()


def test_the_web_app_serves_the_metrics_to_a_scraper_on_this_machine(client, sessions):
    queue_two(sessions)
    response = client.get("/metrics")
    assert response.status_code == 200
    assert response.content_type.startswith("text/plain")
    page = response.get_data(as_text=True)
    assert 'smsbox_messages{direction="out",status="queued"} 2.0' in page
    assert "smsbox_queue_depth 2.0" in page
    oldest = next(line for line in page.splitlines() if line.startswith("smsbox_oldest_queued"))
    assert float(oldest.split()[1]) >= 0


@pytest.mark.parametrize(
    "environ", [LAN_CLIENT, {"REMOTE_ADDR": "127.0.0.1", "HTTP_X_FORWARDED_FOR": "192.168.1.20"}]
)
def test_the_web_app_refuses_the_metrics_to_anyone_else(client, environ):
    assert client.get("/metrics", environ_base=environ).status_code == 403


def test_an_administrator_may_read_the_metrics_from_anywhere(app, client, sessions):
    with sessions() as session:
        create_user(session, "root", PASSWORD, admin=True, language="en")
        session.commit()
    client.environ_base.update(LAN_CLIENT)
    log_in(client, "root")
    assert client.get("/metrics").status_code == 200
    staff = app.test_client()
    staff.environ_base.update(LAN_CLIENT)
    log_in(staff, "alice")
    assert staff.get("/metrics").status_code == 403


def scrape(port: int) -> str:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=10) as response:
        return response.read().decode()


def daemon_has_counted(port: int) -> str | None:
    """The daemon's metrics once they show the modem ready, its signal, and one
    message sent."""
    page = scrape(port)
    wanted = (
        'smsbox_modem_up{modem="sim"} 1.0',
        'smsbox_modem_signal_quality{modem="sim"} 21.0',
        "smsbox_send_latency_seconds_count 1.0",
    )
    return page if all(line in page for line in wanted) else None


def message_is_sent(database_url: str) -> bool:
    engine = make_engine(database_url)
    try:
        with engine.connect() as connection:
            return connection.execute(text("SELECT status FROM messages")).scalar_one() == "sent"
    finally:
        engine.dispose()


def test_the_daemon_serves_its_metrics_on_the_configured_port(tmp_path):
    config = configured(tmp_path, str(tmp_path / "modem"))
    port = free_port()
    config_file = write_config_file(config, tmp_path / "smsbox.toml", metrics={"port": port})
    engine = make_engine(config.database_url)
    with make_session_factory(engine)() as session:
        queue_message(session, "+33612345678", "mesuré", default_region="FR")
        session.commit()
    engine.dispose()
    with SimulatedModem(config.modems[0].device):
        daemon = subprocess.Popen(
            [smsbox_command(), "--config", str(config_file), "daemon"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            # The daemon counts the messages at most once a minute: the first
            # scrape must come after the message is stored as sent.
            wait_until(lambda: message_is_sent(config.database_url), timeout=30)
            page = wait_until(lambda: daemon_has_counted(port), timeout=30)
        finally:
            daemon.terminate()
            daemon.wait(timeout=60)
    assert 'smsbox_messages{direction="out",status="sent"} 1.0' in page
    assert 'smsbox_modem_storage_total{modem="sim"} 30.0' in page


def test_the_daemon_says_in_one_line_that_the_metrics_port_is_taken(tmp_path):
    config = configured(tmp_path, str(tmp_path / "modem"))
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        config_file = write_config_file(config, tmp_path / "smsbox.toml", metrics={"port": port})
        result = smsbox("daemon", config=config_file)
    assert result.returncode == 1
    assert result.stderr.splitlines()[-1] == (
        f"smsbox: cannot serve metrics on 127.0.0.1:{port}: Address already in use ([metrics].port)"
    )


def status(config_file) -> tuple[int, dict]:
    result = smsbox("status", "--json", config=config_file)
    return result.returncode, json.loads(result.stdout)


def test_status_is_ok_while_every_modem_is_ready_and_heard_from(tmp_path):
    config = configured(tmp_path, str(tmp_path / "modem"))
    config_file = write_config_file(config, tmp_path / "smsbox.toml")
    engine = make_engine(config.database_url)
    sessions = make_session_factory(engine)
    with sessions() as session:
        modem_id = ensure_modem(session, "sim", config.modems[0].device)
        record_state(session, modem_id, "ready")
        session.commit()
    code, body = status(config_file)
    assert code == 0, body
    assert body["ok"] is True
    [sim] = body["modems"]
    assert (sim["name"], sim["state"], sim["problem"]) == ("sim", "ready", None)
    assert 0 <= sim["last_seen_seconds"] < 60

    with sessions() as session:
        session.execute(
            text("UPDATE modems SET last_seen_at = :then WHERE id = :id"),
            {"then": (utcnow() - timedelta(minutes=5)).replace(tzinfo=None), "id": modem_id},
        )
        session.commit()
    code, body = status(config_file)
    assert code == 1
    assert body["modems"][0]["problem"] == "not heard from for 3 minutes or more"

    with sessions() as session:
        record_state(session, modem_id, "error", "cannot open /dev/ttyUSB0")
        session.commit()
    engine.dispose()
    code, body = status(config_file)
    assert code == 1
    assert body["modems"][0]["problem"] == "error: cannot open /dev/ttyUSB0"


def test_status_names_the_host_whose_daemon_serves_each_modem(tmp_path):
    config = configured(tmp_path, str(tmp_path / "modem"))
    config_file = write_config_file(config, tmp_path / "smsbox.toml")
    engine = make_engine(config.database_url)
    with make_session_factory(engine)() as session:
        record_state(session, ensure_modem(session, "sim", config.modems[0].device), "ready")
        leases.take(session, "sim", leases.Owner("box-3", "box-3:12:f00d"), seconds=600)
        session.commit()
    engine.dispose()
    code, body = status(config_file)
    assert code == 0, body
    assert body["modems"][0]["host"] == "box-3"
    assert "sim: ready on host box-3" in smsbox("status", config=config_file).stdout


def test_status_fails_for_a_configured_modem_the_daemon_never_served(tmp_path):
    config = configured(tmp_path, str(tmp_path / "modem"))
    code, body = status(write_config_file(config, tmp_path / "smsbox.toml"))
    assert code == 1
    assert body["modems"][0]["problem"] == "never seen: is the daemon running?"


def test_the_count_of_every_message_is_taken_again_only_once_a_minute(sessions):
    clock = [0.0]
    registry = CollectorRegistry()
    registry.register(DatabaseCollector(sessions, counts_max_age=60, monotonic=lambda: clock[0]))
    counted = 'smsbox_messages{direction="out",status="queued"}'
    assert counted not in generate_latest(registry).decode()
    queue_two(sessions)
    clock[0] = 59.0
    page = generate_latest(registry).decode()
    assert counted not in page
    assert "smsbox_queue_depth 2.0" in page  # the queue is read at each scrape
    clock[0] = 60.0
    assert f"{counted} 2.0" in generate_latest(registry).decode()
