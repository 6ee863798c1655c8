"""What every list page shares: the page sizes offered, and the cursor of keyset
pagination (smsbox.message_lists), without the lists' queries: the daemon imports the
services that page (the calls, the activity log, the STOP list) but never a page."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from smsbox.refusals import Refusal

if TYPE_CHECKING:
    from smsbox.models import Message

PAGE_SIZES = (10, 25, 50, 100)
DEFAULT_PAGE_SIZE = 25
# Microseconds since 1970 and the row id: only digits, so a cursor needs no escaping
# in a URL and a forged one is refused by its shape before it reaches a query (17
# digits of microseconds stay within datetime's years, 18 of id within 64 bits).
_CURSOR = re.compile(r"(\d{1,17})-(\d{1,18})")
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


class ListRefused(Refusal):
    """A page address, search or filter that names no page."""


@dataclass(frozen=True)
class Cursor:
    """Where a page ends: the time and id of its row at that end."""

    created_at: datetime
    id: int

    def __str__(self) -> str:
        micros = (self.created_at - _EPOCH) // timedelta(microseconds=1)
        return f"{micros}-{self.id}"

    @classmethod
    def parse(cls, text: str) -> Cursor:
        match = _CURSOR.fullmatch(text)
        if match is None:
            raise ListRefused("this page link is damaged: go back to the first page")
        micros, id_ = map(int, match.groups())
        return cls(_EPOCH + timedelta(microseconds=micros), id_)

    @classmethod
    def of(cls, message: Message) -> Cursor:
        return cls(message.created_at, message.id)
