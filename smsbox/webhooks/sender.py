"""The webhook sender: a thread of the modem daemon that posts the deliveries due.

It claims due rows (`smsbox.webhooks.deliveries`) as long as it has room, and posts
each from a thread pool: several at once, at most `per_endpoint` to one endpoint, each
post given up after POST_TIMEOUT, so that a receiver that never answers holds only its
own share of the pool. It sleeps until the soonest retry falls due, and is woken when
this process commits a new delivery (`smsbox.webhooks.events`), or by the daemon's
wake-ups (a replay from the web or the CLI); it looks anyway every POLL_INTERVAL, for
events other processes queued. urllib3 is loaded at the first post: a daemon with no
webhook endpoint is spared it.
"""

from __future__ import annotations

import logging
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING

from sqlalchemy.exc import SQLAlchemyError

from smsbox.config import WebhooksConfig
from smsbox.tables import utcnow
from smsbox.webhooks import events, signing
from smsbox.webhooks.deliveries import (
    Attempt,
    Claimed,
    claim_due,
    next_due,
    record_attempts,
)
from smsbox.webhooks.guard import UrlRefused, check_url

if TYPE_CHECKING:
    import urllib3
    from sqlalchemy.orm import Session, sessionmaker

log = logging.getLogger(__name__)

POST_TIMEOUT = 10.0
POLL_INTERVAL = 5.0
# Of the receiver's answer, what is read and kept for the admin to see.
ANSWER_READ = 4096
# After the database refused a claim: wait, rather than spin on it.
DATABASE_RETRY = 1.0


def post(http: urllib3.PoolManager, claim: Claimed, timeout: float = POST_TIMEOUT) -> Attempt:
    """One signed POST of the delivery; whatever happens, an Attempt saying what."""
    import urllib3

    try:
        check_url(claim.url, allow_private=claim.allow_private)
    except UrlRefused as refused:
        return Attempt(error=str(refused))
    body = claim.payload.encode()
    headers = signing.headers(claim.secret, claim.event_id, int(time.time()), body)
    try:
        response = http.request(
            "POST",
            claim.url,
            body=body,
            headers=headers,
            preload_content=False,
            redirect=False,
            retries=False,
            timeout=urllib3.Timeout(total=timeout),
        )
        try:
            answer = response.read(ANSWER_READ).decode("utf-8", "replace")
            response.drain_conn()
        finally:
            response.release_conn()
    except (urllib3.exceptions.HTTPError, OSError) as error:
        return Attempt(error=f"{type(error).__name__}: {error}")
    return Attempt(status_code=response.status, answer=answer)


class WebhookSender:
    def __init__(
        self,
        sessions: sessionmaker[Session],
        settings: WebhooksConfig,
        stop: threading.Event,
        *,
        timeout: float = POST_TIMEOUT,
    ):
        self.sessions = sessions
        self.settings = settings
        self.stop = stop
        self.timeout = timeout
        self._woken = threading.Event()
        self._lock = threading.Lock()
        self._in_flight: dict[int, int] = {}
        # Posts that ended, their outcome not yet recorded.
        self._finished: list[tuple[Claimed, Attempt]] = []
        # Made at the first claim.
        self._http: urllib3.PoolManager | None = None

    def wake(self) -> None:
        self._woken.set()

    def run(self) -> None:
        """Until `stop`: post what falls due."""
        events.listen(self.wake)
        pool = ThreadPoolExecutor(self.settings.concurrency, thread_name_prefix="webhook")
        try:
            while not self.stop.is_set():
                self._woken.clear()
                try:
                    self._record_finished()
                    claimed = self._claim()
                except SQLAlchemyError as error:
                    log.warning("webhooks: cannot write to the database now: %s", error)
                    self._woken.wait(DATABASE_RETRY)
                    continue
                if claimed and self._http is None:
                    self._http = self._connections()
                for claim in claimed:
                    pool.submit(self._deliver, self._http, claim)
                if not claimed:
                    self._woken.wait(self._idle_wait())
        finally:
            events.stop_listening(self.wake)
            pool.shutdown(wait=True, cancel_futures=True)
            try:
                self._record_finished()
            except SQLAlchemyError:
                # Their leases run out: they are posted again after a restart.
                log.warning("webhooks: the last attempts could not be recorded")
            if self._http is not None:
                self._http.clear()

    def _connections(self) -> urllib3.PoolManager:
        import urllib3

        return urllib3.PoolManager(
            num_pools=max(self.settings.concurrency, 10), maxsize=self.settings.per_endpoint
        )

    def _room(self, endpoint_id: int) -> int:
        return self.settings.per_endpoint - self._in_flight.get(endpoint_id, 0)

    def _claim(self) -> list[Claimed]:
        with self._lock:
            free = self.settings.concurrency - sum(self._in_flight.values())
            if free <= 0:
                return []
            with self.sessions() as session:
                claimed = claim_due(session, self._room, limit=free)
            for claim in claimed:
                self._in_flight[claim.endpoint_id] = self._in_flight.get(claim.endpoint_id, 0) + 1
        return claimed

    def _idle_wait(self) -> float:
        with self._lock:
            full = sum(self._in_flight.values()) >= self.settings.concurrency
        if full:
            return POLL_INTERVAL  # a post that ends wakes the sender
        try:
            with self.sessions() as session:
                due = next_due(session)
        except SQLAlchemyError:
            return DATABASE_RETRY
        if due is None:
            return POLL_INTERVAL
        wait = (due - utcnow()).total_seconds()
        if wait <= 0:
            # Due, yet the claim took nothing: its endpoint has all the posts it may
            # have under way. One of them ending wakes the sender.
            return POLL_INTERVAL
        return min(wait, POLL_INTERVAL)

    def _deliver(self, http: urllib3.PoolManager, claim: Claimed) -> None:
        """In a pool thread: post, and leave the outcome for the sender's thread to
        record with the others that ended meanwhile, in one transaction."""
        try:
            attempt = post(http, claim, self.timeout)
        except Exception as error:  # a bug: recorded on the delivery, not lost in a thread
            log.exception("webhook delivery %d: post failed", claim.id)
            attempt = Attempt(error=f"{type(error).__name__}: {error}")
        with self._lock:
            self._finished.append((claim, attempt))
        self.wake()

    def _record_finished(self) -> None:
        with self._lock:
            finished, self._finished = self._finished, []
        if not finished:
            return
        try:
            with self.sessions() as session:
                record_attempts(session, finished, self.settings)
                session.commit()
        except SQLAlchemyError:
            with self._lock:
                self._finished = finished + self._finished
            raise
        with self._lock:
            for claim, _ in finished:
                self._in_flight[claim.endpoint_id] -= 1
                if not self._in_flight[claim.endpoint_id]:
                    del self._in_flight[claim.endpoint_id]
        for claim, attempt in finished:
            if not attempt.succeeded:
                log.info(
                    "webhook delivery %d to %s failed: %s",
                    claim.id,
                    claim.url,
                    attempt.error or f"HTTP {attempt.status_code}",
                )
