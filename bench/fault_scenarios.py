"""Replay of issue 11: the real daemon against a misbehaving simulated modem.

    .venv/bin/python bench/fault_scenarios.py [--scenario NAME ...] [--scale 0.1] [--json]

Each scenario gets a fresh data directory (SQLite), a simulated modem on a pty
(its transcript kept beside the database) and the real `smsbox daemon` in a
child process, so that a daemon that freezes is seen and `kill -9` is real.
Every message has a text and a recipient of its own: what the network received,
part by part, against what the database says, tells for each message whether it
was lost, sent twice, left with parts unsent or marked interrupted.

Targets: 0 lost, 0 sent twice, 0 parts unsent, traffic back within 10 s of a
fault's end, no freeze; exit status 0 only when every scenario meets them.
A scenario that misses one keeps its directory and prints where it is.
`--scale` shrinks message and fault counts for a quick run (the slow and db-lock
faults keep their length: they only mean something past the daemon's timeouts).
"""

from __future__ import annotations

import argparse
import json
import sys

from fault_lab import report
from fault_lab.registry import SCENARIOS, run_scenario


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--scenario",
        action="extend",
        nargs="+",
        choices=list(SCENARIOS),
        metavar="NAME",
        help="run these (repeatable; default: all, in this order: %(choices)s)",
    )
    parser.add_argument(
        "--scale", type=float, default=1.0, help="multiply message and fault counts (0.1: quick)"
    )
    parser.add_argument("--json", action="store_true", help="print the results as JSON")
    args = parser.parse_args(argv)
    if not args.scale > 0:
        parser.error("--scale must be positive")
    # With --json, stdout carries only the JSON; the rows go to stderr as they come.
    table = sys.stderr if args.json else sys.stdout
    print(report.header(), file=table, flush=True)
    results = []
    for name in args.scenario or list(SCENARIOS):
        print(f"{name}: {SCENARIOS[name].summary}", file=sys.stderr, flush=True)
        result = run_scenario(name, args.scale)
        results.append(result)
        print(report.row(result), file=table, flush=True)
    print(file=table)
    for result in results:
        for line in report.details(result):
            print(line, file=table)
    print(report.summary(results), file=table)
    if args.json:
        print(json.dumps([result.as_dict() for result in results], indent=2))
    return 0 if all(result.targets_met for result in results) else 1


if __name__ == "__main__":
    sys.exit(main())
