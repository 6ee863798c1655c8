"""Errors a simulated modem answers with, by their 3GPP codes."""

from __future__ import annotations

# 3GPP TS 27.007 §9.2 (+CME) and TS 27.005 §3.2.5 (+CMS), as AT+CMEE=2 spells them.
CME_TEXTS = {
    3: "operation not allowed",
    4: "operation not supported",
    10: "SIM not inserted",
    11: "SIM PIN required",
    12: "SIM PUK required",
    16: "incorrect password",
    21: "invalid index",
    24: "text string too long",
    25: "invalid characters in text string",
    30: "no network service",
    50: "incorrect parameters",
    100: "unknown",
}
CMS_TEXTS = {
    38: "network out of order",
    42: "congestion",
    300: "ME failure",
    302: "operation not allowed",
    303: "operation not supported",
    304: "invalid PDU mode parameter",
    305: "invalid text mode parameter",
    310: "SIM not inserted",
    311: "SIM PIN required",
    313: "SIM failure",
    321: "invalid memory index",
    322: "memory full",
    330: "SMSC address unknown",
    331: "no network service",
    332: "network timeout",
    500: "unknown error",
}


class CommandError(Exception):
    """Ends a command line with +CME ERROR (or +CMS ERROR), or plain ERROR under AT+CMEE=0."""

    def __init__(self, code: int, kind: str = "CME"):
        super().__init__(f"+{kind} ERROR: {code}")
        self.code = code
        self.kind = kind

    def verbose(self) -> str:
        texts = CMS_TEXTS if self.kind == "CMS" else CME_TEXTS
        return texts.get(self.code, str(self.code))


class FinalResult(Exception):
    """Ends a command line with another final result code than OK, as ATA with
    nothing ringing ends with NO CARRIER."""

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


def cme(code: int) -> CommandError:
    return CommandError(code, "CME")


def cms(code: int) -> CommandError:
    return CommandError(code, "CMS")


OPERATION_NOT_ALLOWED = 3
INCORRECT_PARAMETERS = 50
