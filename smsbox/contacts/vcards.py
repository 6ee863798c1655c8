"""vCard (.vcf), as phones export their address book, read and written with vobject.

A card gives one contact: its FN (else its N) as the name, its mobile number (TEL
typed CELL) or else its first TEL as the number; its other numbers, EMAIL, ORG and
TITLE are kept as custom fields, its NOTE as the notes. smsbox writes each custom
field as `X-SMSBOX-FIELD;NAME=<field>:<value>` and reads it back so.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TextIO

import vobject

from smsbox.contacts.files import ImportRefused
from smsbox.contacts.lines import Entry, Rejected, shortened

CUSTOM_FIELD = "X-SMSBOX-FIELD"
KEPT_AS_FIELDS = {"EMAIL": "email", "ORG": "organisation", "TITLE": "title"}


def _types(line) -> set[str]:  # type: ignore[no-untyped-def]
    # vCard 3.0 says TYPE=CELL; 2.1 says TEL;CELL, which vobject keeps apart.
    typed = [value for values in line.params.get("TYPE", []) for value in values.split(",")]
    return {value.upper() for value in [*typed, *getattr(line, "singletonparams", [])]}


def _text(value: object) -> str:
    return ", ".join(filter(None, value)) if isinstance(value, list) else str(value)


def _name(card) -> str:  # type: ignore[no-untyped-def]
    if "fn" in card.contents and str(card.fn.value).strip():
        return str(card.fn.value)
    if "n" in card.contents:
        parts = card.n.value
        return " ".join(filter(None, (_text(parts.given), _text(parts.family))))
    return ""


def _entry(card, position: int) -> Entry | Rejected:  # type: ignore[no-untyped-def]
    name = _name(card)
    phones = sorted(card.contents.get("tel", []), key=lambda tel: "CELL" not in _types(tel))
    if not phones:
        return Rejected(position, shortened(name), "the card has no phone number")
    fields: dict[str, str] = {}
    for index, other in enumerate(phones[1:], start=2):
        fields[f"phone {index}"] = str(other.value)
    for line in card.getChildren():
        if line.name in KEPT_AS_FIELDS:
            key = KEPT_AS_FIELDS[line.name]
            fields[key] = ", ".join(filter(None, (fields.get(key), _text(line.value))))
        elif line.name == CUSTOM_FIELD and line.params.get("NAME"):
            fields[line.params["NAME"][0]] = _text(line.value)
    notes = "\n".join(_text(note.value) for note in card.contents.get("note", []))
    return Entry(position, name, str(phones[0].value), notes, fields)


def read_vcards(text: TextIO) -> Iterator[Entry | Rejected]:
    """Each card of the file; `line` is the card's position in it (1, 2, ...)."""
    position = 0
    try:
        for card in vobject.readComponents(text.read()):
            position += 1
            if card.name != "VCARD":
                yield Rejected(position, card.name, "not a vCard")
                continue
            yield _entry(card, position)
    except (vobject.base.ParseError, ValueError) as error:
        raise ImportRefused(
            "card %(card)s cannot be read as vCard: %(why)s", card=position + 1, why=str(error)
        ) from None
    if position == 0:
        raise ImportRefused("the file holds no vCard")


def write_vcard(name: str, number: str, notes: str, fields: dict[str, str]) -> str:
    card = vobject.vCard()
    card.add("fn").value = name
    card.add("n").value = vobject.vcard.Name(given=name)
    tel = card.add("tel")
    tel.value = number
    tel.type_param = "CELL"
    if notes:
        card.add("note").value = notes
    for key, value in fields.items():
        field = card.add(CUSTOM_FIELD)
        field.value = value
        field.params["NAME"] = [key]
    return card.serialize()
