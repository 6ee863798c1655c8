"""`smsbox resend ID`: a person decides to send again what the daemon could not
know had arrived (the modem took it and never answered)."""

from __future__ import annotations

import argparse

from smsbox.cli.output import confirmed
from smsbox.config import load_config


def cmd_resend(args: argparse.Namespace) -> None:
    from smsbox.cli import CommandFailed
    from smsbox.database import open_session
    from smsbox.models import Message
    from smsbox.sending import ResendRefused, resend_interrupted, uncertain_parts
    from smsbox.wakeup import notify

    config = load_config(args.config)
    with open_session(config.database_url) as session:
        message = session.get(Message, args.message_id)
        if message is None:
            raise CommandFailed(f"no message {args.message_id}")
        which = ", ".join(map(str, uncertain_parts(message)))
        if which:
            print(
                f"message {message.id} to {message.number}: part(s) {which} of "
                f"{len(message.parts)} went to the modem and no answer came back; "
                "the recipient may already have them."
            )
        question = f"Send part(s) {which} again?" if which else "Send it again?"
        if not args.yes and not confirmed(question):
            raise CommandFailed("not resent (answer y, or give --yes)")
        try:
            resend_interrupted(message)
        except ResendRefused as error:
            raise CommandFailed(str(error)) from None
        session.commit()
    notify(config)
    print(f"message {args.message_id} queued again")


def add_resend_command(add) -> None:
    resend = add(
        "resend", cmd_resend, "send again an interrupted message (it may have arrived already)"
    )
    resend.add_argument("message_id", type=int, metavar="ID")
    resend.add_argument("--yes", action="store_true", help="do not ask for confirmation")
