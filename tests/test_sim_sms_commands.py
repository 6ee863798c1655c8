"""The simulated modem's SMS commands (3GPP TS 27.005) byte by byte: text mode,
storages, routing of new messages and reports, writing and sending from storage."""

from __future__ import annotations

from datetime import UTC, datetime

import gammu
import pytest
from sim_engine import lines, run

from modem.pdu_encoding import encode_status_report, encode_submit
from modem.sim.commands.sms_incoming import deliver_report
from modem.sim.engine import ModemEngine
from modem.sim.network import SimulatedNetwork

SENDER = "+33611111111"
RECIPIENT = "+33612345678"


@pytest.fixture
def modem(network) -> ModemEngine:
    engine = ModemEngine(network)
    run(engine, "ATE0")
    assert run(engine, "AT+CMEE=1;+CNMI=2,1,0,0,0") == ok()
    return engine


def ok(*texts: str | bytes) -> bytes:
    return lines(*texts, "OK")


def deliver(engine: ModemEngine, network: SimulatedNetwork, text: str) -> bytes:
    """What the modem announced of the SMS it received."""
    for pdu in network.deliver_pdus(SENDER, text):
        assert engine.receive(pdu)
    return engine.take_output()


def prompt_and_send(engine: ModemEngine, line: str, body: bytes) -> bytes:
    assert run(engine, line) == b"\r\n> "
    engine.feed(body + b"\x1a")
    return engine.take_output()


# -- text mode ----------------------------------------------------------------------------


def test_it_sends_in_text_mode_with_the_gsm_charset(modem, network):
    assert run(modem, "AT+CMGF=1") == ok()
    text = "Café à 5 £, déjà 1/2 prix ?"
    answer = prompt_and_send(modem, f'AT+CMGS="{RECIPIENT}"', text.encode("gsm03.38"))
    assert answer == ok("+CMGS: 1")
    (sent,) = network.submitted()
    assert (sent.recipient, sent.text) == (RECIPIENT, text)


def test_it_cancels_a_text_mode_message_at_the_gsm_escape_byte(modem, network):
    # ESC is both GSM 03.38's escape to € and the prompt's cancel key: a real modem
    # cancels, so € cannot be typed in text mode with the GSM charset.
    run(modem, "AT+CMGF=1")
    assert prompt_and_send(modem, f'AT+CMGS="{RECIPIENT}"', "5 €".encode("gsm03.38")) == ok()
    assert network.submitted() == []


def test_it_sends_in_text_mode_with_the_ucs2_charset(modem, network):
    run(modem, "AT+CMGF=1")
    assert run(modem, 'AT+CSCS="UCS2"') == ok()
    number = RECIPIENT.encode("utf-16-be").hex().upper()
    body = "Ça va ? 😀".encode("utf-16-be").hex().upper().encode()
    assert prompt_and_send(modem, f'AT+CMGS="{number}"', body) == ok("+CMGS: 1")
    assert network.submitted()[0].text == "Ça va ? 😀"
    assert prompt_and_send(modem, f'AT+CMGW="{number}"', body) == ok("+CMGW: 1")
    assert run(modem, "AT+CMGR=1").startswith(f'\r\n+CMGR: "STO UNSENT","{number}"'.encode())


def test_it_refuses_in_text_mode_what_needs_more_than_one_sms(modem):
    run(modem, "AT+CMGF=1")
    answer = prompt_and_send(modem, f'AT+CMGS="{RECIPIENT}"', b"x" * 200)
    assert answer == lines("+CMS ERROR: 305")


