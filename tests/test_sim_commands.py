"""The simulated modem's commands byte for byte: calls, USSD, registration, SIM,
profiles and their quirks. Time is a fake clock moved by hand."""

from __future__ import annotations

import pytest

from modem.pdu import encode_submit
from modem.sim.commands.calls import incoming_call
from modem.sim.commands.general import set_registration
from modem.sim.engine import ModemEngine
from modem.sim.network import SimulatedNetwork
from modem.sim.profiles import PROFILES

CALLER = "+33612345678"
SENDER = "+33611111111"
PIN, PUK = "1234", "12345678"
BALANCE = "Solde: 12,34 EUR. Valable jusqu'au 31/12/2026."


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def network() -> SimulatedNetwork:
    return SimulatedNetwork()


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def make(network, clock):
    """An engine of some profile, set up as the driver sets it: no echo, numeric errors."""

    def make(profile: str = "sim800", *, pin: str = "", quiet: bool = True) -> ModemEngine:
        engine = ModemEngine(network, PROFILES[profile], pin=pin, clock=clock)
        engine.events = []  # type: ignore[attr-defined]
        engine.on_event = engine.events.append  # type: ignore[attr-defined]
        if quiet:
            assert run(engine, "ATE0;+CMEE=1") == b"ATE0;+CMEE=1\r\r\nOK\r\n"
        return engine

    return make


@pytest.fixture
def modem(make) -> ModemEngine:
    return make()


def run(engine: ModemEngine, line: str) -> bytes:
    engine.feed(line.encode("ascii") + b"\r")
    return engine.take_output()


def later(engine: ModemEngine, clock: FakeClock, seconds: float) -> bytes:
    """What the modem says by itself while `seconds` pass."""
    clock.now += seconds
    engine.tick()
    return engine.take_output()


def lines(*texts: str) -> bytes:
    return b"".join(b"\r\n" + text.encode() + b"\r\n" for text in texts)


OK = lines("OK")


# -- calls -------------------------------------------------------------------------------


def test_it_sets_reads_and_tests_caller_id_presentation(modem):
    assert run(modem, "AT+CLIP?") == lines("+CLIP: 0,1", "OK")
    assert run(modem, "AT+CLIP=1") == OK
    assert run(modem, "AT+CLIP?") == lines("+CLIP: 1,1", "OK")
    assert run(modem, "AT+CLIP=?") == lines("+CLIP: (0,1)", "OK")
    assert run(modem, "AT+CLIP=2") == lines("+CME ERROR: 50")


def test_it_rings_the_number_of_times_asked_without_caller_id_by_default(modem, clock, network):
    incoming_call(modem, CALLER, rings=3, interval=2.0)
    assert later(modem, clock, 0) == lines("RING")
    assert later(modem, clock, 1.9) == b""
    assert later(modem, clock, 0.1) == lines("RING")
    assert later(modem, clock, 2.0) == lines("RING")
    assert network.calls()[0].rings == 3
    assert network.calls()[0].outcome == "ringing"


@pytest.mark.parametrize(
    ("number", "clip"),
    [
        (CALLER, '+CLIP: "+33612345678",145,"",0,"",0'),
        ("0612345678", '+CLIP: "0612345678",129,"",0,"",0'),
        (None, '+CLIP: "",128,"",0,"",1'),
    ],
    ids=["international", "national", "withheld"],
)
def test_it_names_the_caller_after_each_ring_once_clip_is_on(modem, clock, number, clip):
    run(modem, "AT+CLIP=1")
    incoming_call(modem, number, rings=2)
    assert later(modem, clock, 0) == lines("RING", clip)
    assert later(modem, clock, 1.0) == lines("RING", clip)


def test_it_names_the_caller_in_huawei_layout_on_a_huawei_stick(make, clock):
    huawei = make("huawei-e3372")
    run(huawei, "AT+CLIP=1;^CURC=0")
    incoming_call(huawei, CALLER, rings=1)
    assert later(huawei, clock, 0) == lines("RING", '+CLIP: "+33612345678",145,,,,0')
    incoming_call(huawei, None, rings=1)  # a second call while the first still rings
    assert later(huawei, clock, 0) == b""


