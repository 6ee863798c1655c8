"""`smsbox doctor` through the real CLI, against the simulated modem on a pty."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from cli_runs import smsbox, smsbox_command
from config_files import write_config_file
from daemon_fixtures import configured
from sqlalchemy import text
from waiting import wait_until

from modem.sim import SimulatedModem
from modem.sim.commands.general import set_registration
from smsbox.database import make_engine
from smsbox.doctor.holders import processes_holding

NOT_IN_DIALOUT = "nobody"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def doctor(config_file: Path, *options: str) -> tuple[int, list[dict]]:
    result = smsbox("doctor", "--json", *options, config=config_file)
    return result.returncode, json.loads(result.stdout)


def failures(verdicts: list[dict]) -> list[str]:
    return [
        f"{v['check']}: {v['detail']} -> {v['advice']}" for v in verdicts if v["level"] == "FAIL"
    ]


@pytest.fixture
def box(tmp_path) -> Path:
    """An initialised installation whose one modem is at tmp_path/modem, its web port free."""
    config = configured(tmp_path, str(tmp_path / "modem"))
    return write_config_file(config, tmp_path / "smsbox.toml", web={"port": free_port()})


@pytest.fixture
def sim(tmp_path, box) -> Iterator[SimulatedModem]:
    with SimulatedModem(tmp_path / "modem") as simulated:
        yield simulated


def test_it_passes_a_working_box_with_exit_status_zero(box, sim):
    result = smsbox("doctor", config=box)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "FAIL" not in result.stdout
    for said in (
        "answers AT",
        "SIM ready",
        "registered on the network (home)",
        "SMS centre +33609001390",
        "SIM storage 0/30",
        "migrated to",
    ):
        assert said in result.stdout
    assert result.stdout.rstrip().endswith("all checks passed")


def test_it_says_the_sim_wants_a_pin_the_configuration_lacks(tmp_path, box):
    with SimulatedModem(tmp_path / "modem", pin="1234"):
        status, verdicts = doctor(box)
    assert status == 1
    assert failures(verdicts) == [
        "modem sim: the SIM asks for a PIN -> set pin in this [[modem]] section"
    ]


def test_it_names_each_network_problem(box, sim):
    set_registration(sim.engine, 3)
    sim.engine.sim.smsc = ""
    for index in range(30):
        sim.deliver("+33612345678", f"message {index}")
    status, verdicts = doctor(box)
    assert status == 1
    found = failures(verdicts)
    assert any("not registered on the network: denied" in line for line in found), found
    assert any("no SMS centre number" in line for line in found), found
    assert any("SIM storage full (30/30)" in line for line in found), found


def test_it_says_a_device_that_does_not_answer_is_no_modem(tmp_path, box):
    # A pty nobody answers on, as a modem's other (non-AT) port.
    master, slave = os.openpty()
    try:
        (tmp_path / "modem").symlink_to(os.ttyname(slave))
        status, verdicts = doctor(box)
    finally:
        os.close(master)
        os.close(slave)
    assert status == 1
    assert any("no answer to AT" in line for line in failures(verdicts))


def test_it_says_a_device_is_missing(box):
    status, verdicts = doctor(box)
    assert status == 1
    assert any(
        "does not exist" in line and "/dev/serial/by-id" in line for line in failures(verdicts)
    )


def test_it_names_the_group_and_the_fix_when_the_service_user_cannot_open_the_device(tmp_path, box):
    device = tmp_path / "modem"
    device.write_bytes(b"")
    os.chown(device, 0, 20)  # root:dialout, 0660: as udev leaves a ttyUSB
    device.chmod(0o660)
    status, verdicts = doctor(box, "--user", NOT_IN_DIALOUT)
    assert status == 1
    assert (
        f"modem sim: {NOT_IN_DIALOUT} may not read and write {device} (group dialout) -> "
        f"sudo usermod -aG dialout {NOT_IN_DIALOUT}, then log in again or restart the service"
    ) in failures(verdicts)


def test_it_says_the_data_directory_is_not_writable_by_the_service_user(box):
    status, verdicts = doctor(box, "--user", NOT_IN_DIALOUT)
    assert status == 1
    assert any(
        line.startswith("data directory:") and "not writable by nobody" in line
        for line in failures(verdicts)
    )


def hold(device: Path, name: str) -> subprocess.Popen:
    """Another process named `name` with `device` open, until killed."""
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, time\n"
            "open('/proc/self/comm', 'w').write(sys.argv[2])\n"
            "port = open(sys.argv[1], 'rb', buffering=0)\n"
            "print('holding', flush=True)\n"
            "time.sleep(120)",
            str(device),
            name,
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert holder.stdout.readline() == "holding\n"
    return holder


@pytest.mark.parametrize(
    ("name", "advice"),
    [
        ("ModemManager", "sudo systemctl disable --now ModemManager"),
        ("picocom", "stop that program: one process at a time may talk to a modem"),
    ],
)
def test_it_names_the_process_that_holds_the_device(tmp_path, box, sim, name, advice):
    holder = hold(tmp_path / "modem", name)
    try:
        status, verdicts = doctor(box)
    finally:
        holder.kill()
        holder.wait()
    assert status == 1
    found = failures(verdicts)
    assert any(f"is held by {name} (pid {holder.pid})" in line for line in found), found
    assert any(line.endswith(advice) for line in found), found
    assert not any("answers AT" in verdict["detail"] for verdict in verdicts)


def test_it_names_the_process_listening_on_the_web_port(tmp_path, box, sim):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        config = write_config_file(
            configured(tmp_path, str(tmp_path / "modem")), box, web={"port": port}
        )
        status, verdicts = doctor(config)
    assert status == 1
    [line] = failures(verdicts)
    assert line.startswith(f"web port: 127.0.0.1:{port} is in use by ")
    assert line.endswith(f"(pid {os.getpid()}) -> stop that program, or choose another [web].port")


def test_it_says_the_database_is_locked(tmp_path, box, sim):
    config = configured(tmp_path, str(tmp_path / "modem"))
    engine = make_engine(config.database_url)
    try:
        with engine.connect() as connection:
            if engine.dialect.name == "sqlite":
                connection.exec_driver_sql("BEGIN IMMEDIATE")
            else:
                connection.execute(text("LOCK TABLE messages IN EXCLUSIVE MODE"))
            status, verdicts = doctor(box)
            connection.rollback()
    finally:
        engine.dispose()
    assert status == 1
    assert [line.split(":")[0] for line in failures(verdicts)] == ["database lock"]


def test_it_says_which_database_is_missing_without_creating_it(tmp_path, box):
    database = tmp_path / "data" / "smsbox.db"
    if not database.exists():
        pytest.skip("the database is not a SQLite file here")
    database.unlink()
    status, verdicts = doctor(box)
    assert status == 1
    assert f"database: no database at {database} -> create it: smsbox init" in failures(verdicts)
    assert not database.exists()


def test_it_names_a_configuration_error_in_one_verdict(tmp_path):
    config = tmp_path / "smsbox.toml"
    config.write_text("[web]\nport = 0\n", encoding="utf-8")
    status, verdicts = doctor(config)
    assert status == 1
    assert failures(verdicts) == [
        "configuration: [web].port must be between 1 and 65535 -> correct the file "
        "(config.example.toml)"
    ]


def test_it_leaves_a_modem_the_daemon_serves_to_the_daemon(box, sim):
    daemon = subprocess.Popen(
        [smsbox_command(), "--config", str(box), "daemon"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_until(lambda: processes_holding(sim.link), timeout=30)
        status, verdicts = doctor(box)
    finally:
        daemon.terminate()
        daemon.wait(timeout=30)
    assert status == 0, failures(verdicts)
    assert any(
        v["detail"].startswith(f"served by the smsbox daemon (smsbox (pid {daemon.pid}))")
        for v in verdicts
    ), verdicts


def test_it_names_the_files_root_left_in_the_data_directory(tmp_path, box):
    data = tmp_path / "data"
    data.chmod(0o777)  # the directory is open to all: the files are not
    status, verdicts = doctor(box, "--user", NOT_IN_DIALOUT)
    assert status == 1
    [line] = [line for line in failures(verdicts) if line.startswith("data directory")]
    assert line.startswith(f"data directory: {NOT_IN_DIALOUT} may not write ")
    assert "secret_key" in line
    assert line.endswith(f"-> give them to that user: sudo chown -R {NOT_IN_DIALOUT}: {data}")


def test_it_only_warns_of_a_sim_that_waits_for_the_pin_the_configuration_gives(tmp_path):
    config = configured(tmp_path, str(tmp_path / "modem"), pin="1234")
    box = write_config_file(config, tmp_path / "smsbox.toml", web={"port": free_port()})
    with SimulatedModem(tmp_path / "modem", pin="1234") as sim:
        status, verdicts = doctor(box)
        assert sim.engine.sim.state == "SIM PIN"  # the doctor never gave it
    assert status == 0, failures(verdicts)
    [warned] = [v for v in verdicts if v["level"] == "warning"]
    assert warned["detail"].startswith("the SIM asks for its PIN; the daemon gives pin at start")
