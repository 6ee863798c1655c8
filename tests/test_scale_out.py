"""Three hosts on one PostgreSQL database, two simulated modems each, the real `smsbox
daemon` in three child processes: one is SIGKILLed mid-run and started again, and
every message still reaches the networks exactly once or ends interrupted."""

from __future__ import annotations

import pytest
from databases import ON_POSTGRESQL, SERVER_URL
from hosts.cluster import Cluster, outcome
from throughput.ledger import Outgoing

from fault_lab.recording_network import NetworkPart
from smsbox import leases
from smsbox.models import Status

DAEMONS, MODEMS, PER_MODEM = 3, 2, 5
# Long enough that the kill finds messages in flight, short enough for the suite.
SEND_DELAY = 0.5
LEASE_SECONDS = 3


def messages(count: int) -> list[Outgoing]:
    return [Outgoing(f"+3361{number:07d}", f"scale {number}") for number in range(count)]


def lease_hosts(cluster: Cluster) -> dict[str, str]:
    with cluster.sessions() as session:
        return {name: holder.host for name, holder in leases.holders(session).items()}


@pytest.mark.skipif(not ON_POSTGRESQL, reason="several hosts share a PostgreSQL database")
def test_three_hosts_send_each_message_once_while_one_is_killed_and_restarted():
    queued = messages(DAEMONS * MODEMS * PER_MODEM)
    with Cluster(
        SERVER_URL,
        daemons=DAEMONS,
        modems=MODEMS,
        send_delay=SEND_DELAY,
        lease_seconds=LEASE_SECONDS,
    ) as cluster:
        cluster.start()
        expected = {f"h{d}m{m}": f"host{d}" for d in range(DAEMONS) for m in range(MODEMS)}
        assert lease_hosts(cluster) == expected

        cluster.queue(queued)
        assert cluster.wait_for(lambda: cluster.part_count() >= len(queued) // 4, 60)
        cluster.kill9(0)
        cluster.restart(0)
        assert cluster.settle(60)

        result = cluster.outcome(queued)
        assert result.correct, result.describe()
        assert result.exactly_once + result.interrupted == len(queued)
        # The restarted host took its modems back once the old leases expired.
        assert cluster.wait_for(lambda: lease_hosts(cluster) == expected, 30)
        assert all(host.daemon.alive for host in cluster.hosts)


def test_it_counts_a_message_sent_twice_lost_or_unsettled_and_accepts_one_interrupted():
    queued = messages(5)
    on_networks = [queued[0], queued[1], queued[1], queued[2]]
    parts = [_part(message) for message in on_networks]
    statuses = {
        queued[0].recipient: Status.SENT,
        queued[1].recipient: Status.SENT,
        queued[2].recipient: Status.INTERRUPTED,
        queued[3].recipient: Status.SENT,
        queued[4].recipient: Status.QUEUED,
    }
    result = outcome(queued, parts, statuses)
    assert (result.exactly_once, result.twice, result.interrupted) == (1, 1, 1)
    assert (result.lost, result.unsettled) == (1, 1)
    assert not result.correct


def _part(message: Outgoing) -> NetworkPart:
    return NetworkPart(message.recipient, 1, 1, message.text, 0.0)