def test_it_stops_ringing_once_answered_and_records_the_answer(modem, clock, network):
    incoming_call(modem, CALLER, rings=5)
    assert later(modem, clock, 0) == lines("RING")
    assert run(modem, "ATA") == OK
    assert later(modem, clock, 10.0) == b""
    (call,) = network.calls()
    assert (call.number, call.rings, call.outcome) == (CALLER, 1, "answered")
    assert run(modem, "ATH") == OK
    assert network.calls()[0].outcome == "answered"
    assert modem.events[-2:] == [  # type: ignore[attr-defined]
        f"call: answered the call from {CALLER}",
        f"call: hung up the call with {CALLER}",
    ]


@pytest.mark.parametrize("hang_up", ["ATH", "ATH0", "AT+CHUP"])
def test_it_rejects_a_ringing_call_on_hang_up(modem, clock, network, hang_up):
    incoming_call(modem, CALLER, rings=3)
    later(modem, clock, 0)
    assert run(modem, hang_up) == OK
    assert later(modem, clock, 5.0) == b""
    (call,) = network.calls()
    assert (call.rings, call.outcome) == (1, "rejected")
    assert run(modem, "ATA") == lines("NO CARRIER")


def test_it_records_a_missed_call_and_says_no_carrier_after_the_last_ring(modem, clock, network):
    incoming_call(modem, None, rings=2, interval=1.0)
    assert later(modem, clock, 0) + later(modem, clock, 1.0) == lines("RING") * 2
    assert later(modem, clock, 1.0) == lines("NO CARRIER")
    assert later(modem, clock, 5.0) == b""
    assert network.calls()[0].as_dict() | {"started_at": None} == {
        "number": None,
        "rings": 2,
        "outcome": "missed",
        "started_at": None,
    }
    assert modem.events[-1] == "call: missed call from a withheld number after 2 ring(s)"  # type: ignore[attr-defined]


def test_it_ends_a_missed_call_with_cend_on_a_huawei_stick(make, clock):
    huawei = make("huawei-e3372")
    run(huawei, "AT^CURC=0")
    incoming_call(huawei, CALLER, rings=1, interval=1.0)
    assert later(huawei, clock, 0) == lines("RING")
    assert later(huawei, clock, 1.0) == lines("^CEND:1,0,104,16")


def test_it_answers_no_carrier_when_nothing_rings(modem):
    assert run(modem, "ATA") == lines("NO CARRIER")
    assert run(modem, "ATV0") == b"0\r"
    assert run(modem, "ATA") == b"3\r"
    assert run(modem, "ATH") == b"0\r"


def test_it_counts_a_call_arriving_during_another_as_missed(modem, clock, network):
    incoming_call(modem, CALLER, rings=3)
    later(modem, clock, 0)
    run(modem, "ATA")
    incoming_call(modem, SENDER, rings=3)
    assert later(modem, clock, 1.0) == b""
    assert [(call.number, call.outcome) for call in network.calls()] == [
        (CALLER, "answered"),
        (SENDER, "missed"),
    ]


def test_it_holds_a_ring_while_a_message_is_being_typed(modem, clock):
    assert run(modem, "AT+CMGF=1") == OK
    assert run(modem, f'AT+CMGS="{CALLER}"') == b"\r\n> "
    incoming_call(modem, CALLER, rings=1)
    assert later(modem, clock, 0) == b""
    modem.feed(b"hi\x1b")
    assert modem.take_output() == OK + lines("RING")


# -- USSD ---------------------------------------------------------------------------------


def test_it_sets_reads_and_tests_ussd_presentation(modem):
    assert run(modem, "AT+CUSD?") == lines("+CUSD: 0", "OK")
    assert run(modem, "AT+CUSD=1") == OK
    assert run(modem, "AT+CUSD?") == lines("+CUSD: 1", "OK")
    assert run(modem, "AT+CUSD=?") == lines("+CUSD: (0-2)", "OK")
    assert run(modem, "AT+CUSD=3") == lines("+CME ERROR: 50")


def test_it_answers_a_balance_query_shortly_after_ok(modem, clock):
    assert run(modem, 'AT+CUSD=1,"*100#",15') == OK
    assert later(modem, clock, 0.1) == b""
    assert later(modem, clock, 0.1) == lines(f'+CUSD: 0,"{BALANCE}",15')


