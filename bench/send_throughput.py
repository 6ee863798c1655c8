"""How many SMS a second smsbox's daemon sends, beside Debian's gammu-smsd and the ideal.

    .venv/bin/python bench/send_throughput.py [versus] [--messages 1000] [--gammu-messages 50]
    .venv/bin/python bench/send_throughput.py modems [--modems 16] [--send-delay 2] [--messages N]
    .venv/bin/python bench/send_throughput.py line [--baud 115200] [--messages 1000]

versus: the same single-part messages through the real `smsbox daemon` and through
gammu-smsd (files backend, every check off), each on a simulated modem with no
send delay. gammu-smsd sends about one message a second (fixed sleeps in
libgammu's sender), so it sends its own, smaller count: rates are compared.
modems: one daemon serving `--modems` simulated modems, each taking `--send-delay`
seconds a submission, against the ideal (modems / delay messages a second).
line: the simulator paced as a serial line at `--baud`, against that line's bound
(baud / 10 bytes a second over the bytes one AT+CMGS exchange moves).

Each leg waits for a first message, queues the rest at once, and times them from
queued to the last on the simulated network, which must get each exactly once.
Peak memory: VmHWM of the daemon's process. Exit status 1 if a message was lost
or sent twice. The simulated modems run on a core of their own and the daemon on
the others, as a modem has a processor of its own (`throughput.cores`), unless
`--shared-cores`.
"""

from __future__ import annotations

import argparse
import sys

from throughput.gammu_leg import GammuLeg, gammu_smsd_installed
from throughput.ledger import LegResult, measure, workload
from throughput.line_bound import bytes_per_send, line_bound
from throughput.smsbox_leg import SmsboxLeg

DEFAULT_MESSAGES = {"versus": 1000, "modems": 320, "line": 1000}


def timeout_for(messages: int, rate: float) -> float:
    """Generous: four times what `messages` take at `rate`, and a minute."""
    return 4 * messages / rate + 60


def versus(messages: int, gammu_messages: int, shared_cores: bool) -> list[LegResult]:
    with SmsboxLeg() as leg:
        ours = measure(
            leg, workload(messages), timeout_for(messages, 20), shared_cores=shared_cores
        )
    print(ours.describe(), flush=True)
    if not gammu_messages:
        return [ours]
    if not gammu_smsd_installed():
        sys.exit("gammu-smsd is not installed (apt-get install gammu-smsd), or --gammu-messages 0")
    with GammuLeg() as leg:
        theirs = measure(
            leg,
            workload(gammu_messages),
            timeout_for(gammu_messages, 0.5),
            shared_cores=shared_cores,
        )
    print(theirs.describe())
    if gammu_messages != messages:
        print(
            f"(gammu-smsd sent the first {gammu_messages} of the messages, not {messages}: "
            f"at its rate, {messages} would take {messages / theirs.rate / 60:.1f} minutes)"
        )
    print(f"smsbox / gammu-smsd: {ours.rate / theirs.rate:.0f} times the rate")
    return [ours, theirs]


def modems(
    messages: int, modem_count: int, send_delay: float, shared_cores: bool
) -> list[LegResult]:
    ideal = modem_count / send_delay
    with SmsboxLeg(modem_count, send_delay=send_delay) as leg:
        result = measure(
            leg, workload(messages), timeout_for(messages, ideal / 2), shared_cores=shared_cores
        )
        spread = leg.spread()
    print(result.describe())
    print(
        f"ideal: {modem_count} modems x {60 / send_delay:g} a minute = {ideal:.2f} messages/s; "
        f"reached {100 * result.rate / ideal:.1f} %"
    )
    # The first message, sent before the measure, is counted on its modem too.
    print(f"messages per modem: {min(spread)} to {max(spread)}")
    return [result]


def line(messages: int, baud: int, shared_cores: bool) -> list[LegResult]:
    with SmsboxLeg(baud=baud) as leg:
        result = measure(
            leg, workload(messages), timeout_for(messages, 10), shared_cores=shared_cores
        )
        send_bytes = bytes_per_send(leg.transcript)
    bound = line_bound(baud, send_bytes)
    print(result.describe())
    print(
        f"line bound at {baud} baud: {baud // 10} bytes/s / {send_bytes:g} bytes a send "
        f"(AT+CMGS to OK, both ways) = {bound:.1f} messages/s; "
        f"reached {100 * result.rate / bound:.1f} %"
    )
    return [result]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("mode", nargs="?", choices=DEFAULT_MESSAGES, default="versus")
    parser.add_argument("--messages", type=int, help="default: 1000, or 320 with modems")
    parser.add_argument(
        "--gammu-messages", type=int, default=50, help="versus: gammu-smsd's count (0: none)"
    )
    parser.add_argument("--modems", type=int, default=16)
    parser.add_argument("--send-delay", type=float, default=2.0, help="modems: s a submission")
    parser.add_argument("--baud", type=int, default=115200)
    parser.add_argument(
        "--shared-cores",
        action="store_true",
        help="leave the daemon and the simulated modems on the same cores",
    )
    args = parser.parse_args(argv)
    messages = args.messages or DEFAULT_MESSAGES[args.mode]
    if args.mode == "versus":
        results = versus(messages, args.gammu_messages, args.shared_cores)
    elif args.mode == "modems":
        results = modems(messages, args.modems, args.send_delay, args.shared_cores)
    else:
        results = line(messages, args.baud, args.shared_cores)
    return 0 if all(result.tally.exactly_once for result in results) else 1


if __name__ == "__main__":
    sys.exit(main())
