"""One check's verdict: what was checked, how it went, and what a person should do."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

OK = "ok"
# Works, but something deserves a look (a SIM that will need its PIN at each start).
WARNING = "warning"
FAIL = "FAIL"


@dataclass(frozen=True)
class Verdict:
    check: str
    level: str
    detail: str
    advice: str = ""

    @property
    def failed(self) -> bool:
        return self.level == FAIL

    def line(self) -> str:
        text = f"{self.level:<7}  {self.check}: {self.detail}"
        return f"{text}\n         -> {self.advice}" if self.advice else text

    def record(self) -> dict[str, Any]:
        return asdict(self)


def ok(check: str, detail: str) -> Verdict:
    return Verdict(check, OK, detail)


def warning(check: str, detail: str, advice: str) -> Verdict:
    return Verdict(check, WARNING, detail, advice)


def fail(check: str, detail: str, advice: str) -> Verdict:
    return Verdict(check, FAIL, detail, advice)
