"""The `smsbox` command: thin wrappers over core functions.

This is the one composition root: it may import `modem` and `web` (lazily, so
that `smsbox send` does not load Flask nor a serial stack).
"""

from __future__ import annotations

import argparse
import getpass
import logging
import signal
import sys
import threading
from collections.abc import Callable
from types import ModuleType

from smsbox.config import Config, ConfigError, load_config

# The database stack (SQLAlchemy, Alembic) is imported by the commands that use
# it, so that `smsbox sim status` starts at once.


class CommandFailed(Exception):
    """A user-facing failure: printed without a traceback, exit status 1."""


def stop_on_signals() -> threading.Event:
    """An event set by SIGTERM (systemd) or SIGINT (Ctrl-C)."""
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    return stop


def cmd_init(args: argparse.Namespace) -> None:
    from smsbox.setup import initialise

    config = load_config(args.config)
    initialise(config)
    print(f"database ready at {config.database_url}")


def _read_password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\n")
    first = getpass.getpass("Password: ")
    if first != getpass.getpass("Password again: "):
        raise CommandFailed("the two passwords differ")
    return first


def cmd_user_add(args: argparse.Namespace) -> None:
    from smsbox import activity
    from smsbox.activity import COMMAND_LINE, Action
    from smsbox.database import open_session
    from smsbox.users import UserError, create_user

    config = load_config(args.config)
    password = _read_password(args.password_stdin)
    with open_session(config.database_url) as session:
        try:
            create_user(session, args.name, password, admin=args.admin)
        except UserError as error:
            raise CommandFailed(str(error)) from None
        activity.record(session, Action.USER_CREATED, COMMAND_LINE, args.name, admin=args.admin)
        session.commit()
    print(f"user {args.name!r} created{' (admin)' if args.admin else ''}")


def cmd_send(args: argparse.Namespace) -> None:
    from smsbox import activity
    from smsbox.account_details import account_zone
    from smsbox.activity import COMMAND_LINE, Action
    from smsbox.database import open_session
    from smsbox.numbers import InvalidNumber, to_e164
    from smsbox.outbox import MessageRejected, queue_message
    from smsbox.quotas import check_send, refusal_logged
    from smsbox.routing import UnknownModem, requested_modem
    from smsbox.wakeup import notify

    config = load_config(args.config)
    with open_session(config.database_url) as session:
        try:
            modem_id = requested_modem(session, config.modems, args.modem) if args.modem else None
            zone = account_zone(session, config.messaging.timezone)
            number = to_e164(args.number, config.messaging.default_region)
            with refusal_logged(session, COMMAND_LINE, number):
                check_send(session, count=1, user_id=None, zone=zone)
            message = queue_message(
                session,
                args.number,  # kept as typed beside its E.164 form
                args.text,
                default_region=config.messaging.default_region,
                requested_modem_id=modem_id,
                transactional=not args.commercial,
            )
        except (InvalidNumber, MessageRejected, UnknownModem) as error:
            raise CommandFailed(str(error)) from None
        activity.record(session, Action.MESSAGES_QUEUED, COMMAND_LINE, message.number, recipients=1)
        session.commit()
    notify(config)
    print(f"message {message.id} queued for {message.number}")
    if args.modem:
        print(f"only modem {args.modem} sends it: while that modem is down, it waits")


def import_daemon() -> ModuleType:
    """modem.daemon, its modules imported without loading OpenSSL (smsbox.without_openssl)."""
    from smsbox.without_openssl import imports_without_openssl

    with imports_without_openssl():
        import modem.daemon
    return modem.daemon


def cmd_daemon(args: argparse.Namespace) -> None:
    from smsbox.malloc_arenas import cap_malloc_arenas

    daemon = import_daemon()
    config = load_config(args.config)
    cap_malloc_arenas()
    try:
        daemon.run_daemon(config, stop_on_signals())
    except (ValueError, daemon.WorkerDied) as error:
        raise CommandFailed(str(error)) from None


def web_server(config: Config):
    """The web server, bound; a port in use is one line for the user, not a traceback."""
    from web.server import CannotListen, create_server

    try:
        return create_server(config)
    except CannotListen as error:
        raise CommandFailed(str(error)) from None


def cmd_web(args: argparse.Namespace) -> None:
    config = load_config(args.config)
    if config.web.processes == 1:
        from web.server import serve_for_good

        serve_for_good(web_server(config))
        return
    from web.prefork import ServerDied, serve_in_processes
    from web.server import CannotListen

    try:
        serve_in_processes(config)
    except (CannotListen, ServerDied) as error:
        raise CommandFailed(str(error)) from None


def cmd_demo(args: argparse.Namespace) -> None:
    from smsbox.cli.demo import run_demo

    run_demo(args.data, args.port, stop_on_signals())


