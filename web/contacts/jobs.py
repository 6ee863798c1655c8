"""Imports committed from the web page, run in a thread of the web process so that
the page can show their progress; the report stays here for the page to show.

One web process serves the UI (waitress, several threads), so the jobs live in its
memory; a job finished over `KEPT_FOR` seconds ago is forgotten.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy.orm import Session, sessionmaker

from smsbox.activity import Actor
from smsbox.contacts.importing import ImportOptions, ImportReport, import_contacts, record_import
from smsbox.contacts.uploads import KEPT_FOR, discard_upload
from smsbox.refusals import Refusal

log = logging.getLogger(__name__)


@dataclass
class ImportJob:
    token: str
    file_name: str
    done: int = 0
    total: int = 0
    report: ImportReport | None = None
    refusal: Refusal | None = None
    failed: bool = False
    finished_at: float | None = None
    thread: threading.Thread | None = field(default=None, repr=False)

    @property
    def finished(self) -> bool:
        return self.finished_at is not None

    def advance(self, done: int, total: int) -> None:
        self.done, self.total = done, total


class ImportJobs:
    def __init__(self, sessions: sessionmaker[Session]):
        self.sessions = sessions
        self._jobs: dict[str, ImportJob] = {}
        self._lock = threading.Lock()

    def get(self, token: str) -> ImportJob | None:
        with self._lock:
            return self._jobs.get(token)

    def start(
        self, token: str, path: Path, uploads: Path, options: ImportOptions, actor: Actor
    ) -> ImportJob:
        job = ImportJob(token, path.name, total=path.stat().st_size)
        with self._lock:
            self._forget_finished()
            self._jobs[token] = job
        job.thread = threading.Thread(
            target=self._run,
            args=(job, path, uploads, options, actor),
            name=f"contact-import-{token[:8]}",
            daemon=True,
        )
        job.thread.start()
        return job

    def _run(
        self, job: ImportJob, path: Path, uploads: Path, options: ImportOptions, actor: Actor
    ) -> None:
        try:
            with self.sessions() as session:
                try:
                    report = import_contacts(session, path, options, job.advance)
                    record_import(session, actor, report)
                    session.commit()
                    job.report = report
                except Refusal as refusal:
                    session.rollback()
                    job.refusal = refusal
        except Exception:
            log.exception("the import of %s failed", path.name)
            job.failed = True
        finally:
            discard_upload(uploads, job.token)
            job.finished_at = time.monotonic()

    def _forget_finished(self) -> None:
        oldest = time.monotonic() - KEPT_FOR
        for token, job in list(self._jobs.items()):
            if job.finished_at is not None and job.finished_at < oldest:
                del self._jobs[token]
