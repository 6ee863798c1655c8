"""Reading many contacts' custom fields: as their JSON text, each distinct text decoded
once. Contacts of one file mostly share the same few fields and values (a town, a
company); decoding each row's was a third of the CPU of a CSV export."""

from __future__ import annotations

import functools
import json
from collections.abc import Callable

from sqlalchemy import Text, cast

from smsbox.models import Contact

FIELDS_TEXT = cast(Contact.__table__.c.fields, Text)


def fields_reader() -> Callable[[str], dict[str, str]]:
    """Custom fields from their JSON text (FIELDS_TEXT). The dictionaries are shared
    between the rows of the same text: read them, never change them."""
    return functools.lru_cache(maxsize=1024)(json.loads)
