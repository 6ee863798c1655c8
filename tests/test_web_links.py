"""The lists' row addresses: built once a page, each what url_for would write, escaped."""

from __future__ import annotations

import pytest
from flask import url_for
from markupsafe import escape
from test_web import log_in
from test_web_discussions import store

from web.links import RowLink

# Senders as the network names them: numbers, and names with what an address must
# quote or a page escape (at most 32 characters, as the column holds).
SENDERS = [
    "+33612345678",
    "Ma Banque",
    "a/b?c=d#e&f",
    "100%",
    "Zoé €",
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(2)>',
]


@pytest.mark.parametrize("sender", SENDERS)
def test_it_writes_what_url_for_writes(app, sender):
    with app.test_request_context():
        link = RowLink("discussions.conversation", "number")
        assert link(sender) == url_for("discussions.conversation", number=sender)


def test_it_writes_ids_and_the_other_values_as_url_for_does(app):
    with app.test_request_context():
        link = RowLink("messages.edit_scheduled", "message_id")
        assert [link(message_id) for message_id in (1, 42, 2**63 - 1)] == [
            url_for("messages.edit_scheduled", message_id=message_id)
            for message_id in (1, 42, 2**63 - 1)
        ]
        with_query = RowLink("discussions.conversation", "number", before="1_2")
        assert with_query("+33612345678") == url_for(
            "discussions.conversation", number="+33612345678", before="1_2"
        )


def test_it_refuses_an_endpoint_without_that_argument(app):
    with app.test_request_context(), pytest.raises(ValueError, match="takes no message_id"):
        RowLink("messages.scheduled", "message_id")


@pytest.mark.parametrize("path", ["/discussions", "/messages/received"])
def test_a_hostile_senders_link_is_escaped_in_the_lists(app, client, sessions, path):
    for minutes, sender in enumerate(SENDERS):
        store(sessions, "hello", number=sender, minutes=minutes)
    log_in(client)
    html = client.get(path).get_data(as_text=True)
    with app.test_request_context():
        for sender in SENDERS:
            address = url_for("discussions.conversation", number=sender)
            assert f'href="{escape(address)}"' in html
    assert "<script>alert" not in html and "<img src=x" not in html
