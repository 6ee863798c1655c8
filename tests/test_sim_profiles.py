"""The modem families the simulator passes for, and their quirks, byte by byte."""

from __future__ import annotations

import pytest
from sim_engine import OK, later, lines, run

from modem.sim.profiles import PROFILES

SENDER = "+33611111111"
PIN = "1234"


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
