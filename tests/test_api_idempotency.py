"""The HTTP API's Idempotency-Key: one send however often a request comes, and a key
reused with another body refused."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from api_checks import assert_problem, queued
from api_fixtures import ApiClient, new_key


def test_it_answers_the_same_request_with_the_same_idempotency_key_once(api, sessions):
    body = {"to": ["0612345678", "0698765432"], "text": "une seule fois"}
    headers = {"Idempotency-Key": "order-1234"}

    first = api.post("/messages", body, headers=headers)
    again = api.post("/messages", body, headers=headers)

    assert first.status == again.status == 201
    assert first.json == again.json
    assert len(queued(sessions)) == 2
    other = api.post("/messages", body, headers={"Idempotency-Key": "order-1235"})
    assert other.status == 201
    assert len(queued(sessions)) == 4


def test_it_refuses_an_idempotency_key_reused_with_another_body(api, sessions):
    headers = {"Idempotency-Key": "order-1234"}
    api.post("/messages", {"to": "0612345678", "text": "un"}, headers=headers)

    answer = api.post("/messages", {"to": "0612345678", "text": "deux"}, headers=headers)

    assert_problem(answer, 409, "conflict", "Idempotency-Key")
    assert [m.body for m in queued(sessions)] == ["un"]


def test_it_keeps_idempotency_keys_apart_between_api_keys(api, api_base, sessions):
    other = ApiClient(api_base, new_key(sessions, "other"))
    headers = {"Idempotency-Key": "1"}
    api.post("/messages", {"to": "0612345678", "text": "un"}, headers=headers)
    assert (
        other.post("/messages", {"to": "0612345678", "text": "deux"}, headers=headers).status == 201
    )
    assert len(queued(sessions)) == 2


def test_it_records_no_answer_for_a_refused_request(api, sessions):
    headers = {"Idempotency-Key": "k"}
    assert api.post("/messages", {"to": "06", "text": "x"}, headers=headers).status == 422
    assert api.post("/messages", {"to": "0612345678", "text": "x"}, headers=headers).status == 201


def test_it_queues_once_when_the_same_idempotent_request_comes_several_times_at_once(api, sessions):
    body = {"to": "0612345678", "text": "en même temps"}
    headers = {"Idempotency-Key": "race"}
    with ThreadPoolExecutor(6) as pool:
        answers = list(pool.map(lambda _: api.post("/messages", body, headers=headers), range(6)))

    assert {answer.status for answer in answers} == {201}
    assert len({answer.raw for answer in answers}) == 1
    assert len(queued(sessions)) == 1


def test_it_refuses_an_idempotency_key_too_long(api, sessions):
    answer = api.post(
        "/messages", {"to": "0612345678", "text": "x"}, headers={"Idempotency-Key": "k" * 256}
    )
    assert_problem(answer, 400, "invalid-request", "Idempotency-Key")
    assert queued(sessions) == []