def test_it_takes_and_answers_ussd_in_hex_under_ucs2(modem, clock):
    run(modem, 'AT+CSCS="UCS2"')
    code = "*100#".encode("utf-16-be").hex().upper()
    assert run(modem, f'AT+CUSD=1,"{code}",15') == OK
    answer = later(modem, clock, 0.2).decode()
    reply = answer.split('"')[1]
    assert bytes.fromhex(reply).decode("utf-16-be") == BALANCE
    assert answer == f'\r\n+CUSD: 0,"{reply}",15\r\n'


def test_it_answers_an_unknown_code_as_not_supported(modem, clock, network):
    network.ussd_replies["#123#"] = "Offre du moment"
    assert run(modem, 'AT+CUSD=1,"*999#"') == OK
    assert later(modem, clock, 0.2) == lines("+CUSD: 4")
    run(modem, 'AT+CUSD=1,"#123#"')
    assert later(modem, clock, 0.2) == lines('+CUSD: 0,"Offre du moment",15')


def test_it_keeps_the_reply_to_itself_when_presentation_is_off(modem, clock):
    assert run(modem, 'AT+CUSD=0,"*100#"') == OK
    assert later(modem, clock, 1.0) == b""
    assert modem.events[-1] == f"USSD: *100# answered {BALANCE!r}"  # type: ignore[attr-defined]


def test_it_cancels_a_ussd_session(modem):
    assert run(modem, "AT+CUSD=2") == OK
    assert modem.events[-1] == "USSD: session cancelled"  # type: ignore[attr-defined]


def test_it_refuses_ussd_without_network(modem, network):
    network.registration = 0
    assert run(modem, 'AT+CUSD=1,"*100#"') == lines("+CME ERROR: 30")


# -- registration ---------------------------------------------------------------------------


def test_it_reports_registration_changes_in_mode_1(modem):
    assert run(modem, "AT+CREG=1;+CGREG=1") == OK
    set_registration(modem, 2)
    assert modem.take_output() == lines("+CREG: 2", "+CGREG: 2")
    set_registration(modem, 2)
    assert modem.take_output() == b""
    set_registration(modem, 1)
    assert modem.take_output() == lines("+CREG: 1", "+CGREG: 1")


def test_it_reports_the_cell_with_registration_changes_in_mode_2(modem):
    assert run(modem, "AT+CREG=2") == OK
    set_registration(modem, 0)
    assert modem.take_output() == lines("+CREG: 0")
    set_registration(modem, 5)
    assert modem.take_output() == lines('+CREG: 5,"1A2B","01C3D4E5"')
    assert run(modem, "AT+CREG?;+CGREG?") == lines(
        '+CREG: 2,5,"1A2B","01C3D4E5"', "+CGREG: 0,5", "OK"
    )


def test_it_keeps_registration_changes_to_itself_in_mode_0(modem, network):
    set_registration(modem, 0)
    assert modem.take_output() == b""
    assert network.registration == 0
    assert run(modem, "AT+CREG?") == lines("+CREG: 0,0", "OK")
    with pytest.raises(ValueError, match="0 to 5"):
        set_registration(modem, 6)


def test_it_tests_registration_commands(modem):
    assert run(modem, "AT+CREG=?") == lines("+CREG: (0-2)", "OK")
    assert run(modem, "AT+CGREG=3") == lines("+CME ERROR: 50")


# -- SIM ----------------------------------------------------------------------------------------


def test_it_asks_for_the_pin_and_counts_wrong_ones_down_to_the_puk(make):
    locked = make(pin=PIN)
    assert run(locked, "AT+CPIN?") == lines("+CPIN: SIM PIN", "OK")
    assert run(locked, "AT+CIMI") == lines("+CME ERROR: 11")
    for _ in range(3):
        assert run(locked, "AT+CPIN=0000") == lines("+CME ERROR: 16")
    assert locked.sim.pin_retries == 0
    assert run(locked, "AT+CPIN?") == lines("+CPIN: SIM PUK", "OK")
    assert run(locked, f"AT+CPIN={PIN}") == lines("+CME ERROR: 16")  # a PUK try, now
    assert run(locked, "AT+CIMI") == lines("+CME ERROR: 12")
    assert run(locked, 'AT+CPIN="87654321","4321"') == lines("+CME ERROR: 16")
    assert locked.sim.puk_retries == 8
    assert run(locked, f'AT+CPIN="{PUK}","4321"') == OK
    assert run(locked, "AT+CPIN?") == lines("+CPIN: READY", "OK")
    assert locked.sim.pin == "4321"
    assert run(locked, "AT+CPIN=4321") == lines("+CME ERROR: 3")


