"""The schema in SQLAlchemy Core: every table, in one `metadata`, without the ORM.

The daemon reads and writes these tables through Core statements (the ORM and the
mapped classes cost it about 10 MB); smsbox.models maps its classes onto the very same
`Table` objects for the web, the API and Alembic."""

from smsbox.tables.accounts import (
    activity,
    api_idempotent_requests,
    api_keys,
    login_failures,
    settings,
    users,
)
from smsbox.tables.campaigns import campaigns, recurring_campaigns
from smsbox.tables.columns import (
    JsonDocument,
    UTCDateTime,
    metadata,
    partial_index,
    utcnow,
    written,
)
from smsbox.tables.directory import contacts, group_memberships, groups, opt_outs
from smsbox.tables.integrations import webhook_deliveries, webhook_endpoints
from smsbox.tables.messaging import (
    UNREAD,
    Direction,
    Status,
    bulk_inserts,
    conversations,
    hourly_traffic,
    inbound_parts,
    incoming_calls,
    message_parts,
    messages,
    modem_errors,
    modem_leases,
    modems,
    unread_total,
)

__all__ = [
    "UNREAD",
    "Direction",
    "JsonDocument",
    "Status",
    "UTCDateTime",
    "activity",
    "api_idempotent_requests",
    "api_keys",
    "bulk_inserts",
    "campaigns",
    "contacts",
    "conversations",
    "group_memberships",
    "groups",
    "hourly_traffic",
    "inbound_parts",
    "incoming_calls",
    "login_failures",
    "message_parts",
    "messages",
    "metadata",
    "modem_errors",
    "modem_leases",
    "modems",
    "opt_outs",
    "partial_index",
    "recurring_campaigns",
    "settings",
    "unread_total",
    "users",
    "utcnow",
    "webhook_deliveries",
    "webhook_endpoints",
    "written",
]
