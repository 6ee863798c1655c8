"""Several hosts on one PostgreSQL database: throughput, a host killed, the claim rate.

    .venv/bin/python bench/scale_out.py [--daemons 8] [--modems 8] [--messages K]
        [--send-delay 2] [--lease-seconds 10] [--database-url URL] [--keep]
    .venv/bin/python bench/scale_out.py claims [--processes 8] [--messages 20000] [--batch 1]
        [--history 0]

The server is --database-url, else $SMSBOX_TEST_DATABASE_URL (a URL of any database
on it: the bench creates a database of its own there and drops it at the end).

Default mode, two phases, each on N daemons (`smsbox daemon` processes, each a
"host": its own directory, config and host name) of M simulated modems taking
--send-delay seconds a submission:
  throughput: K messages queued at once, timed from queued to the last on the
    simulated networks, against the ideal N x M x 60/delay a minute;
  kill: K more queued, one daemon SIGKILLed once a third of them are on the
    networks, started again at once (it takes its modems back when their leases
    expire); every message must reach the networks exactly once or end
    `interrupted`.
claims: --processes processes claim --messages queued messages with
  `smsbox.sending.claim`, --batch at a time (16: as a daemon's workers do while the queue is long),
  no modem behind (bench/hosts/claims.py), behind --history messages already sent; then one
  process claims 500 more alone, each claim timed, its statements counted.

Exit status 1 if a message was lost, failed or sent twice.
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
import time

from hosts.claims import measure_claims, measure_single_claim
from hosts.cluster import Cluster
from throughput.ledger import Outgoing, cpu_seconds

KILLED_HOST = 0
# Messages a phase queues by default: 16 a modem, 32 s of the ideal, where a run of 4
# a modem (8 s) is mostly its start (bench/HISTORY.md, "the next claim while the modem sends").
MESSAGES_PER_MODEM = 16


def workload(count: int, phase: str) -> list[Outgoing]:
    """`count` single-part messages, each to a number of its own."""
    offset = {"throughput": 0, "kill": 50_000_000}[phase]
    return [
        Outgoing(f"+336{offset + number:08d}", f"{phase} {number:05d}: rendez-vous a 9 h.")
        for number in range(count)
    ]


def throughput(cluster: Cluster, count: int) -> bool:
    ideal = cluster.daemons * cluster.modems / cluster.send_delay
    messages = workload(count, "throughput")
    before = cluster.part_count()
    daemons_cpu, own_cpu = cluster_cpu(cluster), time.process_time()
    cluster.queue(messages)
    queued_at = time.time()
    timeout = 20 * count / ideal + 300  # a loaded machine is far from the ideal
    if not cluster.wait_for(lambda: cluster.part_count() >= before + count, timeout):
        print(f"throughput: not all on the networks after {timeout:.0f} s")
    daemons_cpu, own_cpu = cluster_cpu(cluster) - daemons_cpu, time.process_time() - own_cpu
    cluster.settle(60)
    parts = [part for part in cluster.parts() if part.text.startswith("throughput")]
    seconds = max(part.at for part in parts) - queued_at
    rate = len(parts) / seconds
    result = cluster.outcome(messages)
    print(
        f"throughput: {len(parts)} messages in {seconds:.1f} s = {rate:.2f} messages/s "
        f"({rate * 60:.0f}/min); ideal {cluster.daemons} x {cluster.modems} x "
        f"{60 / cluster.send_delay:g}/min = {ideal * 60:.0f}/min; "
        f"reached {100 * rate / ideal:.1f} %"
    )
    print(
        f"throughput: CPU meanwhile: daemons {daemons_cpu:.1f} s "
        f"({1000 * daemons_cpu / count:.1f} ms a message), this process (queueing, "
        f"the simulated modems) {own_cpu:.1f} s"
    )
    print(f"throughput: {result.describe()}")
    return result.correct


def cluster_cpu(cluster: Cluster) -> float:
    """The daemons' user and system time so far."""
    return sum(cpu_seconds(pid) for host in cluster.hosts if (pid := host.daemon.pid) is not None)


def kill_one(cluster: Cluster, count: int) -> bool:
    messages = workload(count, "kill")
    before = cluster.part_count()
    cluster.queue(messages)
    cluster.wait_for(lambda: cluster.part_count() >= before + count // 3, 600)
    cluster.kill9(KILLED_HOST)
    killed_at = time.monotonic()
    cluster.restart(KILLED_HOST)
    settled = cluster.settle(4 * count * cluster.send_delay / cluster.modems + 120)
    result = cluster.outcome(messages)
    print(
        f"kill: host{KILLED_HOST} SIGKILLed after {count // 3} messages and restarted; "
        f"settled {'in' if settled else 'NOT in'} {time.monotonic() - killed_at:.1f} s"
    )
    print(f"kill: {result.describe()}")
    return settled and result.correct


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("mode", nargs="?", choices=("hosts", "claims"), default="hosts")
    parser.add_argument("--database-url", default=os.environ.get("SMSBOX_TEST_DATABASE_URL"))
    parser.add_argument("--daemons", type=int, default=8)
    parser.add_argument("--modems", type=int, default=8, help="per daemon")
    parser.add_argument(
        "--messages", type=int, help="per phase (default: 16 per modem; claims 20000)"
    )
    parser.add_argument("--send-delay", type=float, default=2.0, help="s a submission")
    parser.add_argument("--lease-seconds", type=int, default=10)
    parser.add_argument("--processes", type=int, default=8, help="claims: processes claiming")
    parser.add_argument("--batch", type=int, default=1, help="claims: messages a claim")
    parser.add_argument(
        "--history", type=int, default=0, help="claims: messages sent before the queue"
    )
    parser.add_argument("--keep", action="store_true", help="keep the hosts' directories")
    args = parser.parse_args(argv)
    # SIGTERM stops the bench as Ctrl-C does: the daemons, modems and database go too.
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    if not args.database_url:
        sys.exit("no PostgreSQL server: --database-url URL or SMSBOX_TEST_DATABASE_URL")
    if args.mode == "claims":
        with Cluster(args.database_url, daemons=0, modems=0, send_delay=0) as cluster:
            rate = measure_claims(
                cluster.database_url,
                args.processes,
                args.messages or 20_000,
                args.batch,
                args.history,
            )
            print(f"claims: {rate.describe()}")
            print(f"claims: {measure_single_claim(cluster.database_url).describe()}")
        return 0 if rate.twice == 0 else 1
    messages = args.messages or MESSAGES_PER_MODEM * args.daemons * args.modems
    with Cluster(
        args.database_url,
        daemons=args.daemons,
        modems=args.modems,
        send_delay=args.send_delay,
        lease_seconds=args.lease_seconds,
        keep=args.keep,
    ) as cluster:
        started = time.monotonic()
        cluster.start()
        print(
            f"{args.daemons} daemons x {args.modems} modems ready in "
            f"{time.monotonic() - started:.1f} s"
        )
        correct = throughput(cluster, messages)
        correct = kill_one(cluster, messages) and correct
    for note in cluster.notes:
        print(note)
    return 0 if correct else 1


if __name__ == "__main__":
    sys.exit(main())
