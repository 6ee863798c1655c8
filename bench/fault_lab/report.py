"""The results as a plain-text table (one row per scenario, then the details)."""

from __future__ import annotations

import math

from fault_lab.ledger import RESUME_TARGET, ScenarioResult

COLUMNS = (
    ("scenario", 18),
    ("lost", 5),
    ("twice", 6),
    ("parts unsent", 13),
    ("interrupted", 12),
    ("resume s", 9),
    ("freeze", 7),
    ("targets", 8),
)


def header() -> str:
    titles = "  ".join(title.ljust(width) for title, width in COLUMNS).rstrip()
    return f"{titles}\n{'-' * len(titles)}"


def _resume(result: ScenarioResult) -> str:
    resume = result.resume_seconds
    if resume is None:
        return "-"
    return "never" if math.isinf(resume) else f"{resume:.1f}"


def row(result: ScenarioResult) -> str:
    cells = (
        result.name,
        str(result.lost),
        str(result.sent_twice),
        str(result.parts_unsent),
        str(result.interrupted),
        _resume(result),
        "yes" if result.froze else "no",
        "met" if result.targets_met else "MISSED",
    )
    return "  ".join(cell.ljust(width) for cell, (_, width) in zip(cells, COLUMNS, strict=True))


def details(result: ScenarioResult) -> list[str]:
    lines = [f"{result.name} ({result.seconds:.0f} s):"]
    lines += [f"  MISSED: {failure}" for failure in result.failed_checks]
    lines += [f"  {note}" for note in result.notes]
    if result.workdir:
        lines.append(f"  kept in {result.workdir}: modem transcripts modem*.log, daemon.log")
    return lines


def summary(results: list[ScenarioResult]) -> str:
    missed = [result.name for result in results if not result.targets_met]
    if not missed:
        return "every target met"
    verdict = [f"targets missed in {len(missed)} of {len(results)}: {', '.join(missed)}"]
    targets = f"0 lost, 0 twice, 0 parts unsent, resume <= {RESUME_TARGET:g} s, no freeze"
    return "; ".join(verdict) + f" (targets: {targets})"
