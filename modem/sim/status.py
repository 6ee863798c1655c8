"""What a simulated modem is doing, as one dict (`smsbox sim status`)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from modem.sim.runner import SimulatedModem


def describe(sim: SimulatedModem) -> dict:
    engine, network = sim.engine, sim.network
    settings, faults = engine.settings, engine.faults
    silent_for = max(faults.silent_until - engine.clock(), 0.0)
    return {
        "link": str(sim.link),
        "profile": engine.profile.name,
        "model": f"{engine.profile.manufacturer} {engine.profile.model}",
        "port": "vanished" if sim.vanished_for else "present",
        "baud": sim.baud,
        "sim": engine.sim.state,
        "settings": {
            "echo": settings.echo,
            "cmee": settings.cmee,
            "text_mode": settings.text_mode,
            "charset": settings.charset,
            "cnmi": list(settings.cnmi),
            "storages": list(settings.storages),
        },
        "storages": {
            name: {"used": len(store.messages), "capacity": store.capacity, "limit": store.limit}
            for name, store in engine.stores.items()
        },
        "network": {
            "operator": network.operator,
            "registration": network.registration,
            "signal": network.signal,
            "waiting": sim.waiting,
            "submitted": len(network.submitted()),
            "calls": len(network.calls()),
            "report_delay": network.report_delay,
            "report_outcome": network.report_outcome,
        },
        "faults": {
            "errors": [
                "ERROR" if error is None else f"+{error.kind} ERROR {error.code}"
                for error in faults.errors
            ],
            "silent_for": round(silent_for, 3),
            "garbage_lines": faults.garbage_lines,
            "submit_delay": faults.submit_delay,
            "storage_full": any(store.limit is not None for store in engine.stores.values()),
            "vanished_for": round(sim.vanished_for, 3),
            "urcs_inside_answers": faults.urcs_inside_answers,
            "refused": sorted(faults.refused),
        },
    }
