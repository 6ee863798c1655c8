"""Assembly at any history size: only the parts still waiting are read."""

from __future__ import annotations

from datetime import UTC, datetime

from databases import sqlite_query_plans
from sqlalchemy import event, insert

from modem.pdu import received_part
from modem.pdu_encoding import encode_deliver
from smsbox.inbox import ready_groups, release_slot, store_part
from smsbox.models import Direction, InboundPart, Message, Status

HISTORY = 100_000
SENDER = "+33611111111"
SENT_AT = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)


def received_history(session, modem_id: int, parts: int) -> None:
    """`parts` parts of messages received long ago, all assembled."""
    message_id = session.execute(
        insert(Message)
        .values(
            direction=Direction.INBOUND,
            number=SENDER,
            raw_number=SENDER,
            body="old",
            status=Status.RECEIVED,
            modem_id=modem_id,
            created_at=SENT_AT,
        )
        .returning(Message.id)
    ).scalar_one()
    session.execute(
        insert(InboundPart),
        [
            {
                "key": None,
                "modem_id": modem_id,
                "number": SENDER,
                "pdu": "00",
                "received_at": SENT_AT,
                "message_id": message_id,
            }
            for _ in range(parts)
        ],
    )


@sqlite_query_plans
def test_it_assembles_from_the_pending_parts_alone_among_100000_received(sessions, modem_id):
    (pdu,) = encode_deliver(SENDER, "nouveau", smsc="+33609001390", sent_at=SENT_AT)
    statements: list[tuple[str, object]] = []
    with sessions() as session:
        received_history(session, modem_id, HISTORY)
        store_part(session, modem_id, received_part(pdu), storage="SM", index=1)
        release_slot(session, modem_id, "SM", 1, pdu)
        session.commit()

        connection = session.connection()
        listen = lambda *args: statements.append((args[2], args[3]))  # noqa: E731
        event.listen(connection, "before_cursor_execute", listen)
        (group,) = ready_groups(session, modem_id)
        event.remove(connection, "before_cursor_execute", listen)

        assert [part.pdu for part in group] == [pdu.upper()]
        (query, parameters) = statements[0]
        plan = " ".join(
            str(row[-1])
            for row in connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {query}", parameters)
        )
    assert "ix_inbound_parts_pending" in plan, plan
    assert "SCAN" not in plan.replace("SCAN inbound_parts USING INDEX", ""), plan
