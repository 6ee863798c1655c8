"""Real modem families the simulator can pass for, chosen with --profile.

Each quirk says where it comes from: the vendor's AT command manual (name, version,
section) or, where no manual text was found, the public logs or client code that
show it ("observed ..."). Values marked "illustrative" have no source: they only
need to be plausible (serial numbers, firmware strings).
"""

from __future__ import annotations

from dataclasses import dataclass, field

# 3GPP TS 27.007 §7.18 (+CLIP): <number>,<type>,<subaddr>,<satype>,<alpha>,<CLI validity>.
CLIP_27007 = '+CLIP: "{number}",{type},"",0,"",{validity}'


@dataclass(frozen=True)
class Profile:
    name: str
    manufacturer: str
    model: str
    revision: str
    imei: str
    # Message storages and their capacities; "SR" holds status reports.
    storages: dict[str, int] = field(default_factory=lambda: {"SM": 30, "ME": 50, "SR": 20})
    # What the modem says by itself after power-on or a reboot.
    boot_urcs: tuple[str, ...] = ()
    # What it says after AT+CPIN=<pin> unlocked the SIM (besides OK).
    unlock_urcs: tuple[str, ...] = ()
    # How AT+CCID answers: some modems prefix the ICCID, some don't.
    ccid_format: str = "+CCID: {iccid}"
    # <AcT> closing AT+COPS? (TS 27.007 §7.3: 0 GSM, 2 UTRAN, 7 E-UTRAN); None: left out.
    access_technology: int | None = 7
    # An incoming call: the ring line, then (AT+CLIP=1) the caller line after each ring.
    ring_urc: str = "RING"
    clip_format: str = CLIP_27007
    # What the modem says when the caller gives up before the call is answered.
    missed_call_urc: str | None = "NO CARRIER"
    # Said when a message storage fills up on receive ({storage} is its name).
    memory_full_urc: str | None = None
    # Lines the modem repeats by itself every `periodic_interval` seconds while
    # its report switch is on ({signal} is the current AT+CSQ <rssi>).
    periodic_urcs: tuple[str, ...] = ()
    periodic_interval: float = 0.0
    # Vendor commands only this family knows; the others answer them with an error.
    extra_commands: frozenset[str] = frozenset()
    # The final result for a command the modem does not know; None: ERROR or
    # +CME ERROR: 3 as AT+CMEE says.
    unknown_command_result: str | None = None


SIM800 = Profile(
    name="sim800",
    manufacturer="SIMCOM_Ltd",
    model="SIMCOM_SIM800L",
    revision="Revision:1418B05SIM800L24",
    imei="867856030000001",  # illustrative
    # SIM800 Series AT Command Manual v1.10, §"Unsolicited result codes":
    # RDY, +CFUN: 1, +CPIN: READY, Call Ready, SMS Ready after power-on.
    boot_urcs=("RDY", "+CFUN: 1", "+CPIN: READY", "Call Ready", "SMS Ready"),
    # With a locked SIM the lines after +CPIN come once the PIN is given: assumed
    # (no manual section found), mirroring the power-on sequence.
    unlock_urcs=("+CPIN: READY", "Call Ready", "SMS Ready"),
    # Same manual, AT+CCID: the ICCID on a line of its own, no prefix.
    ccid_format="{iccid}",
    # Assumed: a GSM-only module has no <AcT> to give, and TS 27.007 §7.3 makes it
    # optional ('+COPS: 0,0,"CHINA MOBILE"' is the form SIM800 examples show).
    access_technology=None,
    # SIM800 Series AT Command Manual V1.05 §3.2.18 AT+CLIP: "+CLIP: <number>,<type>
    # [,<subaddr>,<satype>,<alphaId>,<CLI validity>]" after every RING (CLIP_27007).
    # NO CARRIER ending a call the caller dropped: observed behaviour as reported in
    # electronics.stackexchange.com question 251224 (SIM900, same SIMCom firmware
    # family: "NO CARRIER" whenever a call is disconnected).
)

SIM7600 = Profile(
    name="sim7600",
    # Observed AT+SIMCOMATI output quoted in Xinyuan-LilyGO/LilyGo-T-A76XX's
    # examples: "Manufacturer: SIMCOM INCORPORATED", "Model: SIMCOM_SIM7600G-H",
    # "Revision: LE20B04SIM7600G22".
    manufacturer="SIMCOM INCORPORATED",
    model="SIMCOM_SIM7600G-H",
    revision="LE20B04SIM7600G22",
    imei="862636050000002",  # illustrative
    # Observed behaviour as reported in public SIM7600 driver code, which waits for
    # "RDY", "+CPIN: READY", "SMS DONE", "PB DONE" after power-on and for
    # "+CPIN: READY", "SMS DONE", "PB DONE" after AT+CPIN=<pin>.
    boot_urcs=("RDY", "+CPIN: READY", "SMS DONE", "PB DONE"),
    unlock_urcs=("+CPIN: READY", "SMS DONE", "PB DONE"),
    # SIM7500_SIM7600 Series AT Command Manual V1.10 §4.3 AT+CICCID "Read ICCID from
    # SIM card"; clients parse its answer as "+ICCID: <iccid>". No SIM7600 source
    # was found for AT+CCID, so it keeps the generic "+CCID: " form.
    extra_commands=frozenset({"+CICCID"}),
    # CLIP format and NO CARRIER: assumed as on the SIM800 (no SIM7600 source found).
)

