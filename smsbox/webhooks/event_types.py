"""The events a webhook may subscribe to (a module of its own: the CLI names them
without loading the database stack)."""

MESSAGE_RECEIVED = "message.received"
MESSAGE_SENT = "message.sent"
MESSAGE_DELIVERED = "message.delivered"
MESSAGE_FAILED = "message.failed"
CALL_RECEIVED = "call.received"
OPTOUT_CREATED = "optout.created"
EVENT_TYPES = (
    MESSAGE_RECEIVED,
    MESSAGE_SENT,
    MESSAGE_DELIVERED,
    MESSAGE_FAILED,
    CALL_RECEIVED,
    OPTOUT_CREATED,
)
