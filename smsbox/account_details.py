"""The account's name and time zone, and whether contacts may share a number:
settings an admin changes, over the configuration's defaults (`[messaging].timezone`,
`[contacts].allow_duplicates`). The time zone is the one of every page, the sending
hours, the caps' days and months, and scheduled sends."""

from __future__ import annotations

import zoneinfo
from dataclasses import dataclass
from typing import TYPE_CHECKING

from smsbox import account_settings
from smsbox.config import Config
from smsbox.refusals import Refusal

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

DEFAULT_NAME = "smsbox"
MAX_NAME_LENGTH = 60


def check_timezone(name: str) -> None:
    try:
        zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise Refusal("%(zone)s is no known time zone (such as Europe/Paris).", zone=name) from None


@dataclass(frozen=True)
class AccountDetails:
    # Shown in each page's header and title; empty: "smsbox".
    name: str = ""
    # An IANA name; empty: the configuration's.
    timezone: str = ""
    # None: the configuration's.
    allow_duplicates: bool | None = None

    def __post_init__(self) -> None:
        if len(self.name) > MAX_NAME_LENGTH or "\n" in self.name:
            raise Refusal(
                "The account name must be one line of at most %(limit)d characters.",
                limit=MAX_NAME_LENGTH,
            )
        if self.timezone:
            check_timezone(self.timezone)


def account_details(session: Session) -> AccountDetails:
    return account_settings.load(session, account_settings.ACCOUNT, AccountDetails)


def effective(session: Session, config: Config) -> AccountDetails:
    """The details in force: each one not set is the configuration's."""
    stored = account_details(session)
    return AccountDetails(
        name=stored.name or DEFAULT_NAME,
        timezone=stored.timezone or config.messaging.timezone,
        allow_duplicates=(
            config.contacts.allow_duplicates
            if stored.allow_duplicates is None
            else stored.allow_duplicates
        ),
    )


def timezone_name(session: Session, default: str) -> str:
    return account_details(session).timezone or default


def account_zone(session: Session, default: str) -> zoneinfo.ZoneInfo:
    return zoneinfo.ZoneInfo(timezone_name(session, default))
