"""A modem's device as the system sees it: there, open to the service user, free."""

from __future__ import annotations

import os

from smsbox.config import ModemConfig
from smsbox.doctor.access import READ, WRITE, Account, allows, group_name
from smsbox.doctor.holders import Holder, processes_holding
from smsbox.doctor.verdicts import Verdict, fail, ok

MODEM_MANAGER = "ModemManager"


def check_device(modem: ModemConfig, user: Account) -> tuple[list[Verdict], list[Holder]]:
    """The verdicts on `modem`'s device, and the processes holding it: the AT checks
    go on only when there are no failures and no holders."""
    where = f"modem {modem.name}"
    device = modem.device
    if not os.path.exists(device):
        return [
            fail(
                where,
                f"{device} does not exist",
                "plug the modem in and put its path in device: ls -l /dev/serial/by-id/",
            )
        ], []
    verdicts = [ok(where, f"{device} exists")]
    if not allows(device, user, READ | WRITE):
        group = group_name(device)
        verdicts.append(
            fail(
                where,
                f"{user.name} may not read and write {device} (group {group})",
                f"sudo usermod -aG {group} {user.name}, then log in again or restart the service",
            )
        )
        return verdicts, []
    verdicts.append(ok(where, f"{user.name} may read and write {device}"))
    holders = processes_holding(device)
    verdicts += [_holder_verdict(where, device, holder) for holder in holders]
    if not holders:
        verdicts.append(ok(where, "no other process has it open"))
    return verdicts, holders


def _holder_verdict(where: str, device: str, holder: Holder) -> Verdict:
    if holder.smsbox_service in ("daemon", "demo"):
        return ok(
            where,
            f"served by the smsbox {holder.smsbox_service} ({holder.describe()}): the modem "
            "checks are left to it, see smsbox modems",
        )
    if holder.name == MODEM_MANAGER:
        return fail(
            where,
            f"{device} is held by {holder.describe()}, which grabs USB modems",
            "sudo systemctl disable --now ModemManager",
        )
    return fail(
        where,
        f"{device} is held by {holder.describe()}: {' '.join(holder.command)}",
        "stop that program: one process at a time may talk to a modem",
    )
