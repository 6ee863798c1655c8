"""Message texts that say which message they are: each starts with its own tag.

The long ones are accented with a dash outside GSM-7, so UCS-2 in three parts.
"""

from __future__ import annotations

SHORT = "rappel : rendez-vous demain à 9 h, répondez STOP pour ne plus recevoir"
LONG = (
    "Réunion du conseil — ordre du jour : budget, travaux, questions diverses, et la fête "
    "de l'été à l'école. Merci de répondre avant vendredi : oui, non ou peut-être."
)
LONG_EVERY = 5  # in mixed runs, one message in five is a three-part one


def tag(scenario: str, number: int) -> str:
    return f"{scenario}-m{number:04d}"


def short_texts(scenario: str, count: int, *, first: int = 0) -> list[str]:
    return [f"{tag(scenario, number)} {SHORT}" for number in range(first, first + count)]


def mixed_texts(scenario: str, count: int, *, first: int = 0) -> list[str]:
    """Single-part texts, with a three-part one every LONG_EVERY."""
    return [
        f"{tag(scenario, number)} {LONG if number % LONG_EVERY == LONG_EVERY - 1 else SHORT}"
        for number in range(first, first + count)
    ]


def scaled(count: int, scale: float, *, minimum: int) -> int:
    return max(minimum, round(count * scale))
