"""python-gammu's words in the daemon's terms: its errors, its SMS locations, its
dictionaries of a modem's state. Pure: no modem is needed to test these."""

from __future__ import annotations

import gammu

from modem.drivers.pin import READY, WANTS_PIN, WANTS_PUK
from modem.errors import ModemError, ModemTimeout, PortError

# libgammu's errors for a serial port that failed or went away.
PORT_ERRORS = (
    gammu.ERR_DEVICENOTEXIST,
    gammu.ERR_DEVICEOPENERROR,
    gammu.ERR_DEVICEREADERROR,
    gammu.ERR_DEVICEWRITEERROR,
    gammu.ERR_DEVICENOTWORK,
    gammu.ERR_DEVICEBUSY,
    gammu.ERR_DEVICELOCKED,
    gammu.ERR_DEVICENOPERMISSION,
    gammu.ERR_DEVICENODRIVER,
    gammu.ERR_DEVICECHANGESPEEDERROR,
    gammu.ERR_DEVICEDTRRTSERROR,
    gammu.ERR_DEVICEPARITYERROR,
    gammu.ERR_NOTCONNECTED,
)

# libgammu numbers the SMS of all memories as one flat list, in folders of this many
# locations (GSM_PHONE_MAXSMSINFOLDER, gammu-limits.h), and gives one slot several
# numbers (the phone's first SMS is 100001 or 200001 as the SIM has a memory or not,
# and read back in either). Our slot numbers are one of them: the SIM's slots as they
# are, the phone's after LOCATIONS_PER_FOLDER.
LOCATIONS_PER_FOLDER = 100_000
SIM_MEMORY = "SM"

# What SendSMS raises only when the modem answered an error (+CMS ERROR at the prompt or
# after the PDU, ATGEN_HandleCMSError and python-gammu's SendSMSStatus) or before it
# wrote anything (no SMSC): nothing went out. Any other error, ERR_BUG included (seen
# from a port that vanished mid-call), leaves the outcome unknown.
REFUSALS = (
    gammu.ERR_UNKNOWN,
    gammu.ERR_FULL,
    gammu.ERR_NETWORK_ERROR,
    gammu.ERR_SECURITYERROR,
    gammu.ERR_NOSIM,
    gammu.ERR_NOTSUPPORTED,
    gammu.ERR_PHONE_INTERNAL,
    gammu.ERR_BUSY,
    gammu.ERR_INVALIDLOCATION,
    gammu.ERR_EMPTYSMSC,
    gammu.ERR_GETTING_SMSC,
)

# GSM_SMS_State: the AT+CMGL <stat> numbers (3GPP TS 27.005 §3.1).
MESSAGE_STATES = {"UnRead": 0, "Read": 1, "UnSent": 2, "Sent": 3}

# GSM_NetworkInfo_State, in ModemStatus.registration's words.
REGISTRATIONS = {
    "HomeNetwork": "home",
    "RoamingNetwork": "roaming",
    "RequestingNetwork": "searching",
    "RegistrationDenied": "denied",
    "NoNetwork": "unregistered",
    "Unknown": "unknown",
}

# GetSecurityStatus's answers, in AT+CPIN? words (modem.drivers.pin).
SIM_STATES = {None: READY, "PIN": WANTS_PIN, "PUK": WANTS_PUK}


def reason(error: gammu.GSMError) -> str:
    """libgammu's own words for an error, with the call that raised it."""
    detail = error.args[0] if error.args else None
    if isinstance(detail, dict):
        return f"{detail.get('Where', 'gammu')}: {detail.get('Text', type(error).__name__)}"
    return str(error) or type(error).__name__


def modem_error(error: gammu.GSMError) -> ModemError:
    """Our error for one python-gammu raised: whether an answer came, and which."""
    if isinstance(error, gammu.ERR_TIMEOUT):
        return ModemTimeout(reason(error))
    if isinstance(error, PORT_ERRORS):
        return PortError(reason(error))
    detail = error.args[0] if error.args else None
    code = detail.get("Code") if isinstance(detail, dict) else None
    return ModemError(reason(error), code=code)


def slot_of(memory: str, location: int) -> int:
    """Our slot number for an SMS libgammu read at `location` in `memory`."""
    in_memory = location % LOCATIONS_PER_FOLDER
    return in_memory if memory == SIM_MEMORY else LOCATIONS_PER_FOLDER + in_memory


def memory_of(location: int) -> str:
    """The memory a flat location is in, as AT+CPMS names it (a modem with no SIM
    memory numbers its phone memory as the SIM's: reading it says which it was)."""
    return SIM_MEMORY if location < LOCATIONS_PER_FOLDER else "ME"


def signal_of(quality: dict) -> int | None:
    """GetSignalQuality's dBm as +CSQ's <rssi> (0 is -113 dBm, each step 2 dB)."""
    strength = quality.get("SignalStrength")
    # libgammu says -1 where the modem does not know (<rssi> 99); no <rssi> is above -51.
    if strength is None or strength > -51:
        return None
    return max(0, min(31, (strength + 113) // 2))
