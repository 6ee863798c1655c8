"""How long a text is as an SMS: its alphabet, its length in that alphabet and how many
parts it takes, as the daemon will send it.

The daemon (modem/pdu.py) sends GSM 7-bit when python-gammu's GSM 7-bit encoding
carries the text unchanged, else UCS-2, split by python-gammu's `EncodeSMS` into
concatenated parts. This module asks python-gammu the same question with the same
entry, so that the counter a person sees never disagrees with the parts the daemon
stores (tests/test_sms_length.py holds the two together).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

import gammu

from smsbox.outbox import MAX_BODY_LENGTH


class Alphabet(enum.StrEnum):
    GSM_7 = "gsm7"
    UCS_2 = "ucs2"


@dataclass(frozen=True)
class SmsLength:
    alphabet: Alphabet
    # In the alphabet's units: septets (an escaped character such as € counts 2) or
    # UTF-16 code units (an emoji outside the BMP counts 2).
    units: int
    parts: int
    # Characters as a person counts them (code points): what MAX_BODY_LENGTH limits.
    characters: int

    @property
    def too_long(self) -> bool:
        return self.characters > MAX_BODY_LENGTH


def measure(text: str) -> SmsLength:
    """The alphabet, length and parts of `text` as the daemon would send it."""
    if not text:
        return SmsLength(Alphabet.GSM_7, 0, 0, 0)
    if len(text) > MAX_BODY_LENGTH:
        # Refused anyway (outbox.check_body): not worth python-gammu's time on whatever
        # size was posted. Its units are counted as UCS-2's, its parts not at all.
        return SmsLength(Alphabet.UCS_2, len(text.encode("utf-16-le")) // 2, 0, len(text))
    gsm = _decoded_parts(text, unicode=False)
    # python-gammu silently replaces what GSM 7-bit lacks: the text it carries back
    # says whether it lacked anything.
    carried = "".join((part["Text"] or "").split("\x00", 1)[0] for part in gsm)
    if carried == text:
        return _length(Alphabet.GSM_7, gsm, text)
    return _length(Alphabet.UCS_2, _decoded_parts(text, unicode=True), text)


def _decoded_parts(text: str, *, unicode: bool) -> list[dict]:
    """The parts python-gammu makes of `text`, as a phone would decode them (GSM 7-bit
    text padded with NULs after its last septet)."""
    parts = gammu.EncodeSMS(
        {
            "Class": -1,
            "Unicode": unicode,
            "Entries": [{"ID": "ConcatenatedTextLong", "Buffer": text}],
        }
    )
    return [
        gammu.DecodePDU(gammu.EncodePDU(dict(part, Number="+1"), "Submit"), SMSC=True)
        for part in parts
    ]


def _length(alphabet: Alphabet, decoded: list[dict], text: str) -> SmsLength:
    # DecodePDU's Length is the user data's, in the alphabet's units, headers apart.
    return SmsLength(alphabet, sum(part["Length"] for part in decoded), len(decoded), len(text))
