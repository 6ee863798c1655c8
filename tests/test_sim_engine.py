from __future__ import annotations

import time

import pytest
import serial
from serial_port import read_until
from sim_engine import run

from modem.pdu import decode, join_text
from modem.pdu_encoding import encode_submit
from modem.sim import SimulatedModem
from modem.sim.engine import ModemEngine
from modem.sim.network import SimulatedNetwork

STORAGE_CAPACITY = 30

RECIPIENT = "+33612345678"
SENDER = "+33611111111"


@pytest.fixture
def engine(network) -> ModemEngine:
    return ModemEngine(network)


@pytest.fixture
def quiet(engine) -> ModemEngine:
    """An engine set up as the driver sets it: no echo, numeric errors, +CMTI notices."""
    assert run(engine, "ATE0") == b"ATE0\r\r\nOK\r\n"
    assert run(engine, "AT+CMEE=1;+CNMI=2,1,0,0,0") == b"\r\nOK\r\n"
    return engine


def inbound_pdu(network: SimulatedNetwork, text: str = "hello") -> str:
    (pdu,) = network.deliver_pdus(SENDER, text)
    return pdu


# -- commands ---------------------------------------------------------------------


def test_it_echoes_by_default_until_told_not_to(engine):
    assert run(engine, "AT") == b"AT\r\r\nOK\r\n"
    assert run(engine, "ATE0") == b"ATE0\r\r\nOK\r\n"
    assert run(engine, "AT") == b"\r\nOK\r\n"


def test_it_frames_information_lines_and_results(quiet):
    assert run(quiet, "AT+CSQ") == b"\r\n+CSQ: 21,99\r\n\r\nOK\r\n"
    assert run(quiet, "AT+CGMM") == b"\r\nSIMCOM_SIM800L\r\n\r\nOK\r\n"


def test_it_answers_an_unknown_command_with_error_then_with_its_code(engine):
    run(engine, "ATE0")
    assert run(engine, "AT+WHAT") == b"\r\nERROR\r\n"
    assert run(engine, "AT+CMEE=1") == b"\r\nOK\r\n"
    assert run(engine, "AT+WHAT") == b"\r\n+CME ERROR: 3\r\n"
    assert run(engine, "AT+CMEE=2") == b"\r\nOK\r\n"
    assert run(engine, "AT+WHAT") == b"\r\n+CME ERROR: operation not allowed\r\n"


def test_it_refuses_a_line_that_is_not_a_command(engine):
    run(engine, "ATE0")
    assert run(engine, "hello") == b"\r\nERROR\r\n"


def test_it_runs_several_commands_of_one_line_with_one_result(engine):
    run(engine, "ATE0")
    assert run(engine, "AT+CMEE=1;+CMGF=0") == b"\r\nOK\r\n"
    assert run(engine, "AT+CMEE?;+CMGF?") == b"\r\n+CMEE: 1\r\n\r\n+CMGF: 0\r\n\r\nOK\r\n"


def test_it_runs_basic_and_extended_commands_written_together(engine):
    assert run(engine, "ATE0+CMEE=1") == b"ATE0+CMEE=1\r\r\nOK\r\n"
    assert run(engine, "AT+CMEE?") == b"\r\n+CMEE: 1\r\n\r\nOK\r\n"


def test_it_stops_a_line_at_the_first_failing_command(quiet):
    assert run(quiet, "AT+CMEE=0;+WHAT;+CMEE=1") == b"\r\nERROR\r\n"
    assert run(quiet, "AT+CMEE?") == b"\r\n+CMEE: 0\r\n\r\nOK\r\n"


def test_it_keeps_its_settings_on_a_bare_at(quiet, network):
    assert run(quiet, "AT") == b"\r\nOK\r\n"
    assert run(quiet, "AT+CMEE?") == b"\r\n+CMEE: 1\r\n\r\nOK\r\n"
    assert quiet.receive(inbound_pdu(network))
    assert quiet.take_output() == b'\r\n+CMTI: "SM",1\r\n'


