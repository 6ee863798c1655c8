"""The simulated modem's incoming calls and USSD, byte by byte."""

from __future__ import annotations

import pytest
from sim_engine import OK, later, lines, run

from modem.sim.commands.calls import incoming_call

CALLER = "+33612345678"
SENDER = "+33611111111"
BALANCE = "Solde: 12,34 EUR. Valable jusqu'au 31/12/2026."


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


def test_it_rings_as_a_voice_call_with_extended_ring_codes(modem, clock):
    assert run(modem, "AT+CRC?") == lines("+CRC: 0", "OK")
    assert run(modem, "AT+CRC=?") == lines("+CRC: (0,1)", "OK")
    assert run(modem, "AT+CRC=1;+CLIP=1") == OK
    incoming_call(modem, CALLER, rings=1)
    assert later(modem, clock, 0) == lines("+CRING: VOICE", '+CLIP: "+33612345678",145,"",0,"",0')


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