def test_it_unlocks_with_the_right_pin(make):
    locked = make(pin=PIN)
    assert run(locked, "AT+CPIN=0000") == lines("+CME ERROR: 16")
    assert run(locked, f'AT+CPIN="{PIN}"') == OK
    assert locked.sim.pin_retries == 3
    assert run(locked, "AT+CIMI") == lines("208150000000001", "OK")
    assert run(locked, "AT+CPIN") == lines("+CME ERROR: 50")


@pytest.mark.parametrize(
    "line", ["AT+CMGL=4", "AT+CMGR=1", "AT+CMGD=1", "AT+CMGS=20", "AT+CSCA?", "AT+CMSS=1"]
)
def test_it_refuses_sms_commands_while_the_sim_is_locked(make, line):
    locked = make(pin=PIN)
    assert run(locked, line) == lines("+CMS ERROR: 311")


def test_it_refuses_sms_commands_with_the_puk_error_once_the_pin_is_blocked(make):
    locked = make(pin=PIN)
    for _ in range(3):
        run(locked, "AT+CPIN=0000")
    assert run(locked, "AT+CMGL=4") == lines("+CMS ERROR: 316")


@pytest.mark.parametrize("profile", ["sim7600", "ec25", "sim800"])
def test_it_says_the_sim_is_ready_after_the_pin(make, clock, profile):
    locked = make(profile, pin=PIN)
    assert run(locked, f"AT+CPIN={PIN}") == OK
    expected = PROFILES[profile].unlock_urcs
    assert expected[0] == "+CPIN: READY"
    assert later(locked, clock, 0.1) == lines(*expected)


# -- basics ---------------------------------------------------------------------------------------


def test_it_answers_with_numeric_result_codes_after_atv0(modem):
    assert run(modem, "ATV0") == b"0\r"
    assert run(modem, "AT") == b"0\r"
    assert run(modem, "AT+CSQ") == b"+CSQ: 21,99\r\n0\r"
    assert run(modem, "AT+CMEE=0;+WHAT") == b"4\r"
    assert run(modem, "ATV1") == OK


def test_it_reboots_on_cfun_1_1_and_comes_back_with_factory_settings(modem, clock):
    assert run(modem, "AT+CFUN=1,1") == OK
    assert later(modem, clock, 0.05) == lines(
        "RDY", "+CFUN: 1", "+CPIN: READY", "Call Ready", "SMS Ready"
    )
    assert run(modem, "AT") == b"AT\r" + OK
    assert modem.events[-1] == "modem rebooted"  # type: ignore[attr-defined]


def test_it_answers_cfun_read_test_and_plain_set(modem, clock):
    assert run(modem, "AT+CFUN?") == lines("+CFUN: 1", "OK")
    assert run(modem, "AT+CFUN=?") == lines("+CFUN: (0,1,4),(0,1)", "OK")
    assert run(modem, "AT+CFUN=1") == OK
    assert later(modem, clock, 1.0) == b""


def test_it_sets_reads_and_tests_the_character_set(modem):
    assert run(modem, "AT+CSCS?") == lines('+CSCS: "GSM"', "OK")
    assert run(modem, 'AT+CSCS="UCS2"') == OK
    assert run(modem, "AT+CSCS?") == lines('+CSCS: "UCS2"', "OK")
    assert run(modem, "AT+CSCS=?") == lines('+CSCS: ("GSM","IRA","UCS2")', "OK")
    assert run(modem, 'AT+CSCS="KOI8"') == lines("+CME ERROR: 50")
    assert run(modem, "ATZ") == OK
    assert run(modem, "AT+CSCS?") == b"AT+CSCS?\r" + lines('+CSCS: "GSM"', "OK")


def test_it_names_the_operator_only_while_registered(modem, network):
    assert run(modem, "AT+COPS?") == lines('+COPS: 0,0,"Orange F",7', "OK")
    network.registration = 0
    assert run(modem, "AT+COPS?") == lines("+COPS: 0", "OK")
    assert run(modem, "AT+COPS=?") == lines(
        '+COPS: (2,"Orange F","Orange F","20801",7),,(0-4),(0-2)', "OK"
    )