def test_it_puts_factory_settings_back_on_atz(quiet):
    assert run(quiet, "ATZ") == b"\r\nOK\r\n"
    assert run(quiet, "AT") == b"AT\r\r\nOK\r\n"


def test_it_takes_a_command_written_in_two_pieces(quiet):
    quiet.feed(b"AT+C")
    assert quiet.take_output() == b""
    quiet.feed(b"SQ\r")
    assert quiet.take_output() == b"\r\n+CSQ: 21,99\r\n\r\nOK\r\n"


def test_it_ignores_the_line_feed_after_a_carriage_return(quiet):
    quiet.feed(b"AT\r\nAT\r\n")
    assert quiet.take_output() == b"\r\nOK\r\n\r\nOK\r\n"


# -- sending ---------------------------------------------------------------------------


def test_it_prompts_for_a_pdu_and_hands_it_to_the_network(quiet, network):
    (part,) = encode_submit(RECIPIENT, "Bonjour é ç €")
    assert run(quiet, f"AT+CMGS={part.tpdu_length}") == b"\r\n> "
    quiet.feed(part.hex.encode() + b"\x1a")
    assert quiet.take_output() == b"\r\n+CMGS: 1\r\n\r\nOK\r\n"
    (sms,) = network.submitted()
    assert (sms.recipient, sms.text, sms.references) == (RECIPIENT, "Bonjour é ç €", [1])
    assert sms.status_report


def test_it_records_a_long_message_once_all_parts_arrived(quiet, network):
    text = "x" * 400
    references = []
    for part in encode_submit(RECIPIENT, text, status_report=False):
        assert network.submitted() == []
        run(quiet, f"AT+CMGS={part.tpdu_length}")
        quiet.feed(part.hex.encode() + b"\x1a")
        references.append(int(quiet.take_output().split(b"+CMGS: ")[1].split(b"\r")[0]))
    (sms,) = network.submitted()
    assert sms.text == text
    assert sms.references == references == [1, 2, 3]
    assert not sms.status_report


def test_it_echoes_the_pdu_while_echo_is_on(engine, network):
    (part,) = encode_submit(RECIPIENT, "hi")
    assert run(engine, f"AT+CMGS={part.tpdu_length}") == (
        f"AT+CMGS={part.tpdu_length}\r\r\n> ".encode()
    )
    engine.feed(part.hex.encode() + b"\x1a")
    assert engine.take_output() == part.hex.encode() + b"\r\n+CMGS: 1\r\n\r\nOK\r\n"


def test_it_cancels_a_submit_on_escape(quiet, network):
    (part,) = encode_submit(RECIPIENT, "never sent")
    run(quiet, f"AT+CMGS={part.tpdu_length}")
    quiet.feed(part.hex.encode() + b"\x1b")
    assert quiet.take_output() == b"\r\nOK\r\n"
    assert network.submitted() == []
    assert run(quiet, "AT") == b"\r\nOK\r\n"


def test_it_refuses_a_pdu_of_another_length_than_announced(quiet, network):
    (part,) = encode_submit(RECIPIENT, "hello")
    run(quiet, f"AT+CMGS={part.tpdu_length - 1}")
    quiet.feed(part.hex.encode() + b"\x1a")
    assert quiet.take_output() == b"\r\n+CMS ERROR: 304\r\n"
    assert network.submitted() == []


def test_it_refuses_a_pdu_that_is_not_hex(quiet, network):
    run(quiet, "AT+CMGS=5")
    quiet.feed(b"NOT HEX\x1a")
    assert quiet.take_output() == b"\r\n+CMS ERROR: 304\r\n"
    assert network.submitted() == []


# -- receiving ---------------------------------------------------------------------------


def test_it_announces_a_received_sms_and_marks_it_read_once_read(quiet, network):
    pdu = inbound_pdu(network)
    assert quiet.receive(pdu)
    assert quiet.take_output() == b'\r\n+CMTI: "SM",1\r\n'
    answer = run(quiet, "AT+CMGR=1")
    assert answer.startswith(b"\r\n+CMGR: 0,,")
    assert f"\r\n{pdu}\r\n\r\nOK\r\n".encode() in answer
    assert join_text([pdu]) == "hello"
    assert run(quiet, "AT+CMGR=1").startswith(b"\r\n+CMGR: 1,,")


