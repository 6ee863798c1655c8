"""`smsbox demo`: a simulated modem, the daemon and the web UI, with no config and no hardware."""

from __future__ import annotations

import shlex
import sys
import threading
from pathlib import Path

from modem.daemon import run_daemon
from modem.sim import SimulatedModem
from modem.sim.network import SubmittedSms
from smsbox.cli import web_server
from smsbox.config import Config, load_config
from smsbox.database import make_engine, make_session_factory
from smsbox.setup import initialise
from smsbox.users import UserError, create_user, generate_password, set_password

DEMO_USER = "admin"
DEMO_CONFIG = """\
# Written by `smsbox demo`: a simulated modem, this directory as data.
data_dir = "."

[web]
host = "127.0.0.1"
port = {port}

[messaging]
default_region = "FR"
timezone = "Europe/Paris"

[[modem]]
name = "simulated"
device = "{device}"
"""


def _reset_admin(config: Config) -> str:
    password = generate_password()
    engine = make_engine(config.database_url)
    with make_session_factory(engine)() as session:
        try:
            set_password(session, DEMO_USER, password)
        except UserError:
            create_user(session, DEMO_USER, password, admin=True)
        session.commit()
    engine.dispose()
    return password


def _show_on_network(sms: SubmittedSms) -> None:
    print(f"[network] SMS to {sms.recipient} ({len(sms.parts)} part(s)): {sms.text}", flush=True)


def _own_command() -> str:
    """This smsbox's console script, as a path that works without the venv activated
    (the README's set-up line does not activate it)."""
    script = Path(sys.argv[0])
    return str(script.resolve()) if script.name == "smsbox" and script.is_file() else "smsbox"


def run_demo(data: str, port: int, stop: threading.Event) -> None:
    data_dir = Path(data).resolve()
    data_dir.mkdir(parents=True, exist_ok=True)
    config_path = data_dir / "smsbox.toml"
    config_path.write_text(DEMO_CONFIG.format(port=port, device=data_dir / "modem"))
    config = load_config(config_path)
    initialise(config)
    password = _reset_admin(config)

    control = data_dir / "modem.sock"
    with SimulatedModem(config.modems[0].device, control=control) as sim:
        sim.network.on_submit(_show_on_network)
        server = web_server(config)
        daemon = threading.Thread(target=run_daemon, args=(config, stop), name="daemon")
        web = threading.Thread(target=server.run, name="web", daemon=True)
        daemon.start()
        web.start()
        print(
            f"\nsmsbox demo running\n"
            f"  open      http://127.0.0.1:{port}/\n"
            f"  user      {DEMO_USER}\n"
            f"  password  {password}\n"
            f"  modem     {sim.link} (simulated)\n"
            f"  control   {control}\n"
            f"  data      {data_dir}\n"
            "An SMS from a phone to the box:\n"
            f"  {shlex.quote(_own_command())} sim deliver --control {shlex.quote(str(control))} "
            '--from +33612345678 "Bonjour"\n'
            "Each SMS that reaches the simulated network is shown below. Ctrl-C stops.\n",
            flush=True,
        )
        stop.wait()
        print("stopping...", flush=True)
        server.close()
        daemon.join()
