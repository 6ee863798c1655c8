"""E.164 for a number written plainly in its default region's own forms, without
phonenumbers' `parse`: exactly the answer `parse`, `is_possible_number` and
`format_number` give, or None to ask them.

`parse` was half the CPU of importing a file of 100,000 contacts: it searches each
text for extensions, RFC 3966 contexts and vanity letters and normalises it
character by character before it reaches what decides a number of the default
region. For a text of ASCII digits, spaces, dots, dashes and brackets with at most
a leading `+` (`06 12 34 56 78`, `+33 (0)6 12 34 56 78`, `0033612345678`), none of
that can apply, and what is left is what `parse` then does with the digits, step
for step, from the region's own metadata: the international prefix, the country
code, the national prefix taken off when the number is then of the region's form
and possible length. Anything else (another country, a prefix given as a pattern, a
number starting with the country code without `+`, a leading zero kept, a number
that is not possible) goes to phonenumbers, which stays the reference:
tests/test_plain_numbers.py holds this module to it over national, international
and garbled forms of every region's example numbers.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

import phonenumbers
from phonenumbers import PhoneMetadata, PhoneNumber, ValidationResult
from phonenumbers.phonenumberutil import COUNTRY_CODE_TO_REGION_CODE, SUPPORTED_REGIONS

_PLAIN = re.compile(r"\+?[0-9 .()-]+")
_SEPARATORS_OFF = str.maketrans("", "", "+ .()-")
_DIGITS = re.compile(r"[0-9]+")
_DIGIT_CHOICES = re.compile(r"[0-9]+(?:\|[0-9]+)*")
# What phonenumbers' `parse` keeps a national number to (its _MIN/_MAX_LENGTH_FOR_NSN),
# and the longest text it reads (_MAX_INPUT_STRING_LENGTH).
_SHORTEST, _LONGEST, _LONGEST_TEXT = 2, 17, 250
# Fewer digits than this, written with a separator, are no number for `parse`.
_FEWEST_DIGITS = 3
# A number with its national prefix taken off is kept unless its length is one of these.
_PREFIX_KEPT_WHEN = (
    ValidationResult.TOO_SHORT,
    ValidationResult.IS_POSSIBLE_LOCAL_ONLY,
    ValidationResult.INVALID_LENGTH,
)
_POSSIBLE = (ValidationResult.IS_POSSIBLE, ValidationResult.IS_POSSIBLE_LOCAL_ONLY)


@dataclass(frozen=True)
class _Region:
    """What `parse` reads in a region's metadata, for a region simple enough."""

    country_code: int
    calling_code: str
    international_prefix: str
    # The alternatives of its national prefix for parsing, in the order a pattern
    # `0|180020` tries them.
    national_prefixes: tuple[str, ...]
    national_number: re.Pattern[str]

    def e164(self, text: str) -> str | None:
        if len(text) > _LONGEST_TEXT or not _PLAIN.fullmatch(text):
            return None
        digits = text.translate(_SEPARATORS_OFF)
        if len(digits) < _FEWEST_DIGITS:
            return None
        if text[0] == "+":
            national = self._after_country_code(digits)
        elif digits.startswith(self.international_prefix):
            national = self._after_country_code(digits[len(self.international_prefix) :])
        elif digits.startswith(self.calling_code):
            # `parse` then weighs whether these digits are the country code.
            return None
        else:
            national = digits
        if national is None or len(national) < _SHORTEST:
            return None
        return self._national_e164(national)

    def _after_country_code(self, digits: str) -> str | None:
        # Another country's code, or none, is phonenumbers' to read.
        if not digits.startswith(self.calling_code):
            return None
        return digits[len(self.calling_code) :]

    def _national_e164(self, national: str) -> str | None:
        """With its national prefix taken off when `parse` takes it off: when the
        number was not of the region's form with it or is with it off, and its length
        without it is not one `parse` refuses for that."""
        prefix = next((p for p in self.national_prefixes if national.startswith(p)), None)
        if prefix is None:
            return self._possible(national)
        stripped = national[len(prefix) :]
        matches = self.national_number.fullmatch
        if matches(national) and not matches(stripped):
            return self._possible(national)
        if stripped[:1] == "0":
            return None
        length = self._length(stripped) if stripped else ValidationResult.TOO_SHORT
        if length in _PREFIX_KEPT_WHEN:
            return self._possible(national)
        return self._possible(stripped, length)

    def _possible(self, national: str, length: ValidationResult | None = None) -> str | None:
        # A leading zero is kept apart by `parse` (Italian numbers): phonenumbers' to do.
        if not _SHORTEST <= len(national) <= _LONGEST or national[0] == "0":
            return None
        if (self._length(national) if length is None else length) not in _POSSIBLE:
            return None
        return f"+{self.calling_code}{national}"

    def _length(self, national: str) -> ValidationResult:
        number = PhoneNumber(country_code=self.country_code, national_number=int(national))
        return phonenumbers.is_possible_number_with_reason(number)


@functools.cache
def _region(code: str) -> _Region | None:
    """The region's rules, or None when its metadata asks for more than `_Region` does
    (a national prefix that is a pattern or rewritten, an international prefix that is
    a pattern, a country code it shares as a secondary region)."""
    if code not in SUPPORTED_REGIONS:
        return None
    metadata = PhoneMetadata.metadata_for_region(code)
    national_prefix = metadata.national_prefix_for_parsing or ""
    calling_code = str(metadata.country_code)
    if (
        phonenumbers.region_code_for_country_code(metadata.country_code) != code
        or not _DIGITS.fullmatch(metadata.international_prefix or "")
        or (national_prefix and not _DIGIT_CHOICES.fullmatch(national_prefix))
        or metadata.national_prefix_transform_rule
        or not metadata.general_desc.national_number_pattern
        # `parse` takes the shortest known code the digits start with.
        or any(
            int(calling_code[:end]) in COUNTRY_CODE_TO_REGION_CODE
            for end in range(1, len(calling_code))
        )
    ):
        return None
    return _Region(
        metadata.country_code,
        calling_code,
        metadata.international_prefix,
        tuple(national_prefix.split("|")) if national_prefix else (),
        re.compile(metadata.general_desc.national_number_pattern),
    )


def plain_e164(text: str, default_region: str) -> str | None:
    """`text`'s E.164 form as phonenumbers gives it, when `text` is a plain number of
    `default_region`'s forms and a possible one; None otherwise (ask phonenumbers)."""
    region = _region(default_region)
    return None if region is None else region.e164(text)
