"""Keywords: what an inbound text that says only a keyword asks for (STOP, START,
HELP...), and the account's rules for them (kept in `smsbox.account_settings`).

Only the whole text counts, once normalised: "Stop." is a request, "can you stop
by tomorrow?" is a sentence.
"""

from __future__ import annotations

import enum
import unicodedata
from dataclasses import dataclass, field

from smsbox.refusals import Refusal

MAX_KEYWORD_LENGTH = 40


class Kind(enum.StrEnum):
    OPT_OUT = "opt_out"
    OPT_IN = "opt_in"
    HELP = "help"
    # The account's own keywords: each puts the sender in a group, and may reply.
    CUSTOM = "custom"


# The kinds whose keywords are a plain list.
LISTED = (Kind.OPT_OUT, Kind.OPT_IN, Kind.HELP)


@dataclass(frozen=True)
class CustomKeyword:
    keyword: str
    # The group the sender's contact joins (made when missing).
    group: str
    reply: str = ""


def normalised(text: str) -> str:
    """Case and accents folded (ARRÊT, arret, Arrêt are one word), and the whitespace
    and punctuation around it dropped ("Stop.", " stop! "); inside it stays, so that
    "S T O P" is no keyword. Emoji and other symbols are not punctuation: "Stop 🙏"
    is a sentence, not a keyword, and a person can add the number by hand."""
    decomposed = unicodedata.normalize("NFKD", text)
    folded = "".join(char for char in decomposed if not unicodedata.combining(char)).casefold()
    around = {
        char for char in folded if char.isspace() or unicodedata.category(char).startswith("P")
    }
    return " ".join(folded.strip("".join(around)).split())


@dataclass(frozen=True)
class KeywordRules:
    """The account's keywords and the replies each kind gets; an empty reply sends
    nothing. French defaults: French operators and their customers know STOP."""

    opt_out: tuple[str, ...] = (
        "STOP",
        "STOP SMS",
        "ARRET",
        "ARRÊT",
        "STOPALL",
        "UNSUBSCRIBE",
        "DESABONNER",
        "END",
        "QUIT",
        "CANCEL",
    )
    opt_in: tuple[str, ...] = ("START", "UNSTOP", "OUI", "YES")
    help: tuple[str, ...] = ("AIDE", "HELP", "INFO")
    opt_out_reply: str = (
        "Vous êtes désinscrit : vous ne recevrez plus de SMS de notre part. "
        "Envoyez START pour vous réinscrire."
    )
    # Sent when a number on the STOP list asks to come back, with double opt-in on.
    opt_in_confirm_request: str = "Pour recevoir à nouveau nos SMS, répondez OUI."
    opt_in_reply: str = "C'est noté : vous recevrez à nouveau nos SMS. STOP pour arrêter."
    help_reply: str = "Envoyez STOP pour ne plus recevoir nos SMS, START pour vous réinscrire."
    # Sent to a message that says no keyword; empty, the default, sends nothing.
    default_reply: str = ""
    # A number that asks to come back must say so twice: once to ask, once to confirm.
    double_opt_in: bool = True
    confirm_within_hours: int = 24
    # At most this many automatic replies to one number in an hour, so that two
    # machines answering each other cannot loop.
    replies_per_hour: int = 3
    # (keyword, group, reply) each.
    custom: tuple[tuple[str, str, str], ...] = ()
    _lookup: dict[str, Kind] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        check_rules(self)
        lookup = {normalised(keyword): kind for kind, keyword in _keywords(self)}
        object.__setattr__(self, "_lookup", lookup)

    def kind_of(self, text: str) -> Kind | None:
        """The kind of keyword the whole `text` is, or None."""
        return self._lookup.get(normalised(text))

    def custom_keywords(self) -> tuple[CustomKeyword, ...]:
        return tuple(CustomKeyword(*entry) for entry in self.custom)

    def custom_for(self, text: str) -> CustomKeyword | None:
        """The account's own keyword the whole `text` is, or None."""
        key = normalised(text)
        return next(
            (entry for entry in self.custom_keywords() if normalised(entry.keyword) == key), None
        )

    def reply_for(self, kind: Kind) -> str:
        return {
            Kind.OPT_OUT: self.opt_out_reply,
            Kind.OPT_IN: self.opt_in_reply,
            Kind.HELP: self.help_reply,
        }[kind]


def _keywords(rules: KeywordRules) -> list[tuple[Kind, str]]:
    listed = [(kind, keyword) for kind in LISTED for keyword in getattr(rules, kind.value)]
    return listed + [(Kind.CUSTOM, entry[0]) for entry in rules.custom]


def check_rules(rules: KeywordRules) -> None:
    """Refusal for rules that could not be applied as written."""
    seen: dict[str, Kind] = {}
    for entry in rules.custom:
        if len(entry) != 3 or not " ".join(str(entry[1]).split()):
            raise Refusal("The keyword %(keyword)s names no group.", keyword=entry[0])
    for kind, keyword in _keywords(rules):
        key = normalised(keyword)
        if not key:
            raise Refusal("A keyword list has an empty entry (%(kind)s).", kind=kind.value)
        if len(key) > MAX_KEYWORD_LENGTH:
            raise Refusal(
                "The keyword %(keyword)s is longer than %(limit)d characters.",
                keyword=keyword,
                limit=MAX_KEYWORD_LENGTH,
            )
        if key in seen and seen[key] is kind is Kind.CUSTOM:
            raise Refusal("The keyword %(keyword)s is given twice.", keyword=keyword)
        if key in seen and seen[key] is not kind:
            raise Refusal(
                "The keyword %(keyword)s is both %(first)s and %(second)s.",
                keyword=keyword,
                first=seen[key].value,
                second=kind.value,
            )
        seen[key] = kind
    if rules.confirm_within_hours < 1:
        raise Refusal("The time to confirm an opt-in must be at least one hour.")
    if rules.replies_per_hour < 1:
        raise Refusal("At least one automatic reply an hour must be allowed to each number.")


CUSTOM_SEPARATOR = "|"


def custom_lines(rules: KeywordRules) -> list[str]:
    """The account's own keywords as an admin types them: keyword | group | reply."""
    return [f" {CUSTOM_SEPARATOR} ".join(part for part in entry if part) for entry in rules.custom]


def custom_from_lines(lines: tuple[str, ...]) -> tuple[tuple[str, str, str], ...]:
    """Each "keyword | group | reply" line (the reply may be left out) as the rules
    keep it; Refusal for a line without a group."""
    entries = []
    for line in lines:
        keyword, _, rest = line.partition(CUSTOM_SEPARATOR)
        group, _, reply = rest.partition(CUSTOM_SEPARATOR)
        if not group.strip():
            raise Refusal(
                "%(line)s: write the keyword, then | and the group to put the sender in.",
                line=line,
            )
        entries.append((keyword.strip(), " ".join(group.split()), reply.strip()))
    return tuple(entries)
