"""The simulated modem's general commands byte by byte: registration, SIM, basics,
and when unsolicited lines may come."""

from __future__ import annotations

import pytest
from sim_engine import OK, later, lines, run

from modem.pdu_encoding import encode_submit
from modem.sim.commands.general import set_registration
from modem.sim.profiles import PROFILES

PIN, PUK = "1234", "12345678"


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


def test_it_names_the_operator_only_while_registered(make, network):
    ec25 = make("ec25")
    assert run(ec25, "AT+COPS?") == lines('+COPS: 0,0,"Orange F",7', "OK")
    network.registration = 0
    assert run(ec25, "AT+COPS?") == lines("+COPS: 0", "OK")
    assert run(ec25, "AT+COPS=?") == lines(
        '+COPS: (2,"Orange F","Orange","20801",7),,(0-4),(0-2)', "OK"
    )


def test_it_names_the_operator_in_the_format_asked_for_until_a_reboot(modem):
    assert run(modem, "AT+COPS?") == lines('+COPS: 0,0,"Orange F"', "OK")  # GSM only: no AcT
    assert run(modem, "AT+COPS=3,2") == OK  # as Gammu asks
    assert run(modem, "AT+COPS?") == lines('+COPS: 0,2,"20801"', "OK")
    assert run(modem, "AT+COPS=3,1;+COPS?") == lines('+COPS: 0,1,"Orange"', "OK")
    assert run(modem, "AT+COPS=3,0;+COPS?") == lines('+COPS: 0,0,"Orange F"', "OK")
    assert run(modem, "AT+COPS=3") == lines("+CME ERROR: 50")
    assert run(modem, "AT+COPS=3,7") == lines("+CME ERROR: 50")
    assert run(modem, "AT+COPS=3,2") == OK
    modem.reboot()
    modem.take_output()
    assert run(modem, "ATE0;+COPS?") == b"ATE0;+COPS?\r" + lines('+COPS: 0,0,"Orange F"', "OK")


def test_it_gives_the_sims_own_number_when_it_keeps_one(modem):
    assert run(modem, "AT+CNUM") == OK
    modem.sim.own_number = "+33612345678"
    assert run(modem, "AT+CNUM") == lines('+CNUM: "","+33612345678",145', "OK")
    modem.sim.own_number = "0612345678"
    assert run(modem, "AT+CNUM") == lines('+CNUM: "","0612345678",129', "OK")


def test_it_keeps_its_own_number_to_itself_while_the_sim_is_locked(make):
    locked = make(pin=PIN)
    locked.sim.own_number = "+33612345678"
    assert run(locked, "AT+CNUM") == lines("+CME ERROR: 11")


def test_it_reads_registration_with_n_0_as_a_modem_just_powered_up_does(modem, network):
    assert run(modem, "AT+CREG?") == lines("+CREG: 0,1", "OK")
    network.registration = 5
    assert run(modem, "AT+CREG?") == lines("+CREG: 0,5", "OK")


def test_it_gives_its_imei_on_a_line_of_its_own(modem):
    assert run(modem, "AT+CGSN") == lines("867856030000001", "OK")
    assert run(modem, "AT+CIMI") == lines("208150000000001", "OK")


def test_it_keeps_the_relay_link_setting_and_tells_it_as_an_event(modem):
    assert run(modem, "AT+CMMS?") == lines("+CMMS: 0", "OK")
    assert run(modem, "AT+CMMS=2") == OK
    assert run(modem, "AT+CMMS?") == lines("+CMMS: 2", "OK")
    assert run(modem, "AT+CMMS=?") == lines("+CMMS: (0-2)", "OK")
    assert run(modem, "AT+CMMS=3") == lines("+CME ERROR: 50")
    assert "relay link: AT+CMMS=2" in modem.events


def test_it_is_attached_to_packet_data_only_while_registered(modem, network):
    assert run(modem, "AT+CGATT?") == lines("+CGATT: 1", "OK")
    assert run(modem, "AT+CGATT=?") == lines("+CGATT: (0,1)", "OK")
    assert run(modem, "AT+CGATT=1") == OK
    assert run(modem, "AT+CGATT=2") == lines("+CME ERROR: 50")
    network.registration = 0
    assert run(modem, "AT+CGATT?") == lines("+CGATT: 0", "OK")


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