HUAWEI_E3372 = Profile(
    name="huawei-e3372",
    # AT+CGMI answers "huawei": observed in gammu issues #168 (E352) and #327 (E303);
    # AT+CGMM answers the bare model ("E1750" in gammu issue #94).
    manufacturer="huawei",
    model="E3372",
    revision="22.200.15.00.00",  # illustrative
    imei="866000030000003",  # illustrative
    # "+CPMS: 0,50,0,50,0,50" for the SIM: observed on an E1752 in gammu issue #126.
    storages={"SM": 50, "ME": 50, "SR": 20},
    # ^BOOT/^RSSI/^MODE with no space after the colon, as Gammu's
    # libgammu/protocol/at/at.c lists them ("^RSSI:18", "^BOOT:27710117,0,0,0,75",
    # "^MODE:3,3") and as an E1752 sends them in gammu issue #126 ("^MODE:5,4").
    # HUAWEI MU509 AT Command Interface Specification Issue 04 §13.2: ^RSSI is
    # reported by itself. How often the stick repeats them is not documented: the
    # interval is ours. AT^CURC=0 stops them, AT^CURC=1 starts them again
    # (observed: clients such as warthog618/modem and Eclipse Kura send AT^CURC=0
    # for exactly that).
    periodic_urcs=("^BOOT:27710117,0,0,0,75", "^RSSI:{signal}", "^MODE:5,4"),
    periodic_interval=3.0,
    # MU509 spec Issue 04 §9.18: RING repeats every 5 s for a voice call (the ring
    # interval is the caller's choice in `incoming_call`; use 5.0 to match).
    # MU509 spec Issue 04 §10.4: "+CLIP: <number>,<type>,,,,<CLI validity>", e.g.
    # +CLIP: "82882690",129,,,,0 and, withheld, +CLIP: "",128,,,,1.
    clip_format='+CLIP: "{number}",{type},,,,{validity}',
    # MU509 spec Issue 04 §9.17: a call ends with ^CEND:<call_id>,<duration>,
    # <end_status>[,<cc_cause>]; 104 = CM_CALL_END_NETWORK_END (released by the
    # network) and cc_cause 16 = NORMAL_CALL_CLEARING, from the same list of causes.
    missed_call_urc="^CEND:1,0,104,16",
    # MU509 spec Issue 04 §6.21: ^SMMEMFULL:<mem_type> when a storage overflows.
    memory_full_urc='^SMMEMFULL:"{storage}"',
    # Gammu's libgammu/phone/at/atgen.c (Huawei post-connect) sends AT^CURC=0 and
    # AT^PORTSEL=1 to every Huawei stick and gives up if either fails.
    extra_commands=frozenset({"^CURC", "^PORTSEL"}),
    # Observed in the E1750 logs of gammu issue #94, and listed as a final result
    # in Gammu's libgammu/protocol/at/at.c: unknown commands end with this line.
    unknown_command_result="COMMAND NOT SUPPORT",
)

EC25 = Profile(
    name="ec25",
    manufacturer="Quectel",
    model="EC25",
    revision="EC25EFAR06A06M4G",  # illustrative
    imei="861107030000004",  # illustrative
    # Quectel EC2x&EG9x&EG2x-G&EM05 Series AT Commands Manual V2.0: RDY and
    # +QIND: SMS DONE / PB DONE (URC summary), +CFUN: 1 (AT+CFUN), +CPIN: READY
    # (AT+CPIN); the order RDY, +CFUN: 1, +CPIN: READY, +QUSIM: 1, +QIND: SMS DONE,
    # +QIND: PB DONE is the observed power-on output of an EG25-G (lupyuen's
    # "NuttX on PinePhone: LTE modem" article).
    boot_urcs=(
        "RDY",
        "+CFUN: 1",
        "+CPIN: READY",
        "+QUSIM: 1",
        "+QIND: SMS DONE",
        "+QIND: PB DONE",
    ),
    # The same manual's AT+CFUN example: after AT+CPIN=1234, OK then +CPIN: READY,
    # +QUSIM: 1, +QIND: PB DONE, +QIND: SMS DONE.
    unlock_urcs=("+CPIN: READY", "+QUSIM: 1", "+QIND: PB DONE", "+QIND: SMS DONE"),
    # Quectel EC25&EC21 AT Commands Manual V1.3, AT+QCCID "Show ICCID":
    # "+QCCID: <iccid>".
    extra_commands=frozenset({"+QCCID"}),
    # EC25&EC21 AT Commands Manual V1.3, summary of URCs: "+CLIP: <number>,<type>,
    # [subaddr],[satype],[<alpha>],<CLI validity>" (CLIP_27007). NO CARRIER when the
    # other side hangs up: observed on an EG25-G in the same PinePhone article.
)

PROFILES = {profile.name: profile for profile in (SIM800, SIM7600, HUAWEI_E3372, EC25)}
DEFAULT_PROFILE = SIM800
