"""The API's parts on their own: problem documents, the rate limiter, idempotency records."""

from __future__ import annotations

import json
import multiprocessing
from datetime import UTC, datetime, timedelta

import pytest

from smsbox import idempotency
from smsbox.apikeys import create_key
from web.api import problems
from web.api.problems import Problem
from web.api.ratelimit import TokenBuckets


def test_a_problem_is_an_rfc_9457_document_with_a_stable_type_per_kind():
    problem = Problem(
        problems.INVALID_NUMBER,
        "“06” is not a phone number",
        field="to[1]",
        headers={"X-Why": "test"},
    )
    response = problem.response()

    assert response.status_code == 422
    assert response.mimetype == "application/problem+json"
    assert response.headers["X-Why"] == "test"
    assert json.loads(response.get_data()) == {
        "type": "/api/v1/docs#problem-invalid-number",
        "title": "A phone number is not valid",
        "status": 422,
        "detail": "“06” is not a phone number",
        "field": "to[1]",
    }


def test_every_kind_has_its_own_type():
    assert len({kind.type for kind in problems.KINDS}) == len(problems.KINDS)


class Clock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_a_bucket_allows_a_minutes_worth_then_one_request_per_share_of_the_minute():
    clock = Clock()
    buckets = TokenBuckets(60, clock)  # one a second

    assert [buckets.take(1) for _ in range(60)] == [0.0] * 60
    assert buckets.take(1) == pytest.approx(1.0)
    assert buckets.take(2) == 0.0  # each key its own bucket
    clock.now += 0.5
    assert buckets.take(1) == pytest.approx(0.5)
    clock.now += 0.5
    assert buckets.take(1) == 0.0
    clock.now += 3600
    assert [buckets.take(1) for _ in range(61)].count(0.0) == 60  # never more than full


def _take_all(buckets: TokenBuckets, allowed) -> None:
    allowed.put(sum(1 for _ in range(10) if buckets.take(7) == 0.0))


def test_processes_forked_after_the_buckets_are_made_share_them():
    buckets = TokenBuckets(10, Clock())  # the clock stands still: no refill
    fork = multiprocessing.get_context("fork")
    allowed = fork.Queue()
    processes = [fork.Process(target=_take_all, args=(buckets, allowed)) for _ in range(3)]
    for process in processes:
        process.start()
    counts = [allowed.get(timeout=30) for _ in processes]
    for process in processes:
        process.join(timeout=30)
    assert sorted(counts) == [0, 0, 10]
    assert buckets.take(7) > 0


def test_a_key_whose_slot_was_taken_by_another_starts_afresh():
    clock = Clock()
    buckets = TokenBuckets(2, clock, slots=2)
    assert [buckets.take(1), buckets.take(1)] == [0.0, 0.0]
    assert buckets.take(1) > 0
    clock.now += 0.1
    assert buckets.take(2) == 0.0
    clock.now += 0.1
    assert buckets.take(3) == 0.0  # both slots taken: key 1, idle longest, gives its up
    assert buckets.take(2) == 0.0 and buckets.take(2) > 0  # key 2 kept its bucket
    assert buckets.take(1) == 0.0  # full again, in key 3's slot now


def test_an_idempotency_record_is_kept_a_day_then_forgotten(sessions):
    fingerprint = idempotency.request_fingerprint("POST", "/api/v1/messages", b"{}")
    with sessions() as session:
        key, _ = create_key(session, "crm")
        answer = idempotency.StoredAnswer(201, '{"messages": []}')
        idempotency.record_answer(session, key.id, "k", fingerprint, answer)
        session.commit()
        now = datetime.now(UTC)
        assert idempotency.stored_answer(session, key.id, "k", fingerprint, now) == answer
        with pytest.raises(idempotency.KeyReused):
            idempotency.stored_answer(session, key.id, "k", "another", now)
        tomorrow = now + timedelta(hours=24, seconds=1)
        assert idempotency.stored_answer(session, key.id, "k", fingerprint, tomorrow) is None
        assert idempotency.forget_expired(session, tomorrow) == 1
