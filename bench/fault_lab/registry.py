"""The scenarios by name, and running one in a fresh lab."""

from __future__ import annotations

import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from fault_lab import acceptance, receiving, sending
from fault_lab.lab import Lab
from fault_lab.ledger import ScenarioResult


@dataclass(frozen=True)
class Scenario:
    name: str
    run: Callable[[Lab, float], None]
    # Lab options (a PIN on the SIM, one in the configuration, the modems, the driver).
    lab_options: dict[str, object] = field(default_factory=dict)

    @property
    def summary(self) -> str:
        """The first paragraph of the scenario's docstring, on one line."""
        return " ".join((self.run.__doc__ or "").strip().split("\n\n")[0].split())


SCENARIOS = {
    scenario.name: scenario
    for scenario in (
        Scenario("vanish", sending.vanish),
        Scenario("slow", sending.slow),
        Scenario(
            "wrong-pin",
            receiving.wrong_pin,
            {"sim_pin": receiving.SIM_PIN, "config_pin": receiving.WRONG_PIN},
        ),
        Scenario("db-lock", sending.db_lock),
        Scenario("reboot-idle", receiving.reboot_idle),
        Scenario("calls", sending.calls),
        Scenario("identical-inbound", receiving.identical_inbound),
        Scenario("crafted-concat", receiving.crafted_concat),
        Scenario("silence", sending.silence),
        Scenario("kill9", sending.kill9),
        Scenario("acceptance", acceptance.acceptance, {"modems": acceptance.MODEMS}),
        Scenario(
            "acceptance-gammu",
            acceptance.acceptance,
            {"modems": acceptance.GAMMU_MODEMS, "driver": "gammu"},
        ),
    )
}


def run_scenario(
    name: str, scale: float = 1.0, root: Path | None = None, database_url: str = ""
) -> ScenarioResult:
    """Run one scenario in a fresh lab; its figures, whatever happened.

    A scenario that cannot finish (the daemon never serving, say) still gives the
    figures so far, with the reason among its failed checks. Its directory goes in
    `root` (default: the system's temp dir), kept only when a target is missed; its
    database is at `database_url` (default: SQLite in that directory)."""
    scenario = SCENARIOS[name]
    with Lab(name, **scenario.lab_options, root=root, database_url=database_url) as lab:
        try:
            scenario.run(lab, scale)
        except Exception as error:
            lab.result.failed_checks.append(f"the scenario could not finish: {error}")
            (lab.workdir / "scenario-error.txt").write_text(traceback.format_exc())
        lab.tally()
    return lab.result
