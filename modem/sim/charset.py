"""Text as AT+CSCS says to write it: GSM 03.38 bytes, IRA (ASCII) or UCS2 hex."""

from __future__ import annotations

import gsm0338  # noqa: F401  (registers the "gsm03.38" codec)

from modem.sim.errors import cme

INVALID_CHARACTERS = 25


def encode(text: str, charset: str) -> bytes:
    """Bytes to put on the line for `text`; characters the set lacks become '?'."""
    if charset == "UCS2":
        return text.encode("utf-16-be").hex().upper().encode("ascii")
    if charset == "GSM":
        return text.encode("gsm03.38", errors="replace")
    return text.encode("ascii", errors="replace")


def decode(raw: bytes, charset: str) -> str:
    """Text a client wrote in `charset`; +CME ERROR 25 when it cannot be."""
    try:
        if charset == "UCS2":
            return bytes.fromhex(raw.decode("ascii")).decode("utf-16-be")
        if charset == "GSM":
            return raw.decode("gsm03.38")
        return raw.decode("ascii")
    except ValueError:
        raise cme(INVALID_CHARACTERS) from None