def test_it_reports_signal_quality(modem, network):
    assert run(modem, "AT+CSQ") == lines("+CSQ: 21,99", "OK")
    network.signal = 7
    assert run(modem, "AT+CSQ") == lines("+CSQ: 7,99", "OK")
    assert run(modem, "AT+CSQ=?") == lines("+CSQ: (0-31,99),(0-7,99)", "OK")


def test_it_reads_registration_as_none_while_the_sim_is_locked(make):
    locked = make(pin=PIN)
    assert run(locked, "AT+CREG?") == lines("+CREG: 0,0", "OK")
    run(locked, f"AT+CPIN={PIN}")
    assert run(locked, "AT+CREG=1;+CREG?") == lines("+CREG: 1,1", "OK")


# -- profiles --------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(PROFILES))
def test_it_identifies_as_its_profile(make, name):
    engine, profile = make(name), PROFILES[name]
    for line, value in [
        ("AT+CGMI", profile.manufacturer),
        ("AT+GMI", profile.manufacturer),
        ("AT+CGMM", profile.model),
        ("AT+CGMR", profile.revision),
        ("AT+CGSN", profile.imei),
    ]:
        assert run(engine, line) == lines(value, "OK")
    assert run(engine, "ATI") == lines(profile.manufacturer, profile.model, profile.revision, "OK")


def test_it_identifies_a_huawei_stick_as_huawei_does():
    huawei = PROFILES["huawei-e3372"]
    assert (huawei.manufacturer, huawei.model) == ("huawei", "E3372")


BOOT_URCS = {
    "sim800": ("RDY", "+CFUN: 1", "+CPIN: READY", "Call Ready", "SMS Ready"),
    "sim7600": ("RDY", "+CPIN: READY", "SMS DONE", "PB DONE"),
    "huawei-e3372": (),
    "ec25": (
        "RDY",
        "+CFUN: 1",
        "+CPIN: READY",
        "+QUSIM: 1",
        "+QIND: SMS DONE",
        "+QIND: PB DONE",
    ),
}


@pytest.mark.parametrize("name", sorted(PROFILES))
def test_it_says_its_boot_lines_after_a_reboot(make, name):
    engine = make(name)
    engine.reboot()
    assert engine.take_output() == lines(*BOOT_URCS[name])
    assert run(engine, "AT+CMEE?") == b"AT+CMEE?\r" + lines("+CMEE: 0", "OK")


@pytest.mark.parametrize("name", ["sim800", "sim7600", "ec25"])
def test_it_stops_its_boot_lines_at_a_locked_sim(make, name):
    engine = make(name, pin=PIN)
    engine.reboot()
    boot = BOOT_URCS[name]
    expected = (*boot[: boot.index("+CPIN: READY")], "+CPIN: SIM PIN")
    assert engine.take_output() == lines(*expected)


@pytest.mark.parametrize(
    ("name", "ccid"),
    [
        ("sim800", "8933150319000000001"),
        ("sim7600", "+CCID: 8933150319000000001"),
        ("huawei-e3372", "+CCID: 8933150319000000001"),
        ("ec25", "+CCID: 8933150319000000001"),
    ],
)
def test_it_answers_ccid_in_its_profiles_format(make, name, ccid):
    assert run(make(name), "AT+CCID") == lines(ccid, "OK")


VENDOR_COMMANDS = {
    "AT+QCCID": ("ec25", "+QCCID: 8933150319000000001"),
    "AT+CICCID": ("sim7600", "+ICCID: 8933150319000000001"),
    "AT^CURC?": ("huawei-e3372", "^CURC: 1"),
}


@pytest.mark.parametrize("line", sorted(VENDOR_COMMANDS))
@pytest.mark.parametrize("name", sorted(PROFILES))
def test_it_answers_vendor_commands_only_on_their_own_family(make, line, name):
    owner, answer = VENDOR_COMMANDS[line]
    engine = make(name)
    if name == owner:
        assert run(engine, line) == lines(answer, "OK")
    elif PROFILES[name].unknown_command_result:
        assert run(engine, line) == lines(PROFILES[name].unknown_command_result)
    else:
        assert run(engine, line) == lines("+CME ERROR: 3")
        assert run(engine, "AT+CMEE=0") == OK
        assert run(engine, line) == lines("ERROR")


def test_it_ends_an_unknown_command_as_a_huawei_stick_does(make):
    assert run(make("huawei-e3372"), "AT+WHAT") == lines("COMMAND NOT SUPPORT")


