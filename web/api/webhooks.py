"""/api/v1/webhooks: other software registers its own URLs (scope admin)."""

from __future__ import annotations

from flask import Response, g

from smsbox import activity
from smsbox.activity import Action
from smsbox.webhooks import endpoints
from smsbox.webhooks.endpoints import WebhookRefused
from smsbox.webhooks.guard import UrlRefused
from web.api import bp, problems
from web.api.problems import Problem
from web.api.spec import operation
from web.api.webhook_schemas import (
    DeliveryFilter,
    DeliveryList,
    DeliveryOut,
    NewWebhookOut,
    WebhookList,
    WebhookOut,
    WebhookRequest,
)
from web.db import get_session


@operation(
    bp,
    "POST",
    "/webhooks",
    "Add a webhook",
    scope="admin",
    answer=NewWebhookOut,
    status=201,
    body=WebhookRequest,
    errors=(problems.INVALID_URL,),
)
def add_webhook(body: WebhookRequest) -> NewWebhookOut:
    session = get_session()
    try:
        added = endpoints.add_endpoint(
            session,
            body.url,
            body.events,
            created_by=g.caller.actor.name,
            allow_private=body.allow_private,
        )
    except UrlRefused as error:
        raise Problem(problems.INVALID_URL, str(error), field="url") from None
    activity.record(
        session,
        Action.WEBHOOK_ADDED,
        g.caller.actor,
        added.endpoint.url,
        events=added.endpoint.events,
        allow_private=added.endpoint.allow_private,
    )
    session.commit()
    shown = WebhookOut.of(added.endpoint).model_dump()
    return NewWebhookOut(**shown, secret=added.secret)


@operation(bp, "GET", "/webhooks", "List webhooks", scope="admin", answer=WebhookList)
def list_webhooks() -> WebhookList:
    return WebhookList(
        webhooks=[WebhookOut.of(endpoint) for endpoint in endpoints.endpoints(get_session())]
    )


def _endpoint(webhook_id: int):
    try:
        return endpoints.endpoint(get_session(), webhook_id)
    except WebhookRefused as error:
        raise Problem(problems.NOT_FOUND, str(error)) from None


@operation(
    bp,
    "DELETE",
    "/webhooks/<int:webhook_id>",
    "Remove a webhook",
    scope="admin",
    answer=None,
    status=204,
    errors=(problems.NOT_FOUND,),
)
def remove_webhook(webhook_id: int) -> Response:
    _endpoint(webhook_id)
    session = get_session()
    removed = endpoints.remove_endpoint(session, webhook_id)
    activity.record(session, Action.WEBHOOK_REMOVED, g.caller.actor, removed.url)
    session.commit()
    return Response(status=204)


@operation(
    bp,
    "GET",
    "/webhooks/<int:webhook_id>/deliveries",
    "List a webhook's deliveries",
    scope="admin",
    answer=DeliveryList,
    query=DeliveryFilter,
    errors=(problems.NOT_FOUND,),
)
def webhook_deliveries(webhook_id: int, query: DeliveryFilter) -> DeliveryList:
    _endpoint(webhook_id)
    found = endpoints.deliveries(get_session(), webhook_id, limit=query.limit)
    return DeliveryList(deliveries=[DeliveryOut.of(delivery) for delivery in found])
