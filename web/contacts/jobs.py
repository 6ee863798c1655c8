"""Imports committed from the web page, run in a thread of the web process that took
the request, so that the page can show their progress and then their report.

With `[web] processes` above one, the next request about an import may reach
another process: each job's state is a file in the data directory (beside the
uploaded files, which the web processes of one host share), rewritten as the import
reads the file and when it ends. A job whose process is gone before its end is
shown as stopped. A finished job's file is forgotten after `KEPT_FOR` seconds.
"""

from __future__ import annotations

import json
import logging
import os
import re
import threading
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

from sqlalchemy.orm import Session, sessionmaker

from smsbox.activity import Actor
from smsbox.contacts.importing import ImportOptions, ImportReport, import_contacts, record_import
from smsbox.contacts.lines import Rejected
from smsbox.contacts.uploads import KEPT_FOR, discard_upload
from smsbox.refusals import Refusal

log = logging.getLogger(__name__)

_TOKEN = re.compile(r"[A-Za-z0-9_-]{32}")
# Seconds between two writes of the progress: a large file reports it hundreds of times.
PROGRESS_EVERY = 0.2


def import_jobs_directory(data_dir: Path) -> Path:
    return data_dir / "contact-imports"


@dataclass
class ImportSummary:
    """What the page shows of a finished import's report."""

    unit: str
    added: int
    updated: int
    unchanged: int
    joined_group: int
    group: str | None
    rejected: list[Rejected] = field(default_factory=list)

    @classmethod
    def of(cls, report: ImportReport) -> ImportSummary:
        return cls(
            report.unit,
            report.added,
            report.updated,
            report.unchanged,
            report.joined_group,
            report.group,
            report.rejected,
        )


@dataclass
class ImportJob:
    token: str
    file_name: str
    pid: int
    done: int = 0
    total: int = 0
    report: ImportSummary | None = None
    refusal: Refusal | None = None
    failed: bool = False
    finished: bool = False

    @property
    def stopped(self) -> bool:
        """Its process ended before the import did (a restart, a crash)."""
        return not self.finished and not _is_running(self.pid)


class ImportJobs:
    def __init__(self, sessions: sessionmaker[Session], directory: Path):
        self.sessions = sessions
        self.directory = directory

    def get(self, token: str) -> ImportJob | None:
        if not _TOKEN.fullmatch(token):
            return None
        try:
            state = json.loads(self._path(token).read_text(encoding="utf-8"))
        except FileNotFoundError:
            return None
        return _job_from_state(token, state)

    def start(
        self, token: str, path: Path, uploads: Path, options: ImportOptions, actor: Actor
    ) -> ImportJob:
        self.directory.mkdir(mode=0o700, parents=True, exist_ok=True)
        self._forget_finished()
        job = ImportJob(token, path.name, os.getpid(), total=path.stat().st_size)
        self._save(job)
        threading.Thread(
            target=self._run,
            args=(job, path, uploads, options, actor),
            name=f"contact-import-{token[:8]}",
            daemon=True,
        ).start()
        return job

    def _run(
        self, job: ImportJob, path: Path, uploads: Path, options: ImportOptions, actor: Actor
    ) -> None:
        try:
            with self.sessions() as session:
                try:
                    report = import_contacts(session, path, options, self._progress(job))
                    record_import(session, actor, report)
                    session.commit()
                    job.report = ImportSummary.of(report)
                except Refusal as refusal:
                    session.rollback()
                    job.refusal = refusal
        except Exception:
            log.exception("the import of %s failed", path.name)
            job.failed = True
        finally:
            discard_upload(uploads, job.token)
            job.finished = True
            self._save(job)

    def _progress(self, job: ImportJob):  # type: ignore[no-untyped-def]
        saved_at = -PROGRESS_EVERY  # the first step is written at once

        def advance(done: int, total: int) -> None:
            nonlocal saved_at
            job.done, job.total = done, total
            if time.monotonic() - saved_at >= PROGRESS_EVERY:
                self._save(job)
                saved_at = time.monotonic()

        return advance

    def _save(self, job: ImportJob) -> None:
        """Written aside, then renamed: a reader sees the old state or the new one."""
        state = {
            "file_name": job.file_name,
            "pid": job.pid,
            "done": job.done,
            "total": job.total,
            "finished": job.finished,
            "failed": job.failed,
            "report": asdict(job.report) if job.report else None,
            "refusal": (
                {"template": job.refusal.template, "values": job.refusal.values}
                if job.refusal
                else None
            ),
        }
        written = self._path(job.token).with_suffix(".tmp")
        written.write_text(json.dumps(state, default=str), encoding="utf-8")
        written.replace(self._path(job.token))

    def _path(self, token: str) -> Path:
        return self.directory / f"{token}.json"

    def _forget_finished(self) -> None:
        oldest = time.time() - KEPT_FOR
        for path in self.directory.glob("*.json"):
            try:
                if path.stat().st_mtime < oldest:
                    path.unlink()
            except FileNotFoundError:  # another process's sweep took it first
                pass


def _job_from_state(token: str, state: dict) -> ImportJob:
    report = state["report"]
    refusal = state["refusal"]
    return ImportJob(
        token,
        state["file_name"],
        state["pid"],
        done=state["done"],
        total=state["total"],
        report=(
            ImportSummary(
                **{name: value for name, value in report.items() if name != "rejected"},
                rejected=[Rejected(**rejected) for rejected in report["rejected"]],
            )
            if report
            else None
        ),
        refusal=_refusal(**refusal) if refusal else None,
        failed=state["failed"],
        finished=state["finished"],
    )


def _refusal(template: str, values: dict[str, object]) -> Refusal:
    return Refusal(template, **values)


def _is_running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # alive, another user's
        return True
    return True