# The commands defined in this module; the others' modules are imported only when one
# of theirs (or the list of all) is asked for: the daemon, which runs for months, is
# spared their memory.
OWN_COMMANDS = frozenset({"init", "user", "daemon", "web", "send", "demo"})


def _add_global_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--config", help="configuration file (default: $SMSBOX_CONFIG)")
    parser.add_argument("-v", "--verbose", action="store_true", help="log debug details")


def _asked_command(argv: list[str] | None) -> str | None:
    """The command word in `argv` (None: sys.argv's), None when there is none."""
    words = argparse.ArgumentParser(add_help=False)
    _add_global_options(words)
    words.add_argument("command", nargs="?")
    return words.parse_known_args(argv)[0].command


def _add_other_modules_commands(commands, add) -> None:
    from smsbox.cli.activity import add_activity_command
    from smsbox.cli.apikey import add_apikey_commands
    from smsbox.cli.backup import add_backup_commands
    from smsbox.cli.calls import add_calls_command
    from smsbox.cli.campaigns import add_campaign_commands
    from smsbox.cli.contacts import add_contacts_commands
    from smsbox.cli.database import add_database_commands
    from smsbox.cli.doctor import add_doctor_command
    from smsbox.cli.listings import add_listing_commands
    from smsbox.cli.optout import add_optout_commands
    from smsbox.cli.resend import add_resend_command
    from smsbox.cli.sim import add_sim_commands
    from smsbox.cli.status import add_status_command
    from smsbox.cli.webhooks import add_webhook_commands

    add_resend_command(add)
    add_listing_commands(add)
    add_optout_commands(commands, add)
    add_contacts_commands(commands, add)
    add_campaign_commands(commands, add)
    add_calls_command(add)
    add_activity_command(add)
    add_database_commands(commands, add)
    add_doctor_command(add)
    add_backup_commands(add)
    add_status_command(add)
    add_apikey_commands(commands, add)
    add_webhook_commands(commands, add)
    add_sim_commands(commands, add)


def build_parser(argv: list[str] | None = None) -> argparse.ArgumentParser:
    """The parser of `argv`'s command; of every command when `argv` asks for none of
    this module's own."""
    parser = argparse.ArgumentParser(prog="smsbox", description=__doc__.splitlines()[0])
    _add_global_options(parser)
    commands = parser.add_subparsers(dest="command", required=True)

    def add(
        name: str, handler: Callable[[argparse.Namespace], None], help_text: str, parent=commands
    ):
        sub = parent.add_parser(name, help=help_text, description=help_text)
        sub.set_defaults(handler=handler)
        return sub

    add("init", cmd_init, "create the data directory and the database, run migrations")
    user = commands.add_parser("user", help="manage staff accounts")
    user_commands = user.add_subparsers(dest="user_command", required=True)
    user_add = add("add", cmd_user_add, "add a user (the password is prompted)", user_commands)
    user_add.add_argument("name")
    user_add.add_argument(
        "--admin",
        action="store_true",
        help="mark as administrator, for the user and settings pages to come "
        "(no page checks it yet)",
    )
    user_add.add_argument(
        "--password-stdin", action="store_true", help="read the password from standard input"
    )
    add("daemon", cmd_daemon, "run the modem daemon (sends and receives)")
    add("web", cmd_web, "run the web interface")
    send = add("send", cmd_send, "queue an SMS")
    send.add_argument("number", help="recipient, national or international format")
    send.add_argument("text")
    send.add_argument(
        "--modem",
        metavar="NAME",
        help="send through this [[modem]] only (default: the least busy modem that sends)",
    )
    send.add_argument(
        "--commercial",
        action="store_true",
        help="a commercial message: it goes out only within the account's sending hours",
    )
    if _asked_command(argv) not in OWN_COMMANDS:
        _add_other_modules_commands(commands, add)
    demo = add("demo", cmd_demo, "simulated modem, daemon and web UI on 127.0.0.1, no config")
    demo.add_argument("--port", type=int, default=8080, help="web port (default 8080)")
    demo.add_argument("--data", default="smsbox-demo", help="demo data directory")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser(argv).parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    logging.getLogger("alembic").setLevel(logging.WARNING)
    # waitress warns of each request that waits for a thread: with `[web] threads = 1`,
    # as an API under load is served, that is every request that came while another
    # was served, a line of the log each (a fiftieth of the server's time at 200 a second).
    logging.getLogger("waitress.queue").setLevel(logging.ERROR)
    try:
        args.handler(args)
    except (ConfigError, CommandFailed) as error:
        print(f"smsbox: {error}", file=sys.stderr)
        return 1
    return 0
