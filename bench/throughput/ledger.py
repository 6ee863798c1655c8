"""The messages a run sends, what the simulated network got of them, and the figures."""

from __future__ import annotations

import contextlib
import os
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from fault_lab.recording_network import NetworkPart
from throughput.cores import kept_apart

# Seconds to go on watching the network after the last message arrived: a copy
# sent twice shows up within this.
QUIET_AFTER_LAST = 0.5
READY_TIMEOUT = 60.0
POLL = 0.02


@dataclass(frozen=True)
class Outgoing:
    recipient: str  # E.164, as the network decodes it from the PDU
    text: str


def workload(count: int) -> list[Outgoing]:
    """`count` single-part messages, each to a number of its own. Plain ASCII: one
    GSM-7 part, and gammu-smsd's files backend takes a .txt outbox file as it is."""
    return [
        Outgoing(f"+336{number:08d}", f"Message {number:05d} du banc d'essai : rendez-vous a 9 h.")
        for number in range(count)
    ]


# Sent and waited for before the measured messages: the daemon is then connected,
# set up and past its first send.
WARM_UP = Outgoing("+33799999999", "Premier message, avant la mesure.")


@dataclass(frozen=True)
class Tally:
    missing: int
    twice: int  # copies beyond the first of a message that was queued
    unexpected: int  # messages nobody queued

    @property
    def exactly_once(self) -> bool:
        return not (self.missing or self.twice or self.unexpected)

    def describe(self) -> str:
        if self.exactly_once:
            return "each reached the network exactly once"
        return (
            f"NOT exactly once: {self.missing} missing, {self.twice} sent twice, "
            f"{self.unexpected} unexpected"
        )


def tally(expected: Sequence[Outgoing], parts: Sequence[NetworkPart]) -> Tally:
    wanted = Counter((message.recipient, message.text) for message in expected)
    got = Counter((part.recipient, part.text) for part in parts)
    beyond = got - wanted
    return Tally(
        missing=sum((wanted - got).values()),
        twice=sum(count for key, count in beyond.items() if key in wanted),
        unexpected=sum(count for key, count in beyond.items() if key not in wanted),
    )


@dataclass(frozen=True)
class LegResult:
    name: str
    messages: int
    seconds: float  # from the messages being queued to the last reaching the network
    cpu_seconds: float  # the daemon's, meanwhile (user and system, all its threads)
    simulator_cpu_seconds: float  # this process's, meanwhile: the modems and their network
    peak_rss_kib: int
    tally: Tally
    # The messages the sender counts sent once the last reached the network and it had
    # QUIET_AFTER_LAST to write it down (smsbox's database, gammu-smsd's sent folder).
    recorded_sent: int
    cores: str | None = None  # where the daemon and the simulators ran (`kept_apart`)

    @property
    def rate(self) -> float:
        return self.messages / self.seconds

    def describe(self) -> str:
        return (
            f"{self.name:<11} {self.messages:>5} messages in {self.seconds:7.2f} s: "
            f"{self.rate:8.2f} messages/s, {self.tally.describe()}, "
            f"{self.recorded_sent} recorded sent; "
            f"CPU: daemon {self.cpu_seconds:.1f} s, simulator {self.simulator_cpu_seconds:.1f} s; "
            f"daemon peak RSS {self.peak_rss_kib / 1024:.1f} MiB"
            f"; {self.cores or 'the daemon and the simulated modems on shared cores'}"
        )


class Leg(Protocol):
    """A sender under test: started with a first message, then handed the rest at once."""

    name: str

    def start(self, first: Outgoing) -> None: ...
    def queue(self, messages: Sequence[Outgoing]) -> None: ...
    def parts(self) -> list[NetworkPart]: ...
    def recorded_sent(self) -> int: ...
    def pid(self) -> int: ...


def measure(
    leg: Leg, messages: Sequence[Outgoing], timeout: float, *, shared_cores: bool = False
) -> LegResult:
    """Start the leg, wait for its first message, queue `messages` at once and time
    them to the network; the daemon's peak memory is read before it stops. The
    daemon and the simulated modems run on cores apart (`kept_apart`) unless
    `shared_cores`."""
    leg.start(WARM_UP)
    wait_for_parts(leg, 1, READY_TIMEOUT)
    placement = contextlib.nullcontext(None) if shared_cores else kept_apart(leg.pid())
    with placement as cores:
        leg.queue(messages)
        queued_at, cpu_before = time.time(), cpu_seconds(leg.pid())
        own_before = time.process_time()
        wait_for_parts(leg, 1 + len(messages), timeout)
        cpu_after, own_after = cpu_seconds(leg.pid()), time.process_time()
    time.sleep(QUIET_AFTER_LAST)
    parts = leg.parts()
    return LegResult(
        leg.name,
        len(messages),
        max(part.at for part in parts) - queued_at,
        cpu_after - cpu_before,
        own_after - own_before,
        peak_rss_kib(leg.pid()),
        tally([WARM_UP, *messages], parts),
        leg.recorded_sent(),
        cores,
    )


def wait_for_parts(leg: Leg, count: int, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while len(leg.parts()) < count:
        if time.monotonic() > deadline:
            raise TimeoutError(
                f"{leg.name}: {len(leg.parts())} of {count} messages reached the network "
                f"in {timeout:g} s"
            )
        time.sleep(POLL)


def cpu_seconds(pid: int) -> float:
    """User and system time the process has had so far (proc(5): stat fields 14, 15)."""
    stat = Path(f"/proc/{pid}/stat").read_text(encoding="ascii")
    # The command name (field 2) is in parentheses and may hold spaces.
    fields = stat[stat.rindex(")") + 2 :].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def peak_rss_kib(pid: int) -> int:
    """The process's resident set at its largest so far (VmHWM), in KiB."""
    for line in Path(f"/proc/{pid}/status").read_text(encoding="ascii").splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    raise RuntimeError(f"no VmHWM in /proc/{pid}/status")
