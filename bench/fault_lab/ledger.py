"""What happened to each message, from the network's records and the database.

A queued message is matched to the network's parts by its recipient: each
message of a scenario goes to a number of its own, so that a part handed over
twice, or a message of which only some parts went out, is seen part by part.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from fault_lab.recording_network import NetworkPart
from smsbox.models import Status

# States a person sees with a reason: the message is not silently gone.
VISIBLE_FINAL = {Status.FAILED, Status.EXPIRED, Status.BLOCKED, Status.INTERRUPTED}
DONE = {Status.SENT, Status.DELIVERED}
RESUME_TARGET = 10.0
SHOWN_TAGS = 6


@dataclass(frozen=True)
class QueuedMessage:
    id: int
    tag: str
    number: str  # E.164, as the daemon sends it and the network reports it
    body: str
    parts: int


@dataclass(frozen=True)
class OutboundState:
    status: str
    error: str | None


@dataclass
class ScenarioResult:
    name: str
    lost: int = 0
    sent_twice: int = 0
    parts_unsent: int = 0
    interrupted: int = 0
    # One sample per fault that ended with work waiting: seconds until the next
    # message reached the network or was stored, None if none ever did.
    resume_samples: list[float | None] = field(default_factory=list)
    froze: bool = False
    failed_checks: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    workdir: Path | None = None
    seconds: float = 0.0

    @property
    def resume_seconds(self) -> float | None:
        """The worst sample; math.inf when traffic never resumed, None if not measured."""
        if not self.resume_samples:
            return None
        return max(math.inf if sample is None else sample for sample in self.resume_samples)

    @property
    def targets_met(self) -> bool:
        resume = self.resume_seconds
        return (
            self.lost == 0
            and self.sent_twice == 0
            and self.parts_unsent == 0
            and (resume is None or resume <= RESUME_TARGET)
            and not self.froze
            and not self.failed_checks
        )

    def as_dict(self) -> dict:
        resume = self.resume_seconds
        return {
            "scenario": self.name,
            "targets_met": self.targets_met,
            "lost": self.lost,
            "sent_twice": self.sent_twice,
            "parts_unsent": self.parts_unsent,
            "interrupted": self.interrupted,
            "resume_seconds": None if resume is None or math.isinf(resume) else round(resume, 2),
            "resumed": resume is None or not math.isinf(resume),
            "froze": self.froze,
            "failed_checks": self.failed_checks,
            "notes": self.notes,
            "workdir": str(self.workdir) if self.workdir else None,
            "seconds": round(self.seconds, 1),
        }


def _tags(messages: list[QueuedMessage]) -> str:
    shown = ", ".join(message.tag for message in messages[:SHOWN_TAGS])
    return shown + (f" (+{len(messages) - SHOWN_TAGS})" if len(messages) > SHOWN_TAGS else "")


def tally_outbound(
    result: ScenarioResult,
    queued: list[QueuedMessage],
    network_parts: list[NetworkPart],
    states: dict[int, OutboundState],
) -> None:
    """Add the outbound figures to `result`, naming the messages behind each."""
    seen: dict[str, Counter[int]] = defaultdict(Counter)
    for part in network_parts:
        seen[part.recipient][part.part_number] += 1
    lost, twice, partial, interrupted, pending, misreported = [], [], [], [], [], []
    for message in queued:
        counts = seen.get(message.number, Counter())
        state = states[message.id]
        arrived = sum(1 for number in range(1, message.parts + 1) if counts[number])
        if any(count > 1 for count in counts.values()):
            twice.append(message)
        if state.status == Status.INTERRUPTED:
            interrupted.append(message)
        elif arrived == message.parts:
            if state.status not in DONE:
                misreported.append(message)
        elif arrived:
            partial.append(message)
        elif state.status not in VISIBLE_FINAL or not state.error:
            lost.append(message)
        if state.status in (Status.QUEUED, Status.SENDING):
            pending.append(message)
    result.lost += len(lost)
    result.sent_twice += len(twice)
    result.parts_unsent += len(partial)
    result.interrupted += len(interrupted)
    for label, messages in (
        ("lost", lost),
        ("sent twice", twice),
        ("parts unsent", partial),
        ("interrupted", interrupted),
        ("still queued or sending at the end", pending),
        ("on the network but not marked sent", misreported),
    ):
        if messages:
            result.notes.append(f"{label}: {_tags(messages)}")
    failed = Counter(
        state.error or "no reason"
        for message in queued
        if (state := states[message.id]).status == Status.FAILED
    )
    for reason, count in failed.most_common(3):
        result.notes.append(f"{count} failed: {reason}")


def tally_inbound(result: ScenarioResult, delivered: Counter[str], stored: Counter[str]) -> None:
    """Texts the network delivered against texts stored in the inbox."""
    missing = sum(max(count - stored[text], 0) for text, count in delivered.items())
    extra = sum(max(stored[text] - count, 0) for text, count in delivered.items())
    result.lost += missing
    result.sent_twice += extra
    if missing:
        result.notes.append(f"inbound: {missing} of {sum(delivered.values())} not stored")
    if extra:
        result.notes.append(f"inbound: {extra} stored twice")


def resume_sample(fault_end: float, traffic: list[float]) -> float | None:
    """Seconds from a fault's end to the first traffic after it; None if none came.
    Traffic at the very moment the fault ends (the slow submission's own answer) is
    the fault ending, not traffic resuming."""
    after = [moment for moment in traffic if moment > fault_end]
    return min(after) - fault_end if after else None
