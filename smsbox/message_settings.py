"""The account's message settings: a signature added to what staff, the API and
campaigns send, the validity period written into each SMS, and whether delivery
reports are asked for. Kept with the other settings (`smsbox.account_settings`), so
the daemon applies a change without a restart; the configuration's
`[messaging].validity_hours` is the default validity."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from smsbox import account_settings
from smsbox.config_checks import MAX_VALIDITY_HOURS
from smsbox.refusals import Refusal

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

# Room for a name and a number: a signature is not a second message.
MAX_SIGNATURE_LENGTH = 60


@dataclass(frozen=True)
class MessageSettings:
    # Added on a line of its own after the text; empty: none.
    signature: str = ""
    # How long the network keeps trying to deliver; None: the configuration's.
    validity_hours: int | None = None
    # Off: no SMS asks for a delivery report (a modem whose `status_reports` is off
    # never asks, whatever this says).
    delivery_reports: bool = True

    def __post_init__(self) -> None:
        if len(self.signature) > MAX_SIGNATURE_LENGTH:
            raise Refusal(
                "The signature is longer than %(limit)d characters.", limit=MAX_SIGNATURE_LENGTH
            )
        if "\n" in self.signature.strip():
            raise Refusal("The signature must fit on one line.")
        hours = self.validity_hours
        if hours is not None and (
            not isinstance(hours, int) or not 1 <= hours <= MAX_VALIDITY_HOURS
        ):
            raise Refusal(
                "The validity period must be between 1 and %(limit)d hours (63 weeks).",
                limit=MAX_VALIDITY_HOURS,
            )

    def signed(self, text: str) -> str:
        """`text` as it goes out: with the signature on its own line."""
        signature = self.signature.strip()
        return f"{text}\n{signature}" if signature else text


def message_settings(session: Session) -> MessageSettings:
    return account_settings.load(session, account_settings.MESSAGES, MessageSettings)
