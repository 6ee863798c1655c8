"""The data model. Times are UTC; numbers are E.164 next to the raw text given.

One module per concern; every table is imported here so that the mapper knows
them all (relationships name each other by class name) and callers import
from `smsbox.models`."""

# Whatever flushes mapped objects queues the webhook deliveries of their events.
import smsbox.webhooks.flush_events  # noqa: F401
from smsbox.models.accounts import (
    ActivityEntry,
    ApiKey,
    IdempotentRequest,
    LoginFailure,
    Setting,
    User,
)
from smsbox.models.base import (
    Base,
    UTCDateTime,
    utcnow,
)
from smsbox.models.campaigns import Campaign, RecurringCampaign
from smsbox.models.directory import (
    Contact,
    Group,
    GroupMembership,
    OptOut,
)
from smsbox.models.integrations import WebhookDelivery, WebhookEndpoint
from smsbox.models.messaging import (
    UNREAD,
    BulkInsert,
    ConversationHead,
    Direction,
    HourlyTraffic,
    InboundPart,
    IncomingCall,
    Message,
    MessagePart,
    Modem,
    ModemError,
    ModemLease,
    Status,
    UnreadTotal,
)

__all__ = [
    "UNREAD",
    "ActivityEntry",
    "ApiKey",
    "Base",
    "BulkInsert",
    "Campaign",
    "Contact",
    "ConversationHead",
    "Direction",
    "Group",
    "GroupMembership",
    "HourlyTraffic",
    "IdempotentRequest",
    "InboundPart",
    "IncomingCall",
    "LoginFailure",
    "Message",
    "MessagePart",
    "Modem",
    "ModemError",
    "ModemLease",
    "OptOut",
    "RecurringCampaign",
    "Setting",
    "Status",
    "UTCDateTime",
    "UnreadTotal",
    "User",
    "WebhookDelivery",
    "WebhookEndpoint",
    "utcnow",
]