def test_it_repeats_huawei_status_lines_until_curc_0(make, clock, network):
    huawei = make("huawei-e3372")
    status = lines("^BOOT:27710117,0,0,0,75", "^RSSI:21", "^MODE:5,4")
    assert later(huawei, clock, 2.9) == b""
    assert later(huawei, clock, 0.1) == status
    network.signal = 12
    assert later(huawei, clock, 3.0) == status.replace(b"^RSSI:21", b"^RSSI:12")
    assert run(huawei, "AT^CURC=0") == OK
    assert run(huawei, "AT^CURC?") == lines("^CURC: 0", "OK")
    assert later(huawei, clock, 3.0) + later(huawei, clock, 3.0) == b""
    assert run(huawei, "AT^CURC=1") == OK
    assert later(huawei, clock, 3.0) == status.replace(b"^RSSI:21", b"^RSSI:12")
    assert run(huawei, "AT^CURC=?") == lines("^CURC: (0,1)", "OK")
    assert run(huawei, "AT^CURC=2") == lines("+CME ERROR: 50")


def test_it_starts_huawei_status_lines_again_after_a_reboot(make, clock):
    huawei = make("huawei-e3372")
    run(huawei, "AT^CURC=0")
    clock.now += 1.0
    huawei.reboot()
    assert later(huawei, clock, 2.0) == b""  # the old cycle is gone
    assert later(huawei, clock, 1.0).startswith(b"\r\n^BOOT:")
    assert later(huawei, clock, 3.0).count(b"^RSSI:") == 1


def test_it_keeps_quiet_periodically_on_other_profiles(modem, clock):
    assert later(modem, clock, 60.0) == b""
    assert modem.next_timer() is None


# -- storage full ---------------------------------------------------------------------------------


def test_it_says_smmemfull_when_the_sim_fills_up_on_a_huawei_stick(make, network):
    huawei = make("huawei-e3372")
    run(huawei, "AT^CURC=0;+CNMI=2,1,0,0,0")
    (pdu,) = network.deliver_pdus(SENDER, "hello")
    for index in range(1, 50):
        assert huawei.receive(pdu)
        assert huawei.take_output() == lines(f'+CMTI: "SM",{index}')
    assert huawei.receive(pdu)
    assert huawei.take_output() == lines('+CMTI: "SM",50', '^SMMEMFULL:"SM"')
    assert not huawei.receive(pdu)
    assert huawei.take_output() == b""


def test_it_says_nothing_when_the_sim_fills_up_on_a_sim800(modem, network):
    (pdu,) = network.deliver_pdus(SENDER, "hello")
    for _ in range(30):
        assert modem.receive(pdu)
    assert modem.take_output() == b""
    assert not modem.receive(pdu)


def test_it_loses_a_slow_submission_when_it_reboots_before_answering(make, clock, network):
    engine = make("sim800")
    engine.faults.submit_delay = 2.0
    (part,) = encode_submit("+33612345678", "perdu au redémarrage")
    assert run(engine, f"AT+CMGS={part.tpdu_length}") == b"\r\n> "
    engine.feed(part.hex.encode() + b"\x1a")
    assert engine.take_output() == b""

    engine.reboot()
    engine.take_output()
    assert later(engine, clock, 3.0) == b""
    assert run(engine, "AT") == b"AT\r\r\nOK\r\n"  # echo back on, nothing held
    assert network.submitted() == []


def test_it_holds_an_unsolicited_line_until_the_command_being_typed_is_answered(make):
    engine = make("sim800", quiet=False)
    engine.feed(b"AT+CS")
    engine.urc('+CMTI: "SM",1')
    engine.feed(b"Q\r")
    assert engine.take_output() == (
        b"AT+CSQ\r" + lines("+CSQ: 21,99", "OK") + lines('+CMTI: "SM",1')
    )


def test_it_puts_unsolicited_lines_inside_the_next_answer_when_asked(make):
    engine = make("sim800")
    engine.faults.urcs_inside_answers = 1
    engine.urc('+CMTI: "SM",1')
    assert engine.take_output() == b""
    assert run(engine, "AT+CSQ") == lines('+CMTI: "SM",1', "+CSQ: 21,99", "OK")
    engine.urc('+CMTI: "SM",2')
    assert engine.take_output() == lines('+CMTI: "SM",2')