def test_it_reads_and_lists_in_text_mode_with_status_words(modem, network):
    deliver(modem, network, "Bonjour")
    deliver(modem, network, "ça marche")
    run(modem, "AT+CMGF=1")

    read = run(modem, "AT+CMGR=1")
    assert read.startswith(f'\r\n+CMGR: "REC UNREAD","{SENDER}",,"'.encode())
    assert read.endswith(b'"\r\nBonjour\r\n\r\nOK\r\n')
    listing = run(modem, 'AT+CMGL="ALL"')
    assert b'+CMGL: 1,"REC READ","+33611111111",,"' in listing
    assert b'+CMGL: 2,"REC UNREAD","+33611111111",,"' in listing
    # UCS2-coded messages are shown in hex whatever AT+CSCS says (27.005 §3.1).
    assert "ça marche".encode("utf-16-be").hex().upper().encode() in listing
    assert run(modem, 'AT+CMGL="REC UNREAD"') == ok()


def test_it_announces_a_new_message_directly_in_text_mode(modem, network):
    run(modem, "AT+CMGF=1;+CNMI=2,2,0,0,0")
    out = deliver(modem, network, "Flash info")
    assert out.startswith(f'\r\n+CMT: "{SENDER}",,"'.encode())
    assert out.endswith(b'"\r\nFlash info\r\n')
    assert not modem.storage.messages


UNDECODABLE_PDU = "07913306091093F0" + "FF" * 10  # hex of a PDU's length, no SMS inside


def test_it_answers_an_error_for_a_message_text_mode_cannot_show(modem):
    run(modem, "AT+CMGF=1;+CNMI=2,2,0,0,0")  # text mode, new messages passed on directly
    assert modem.receive(UNDECODABLE_PDU)
    assert modem.take_output() == lines('+CMTI: "SM",1')  # stored, not shown
    assert run(modem, "AT+CMGR=1") == lines("+CMS ERROR: 500")
    assert run(modem, 'AT+CMGL="ALL"') == lines("+CMS ERROR: 500")
    assert run(modem, f"AT+CMSS=1,{RECIPIENT}") == lines("+CMS ERROR: 500")
    assert run(modem, "AT+CMGF=0;+CMGR=1").endswith(f"{UNDECODABLE_PDU}\r\n\r\nOK\r\n".encode())


# -- storages and routing -------------------------------------------------------------------------


def test_it_reports_and_switches_preferred_storages(modem, network):
    assert run(modem, "AT+CPMS=?") == ok('+CPMS: ("SM","ME","SR"),("SM","ME"),("SM","ME")')
    deliver(modem, network, "sur la SIM")
    assert run(modem, "AT+CPMS?") == ok('+CPMS: "SM",1,30,"SM",1,30,"SM",1,30')
    assert run(modem, 'AT+CPMS="ME","ME","ME"') == ok("+CPMS: 0,50,0,50,0,50")
    assert deliver(modem, network, "dans le modem") == lines('+CMTI: "ME",1')
    assert len(modem.stores["ME"].messages) == 1
    assert run(modem, 'AT+CPMS="XX"') == lines("+CMS ERROR: 302")
    assert run(modem, 'AT+CPMS="SM","SR"') == lines("+CMS ERROR: 302")  # reports: read only


def test_it_passes_a_new_message_directly_in_pdu_mode_without_storing_it(modem, network):
    run(modem, "AT+CNMI=2,2,0,0,0")
    (pdu,) = network.deliver_pdus(SENDER, "direct")
    assert modem.receive(pdu)
    length = len(bytes.fromhex(pdu)) - 1 - bytes.fromhex(pdu)[0]
    assert modem.take_output() == lines(f"+CMT: ,{length}\r\n{pdu}")
    assert not modem.storage.messages


def test_it_stores_silently_when_indications_are_off(modem, network):
    run(modem, "AT+CNMI=0,0,0,0,0")
    assert deliver(modem, network, "sans annonce") == b""
    assert len(modem.storage.messages) == 1


def status_report(reference: int = 7) -> str:
    return encode_status_report(
        reference, RECIPIENT, smsc="+33609001390",
        submitted_at=datetime(2026, 11, 24, 9, 0, tzinfo=UTC), status=0,
    )  # fmt: skip


