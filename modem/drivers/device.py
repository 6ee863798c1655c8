"""A modem's port that will not open, said so that a person knows what to do."""

from __future__ import annotations

import os

from modem.errors import ModemError


def cannot_open(device: str, error: Exception) -> ModemError:
    if not os.path.exists(device):
        reason = "no such device: plug the modem in, or correct device (smsbox doctor checks it)"
    elif not os.access(device, os.R_OK | os.W_OK):
        reason = (
            "permission denied: this user must be in the device's group, usually dialout "
            "(smsbox doctor says how)"
        )
    else:
        reason = str(error)
    return ModemError(f"cannot open {device}: {reason}")
