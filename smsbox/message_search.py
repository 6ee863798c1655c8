"""The trigram index over the messages' texts (smsbox.trigram_indexes), and the
search that goes through it.

Without it a rare word reads every message (seconds at a million). SQLite's index
is the FTS5 table `message_texts`, PostgreSQL's a GIN index on `messages.body`; the
list applies its own LIKE condition to the candidates they give. Created by
migration 0025_webperf.
"""

from __future__ import annotations

from sqlalchemy import Connection, text
from sqlalchemy.orm import Session

from smsbox.trigram_indexes import TrigramIndex

MESSAGE_TEXTS = TrigramIndex(
    table="messages",
    column="body",
    row_key="id",
    fts_table="message_texts",
    gin_index="ix_messages_body_trigrams",
    skips_bulk=True,
)


def index_campaign(connection: Connection, campaign_id: int) -> None:
    """Index the texts of a campaign inserted with the triggers off (smsbox.bulk_inserts)."""
    MESSAGE_TEXTS.index_rows(connection, "campaign_id = :campaign", {"campaign": campaign_id})


def ids_holding(session: Session, search: str, *, limit: int) -> list[int]:
    """The ids of at most `limit` messages whose text may hold `search` (every one that
    does is among them when fewer than `limit` are found), through the trigram index."""
    if session.bind.dialect.name == "sqlite":
        return list(session.scalars(MESSAGE_TEXTS.rows_holding(search).limit(limit)))
    escaped = search.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    query = text("SELECT id FROM messages WHERE body ILIKE :pattern LIMIT :limit")
    return list(session.scalars(query, {"pattern": f"%{escaped}%", "limit": limit}))