def test_it_stores_without_announcing_when_notices_are_off(engine, network):
    run(engine, "ATE0")
    assert engine.receive(inbound_pdu(network))
    assert engine.take_output() == b""
    assert b"+CMGL: 1,0" in run(engine, "AT+CMGL=4")


def test_it_lists_every_stored_message_on_cmgl_4(quiet, network):
    first, second = inbound_pdu(network, "one"), inbound_pdu(network, "two")
    quiet.receive(first)
    quiet.receive(second)
    quiet.take_output()
    run(quiet, "AT+CMGR=1")
    lines = run(quiet, "AT+CMGL=4").decode().split("\r\n")
    listed = [line for line in lines if line]
    assert listed[0].startswith("+CMGL: 1,1,,")
    assert listed[1] == first
    assert listed[2].startswith("+CMGL: 2,0,,")
    assert listed[3] == second
    assert listed[4] == "OK"
    assert len(listed) == 5


def test_it_lists_only_unread_messages_by_default(quiet, network):
    quiet.receive(inbound_pdu(network, "one"))
    quiet.receive(inbound_pdu(network, "two"))
    run(quiet, "AT+CMGR=1")
    listing = run(quiet, "AT+CMGL=0")
    assert b"+CMGL: 2,0" in listing
    assert b"+CMGL: 1," not in listing


def test_it_deletes_a_stored_message(quiet, network):
    quiet.receive(inbound_pdu(network))
    quiet.take_output()
    assert run(quiet, "AT+CMGD=1") == b"\r\nOK\r\n"
    assert run(quiet, "AT+CMGR=1") == b"\r\n+CMS ERROR: 321\r\n"
    assert run(quiet, "AT+CMGL=4") == b"\r\nOK\r\n"


def test_it_refuses_a_new_sms_when_storage_is_full(quiet, network):
    pdu = inbound_pdu(network)
    assert all(quiet.receive(pdu) for _ in range(STORAGE_CAPACITY))
    quiet.take_output()
    assert not quiet.receive(pdu)
    assert quiet.take_output() == b""
    assert run(quiet, "AT+CPMS?").startswith(f'\r\n+CPMS: "SM",{STORAGE_CAPACITY},'.encode())


# -- on a pty, through pyserial --------------------------------------------------------------


def command(port: serial.Serial, line: str) -> bytes:
    port.write(line.encode("ascii") + b"\r")
    return read_until(port, b"OK\r\n")


def test_it_answers_on_a_pty_behind_a_link_that_lives_as_long_as_the_modem(tmp_path):
    link = tmp_path / "dev" / "modem0"
    with SimulatedModem(link) as sim:
        assert link.exists()
        with serial.Serial(str(sim.link), 115200, timeout=1) as port:
            assert command(port, "AT").endswith(b"\r\nOK\r\n")
    assert not link.exists()
    assert not link.is_symlink()


def test_it_keeps_a_message_on_the_network_until_the_sim_has_room(tmp_path):
    with SimulatedModem(tmp_path / "modem0") as sim:
        filler = sim.network.deliver_pdus(SENDER, "filler")[0]
        for _ in range(STORAGE_CAPACITY):
            assert sim.engine.receive(filler)
        with serial.Serial(str(sim.link), 115200, timeout=0.1) as port:
            command(port, "ATE0")
            command(port, "AT+CMEE=1;+CNMI=2,1,0,0,0")
            assert sim.deliver(SENDER, "late but here") == 1
            time.sleep(0.3)
            assert b"+CMTI" not in port.read(port.in_waiting or 1)
            port.write(b"AT+CMGD=7\r")
            read_until(port, b'+CMTI: "SM",7')
            lines = [line for line in command(port, "AT+CMGR=7").decode().split("\r\n") if line]
        header, pdu, ok = lines
        assert header.startswith("+CMGR: 0,,")
        assert ok == "OK"
        assert decode(pdu)["Text"] == "late but here"
        assert decode(pdu)["Number"] == SENDER