def test_it_routes_status_reports_as_cnmi_ds_says(modem):
    report = status_report()
    deliver_report(modem, report)
    assert modem.take_output() == b""  # <ds>=0: not routed

    run(modem, "AT+CNMI=2,1,0,1,0")
    deliver_report(modem, report)
    assert modem.take_output() == lines(f"+CDS: {len(bytes.fromhex(report)) - 8}\r\n{report}")

    run(modem, "AT+CNMI=2,1,0,2,0")
    deliver_report(modem, report)
    assert modem.take_output() == lines('+CDSI: "SR",1')
    assert modem.stores["SR"].messages[1].pdu == report

    run(modem, 'AT+CPMS="SR"')
    assert run(modem, "AT+CMGR=1").endswith(f"{report}\r\n\r\nOK\r\n".encode())
    run(modem, "AT+CMGD=1")
    assert not modem.stores["SR"].messages


def test_it_makes_status_reports_that_python_gammu_reads_back():
    decoded = gammu.DecodePDU(bytes.fromhex(status_report(42)))
    assert decoded["Type"] == "Status_Report"
    assert (decoded["MessageReference"], decoded["Number"]) == (42, RECIPIENT)
    assert decoded["DeliveryStatus"] == 0


# -- writing, sending from storage, deleting ----------------------------------------------------


def test_it_writes_a_message_to_storage_and_sends_it_from_there(modem, network):
    (part,) = encode_submit(RECIPIENT, "depuis la mémoire", status_report=False)
    answer = prompt_and_send(modem, f"AT+CMGW={part.tpdu_length}", part.hex.encode())
    assert answer == ok("+CMGW: 1")
    assert run(modem, "AT+CMGL=2") == ok(f"+CMGL: 1,2,,{part.tpdu_length}\r\n{part.hex}")

    assert run(modem, "AT+CMSS=1") == ok("+CMSS: 1")
    assert network.submitted()[0].text == "depuis la mémoire"
    assert run(modem, "AT+CMGL=3").startswith(b"\r\n+CMGL: 1,3,,")
    assert run(modem, 'AT+CMSS=1,"+33699999999"') == ok("+CMSS: 2")
    assert network.submitted()[1].recipient == "+33699999999"
    assert run(modem, "AT+CMSS=9") == lines("+CMS ERROR: 321")


def test_it_writes_in_text_mode_too(modem, network):
    run(modem, "AT+CMGF=1")
    assert prompt_and_send(modem, f'AT+CMGW="{RECIPIENT}"', b"brouillon") == ok("+CMGW: 1")
    assert run(modem, "AT+CMGR=1") == ok(f'+CMGR: "STO UNSENT","{RECIPIENT}"\r\nbrouillon')


@pytest.mark.parametrize(
    ("flag", "left"),
    [(1, {2, 3, 4}), (2, {2, 3}), (3, {2}), (4, set())],
)
def test_it_deletes_by_status_with_the_delete_flag(modem, network, flag, left):
    deliver(modem, network, "lu")  # 1: read below
    deliver(modem, network, "pas lu")  # 2: unread
    for status in (2, 3):  # 3: unsent, 4: sent
        (part,) = encode_submit(RECIPIENT, "x", status_report=False)
        prompt_and_send(modem, f"AT+CMGW={part.tpdu_length},{status}", part.hex.encode())
    run(modem, "AT+CMGR=1")
    assert run(modem, f"AT+CMGD=0,{flag}") == ok()
    assert set(modem.storage.messages) == left


def test_it_answers_the_service_centre_and_takes_a_new_one(modem):
    assert run(modem, "AT+CSCA?") == ok('+CSCA: "+33609001390",145')
    assert run(modem, 'AT+CSCA="+33609001391",145') == ok()
    assert run(modem, "AT+CSCA?") == ok('+CSCA: "+33609001391",145')


def test_it_refuses_a_pdu_that_does_not_match_its_announced_length(modem, network):
    (part,) = encode_submit(RECIPIENT, "longueur")
    answer = prompt_and_send(modem, f"AT+CMGS={part.tpdu_length + 1}", part.hex.encode())
    assert answer == lines("+CMS ERROR: 304")
    assert network.submitted() == []
