"""The worker's decisions through a driver in memory (tests/fake_driver.py): what it
sends, what it never sends twice, and what it makes of each event a modem announces.
The same behaviours are tried end to end on the simulated modem elsewhere."""

from __future__ import annotations

import threading
from datetime import UTC, datetime

import pytest
from fake_driver import FakeDriver
from outbox_rows import queue, status_of
from sqlalchemy import event, select
from sqlalchemy.exc import OperationalError

from modem.drivers.contract import CallRang, IncomingCall, ModemStatus, Restarted, StatusReport
from modem.errors import NoAnswer, PortError, SubmitOutcomeUnknown
from modem.pdu_encoding import encode_deliver
from modem.upkeep import UNANNOUNCED_SWEEP_INTERVAL
from modem.worker import ModemWorker
from smsbox import calls
from smsbox.config import MessagingConfig, ModemConfig
from smsbox.keywords import KeywordRules
from smsbox.models import Direction, Message, MessagePart, Modem, Status

RECIPIENT = "+33611111111"
CALLER = "+33622222222"
RANG_AT = datetime(2026, 11, 25, 9, 30, tzinfo=UTC)


@pytest.fixture
def modem() -> FakeDriver:
    return FakeDriver()


def connected_worker(sessions, modem: FakeDriver, **options) -> ModemWorker:
    worker = ModemWorker(
        ModemConfig(name="fake", device="/dev/null"),
        modem,
        sessions,
        messaging=MessagingConfig(default_region="FR"),
        stop=threading.Event(),
        **options,
    )
    worker.connect()
    return worker


@pytest.fixture
def worker(sessions, modem: FakeDriver) -> ModemWorker:
    return connected_worker(sessions, modem)


def sent_reference(sessions, message_id: int) -> int | None:
    with sessions() as session:
        return session.scalars(
            select(MessagePart.reference).where(MessagePart.message_id == message_id)
        ).one()


def test_it_sends_a_queued_message_once_and_keeps_its_reference(sessions, modem, worker):
    (message_id,) = queue(sessions, "06 11 11 11 11", text="Bonjour à tous")

    worker.step()
    worker.step()

    assert modem.texts_on_the_network() == ["Bonjour à tous"]
    assert status_of(sessions, message_id) == Status.SENT
    assert sent_reference(sessions, message_id) == modem.network.submitted()[0].references[0]


def test_it_sends_every_part_of_a_long_message(sessions, modem, worker):
    text = "Réunion du conseil — ordre du jour : budget. " * 8
    (message_id,) = queue(sessions, RECIPIENT, text=text)

    worker.step()

    assert modem.texts_on_the_network() == [text]
    assert status_of(sessions, message_id) == Status.SENT


def test_it_marks_a_message_delivered_when_its_report_comes(sessions, modem, worker):
    (message_id,) = queue(sessions, RECIPIENT)
    worker.step()
    reference = sent_reference(sessions, message_id)
    assert reference is not None

    modem.pending_events.append(StatusReport(reference, RECIPIENT, 0x00, RANG_AT))
    worker.step()

    assert status_of(sessions, message_id) == Status.DELIVERED


def test_it_ignores_a_report_for_a_reference_it_never_got(sessions, modem, worker):
    (message_id,) = queue(sessions, RECIPIENT)
    worker.step()
    reference = sent_reference(sessions, message_id)
    assert reference is not None

    modem.pending_events.append(StatusReport((reference + 7) % 256, RECIPIENT, 0x00, RANG_AT))
    worker.step()

    assert status_of(sessions, message_id) == Status.SENT


def test_it_waits_to_retry_a_refused_message_and_fails_a_rejected_one(sessions, modem, worker):
    congested, rejected = queue(sessions, RECIPIENT, "0622222222")
    modem.refuse_next("+CMS ERROR: 42")
    modem.refuse_next("+CMS ERROR: 1", permanent=True)

    worker.step()
    worker.step()

    assert status_of(sessions, congested) == Status.QUEUED  # tried again later
    assert status_of(sessions, rejected) == Status.FAILED
    assert modem.texts_on_the_network() == []


def test_it_never_resends_a_part_whose_answer_was_lost(sessions, modem, worker):
    (message_id,) = queue(sessions, RECIPIENT, text="une seule fois")
    modem.lose_next_answer()

    with pytest.raises(SubmitOutcomeUnknown):
        worker.step()
    worker.connect()  # as the worker does after a fault
    for _ in range(3):
        worker.step()

    assert modem.texts_on_the_network() == ["une seule fois"]
    assert status_of(sessions, message_id) == Status.INTERRUPTED


def test_it_encodes_the_next_message_while_the_modem_takes_a_part(
    sessions, modem, worker, monkeypatch
):
    queue(sessions, RECIPIENT, CALLER, text="l'un puis l'autre")
    submitting = False
    encoded_while_submitting = []
    split, submit = modem.split, modem.submit

    def watched_split(*arguments):
        encoded_while_submitting.append(submitting)
        return split(*arguments)

    def watched_submit(*arguments):
        nonlocal submitting
        submitting = True
        try:
            return submit(*arguments)
        finally:
            submitting = False

    monkeypatch.setattr(modem, "split", watched_split)
    monkeypatch.setattr(modem, "submit", watched_submit)
    worker.step()
    worker.step()

    assert modem.texts_on_the_network() == ["l'un puis l'autre"] * 2
    assert encoded_while_submitting == [False, True]


def test_it_keeps_the_answer_before_a_handover_whose_commit_failed(sessions, modem, monkeypatch):
    # A still clock: the periodic checks, which write the answers first, are not due.
    worker = connected_worker(sessions, modem, monotonic=lambda: 0.0)
    worker.step()  # the first step's checks
    first, second = queue(sessions, RECIPIENT, CALLER, text="une fois chacun")
    failing = False

    def database_fails(_connection) -> None:
        nonlocal failing
        if failing:
            failing = False
            raise OperationalError("COMMIT", {}, Exception("disk I/O error"))

    submit = modem.submit

    def second_handover_fails(part, before_handover, meanwhile):
        def fail_then_hand_over() -> None:
            nonlocal failing
            failing = len(modem.texts_on_the_network()) == 1
            before_handover()

        return submit(part, fail_then_hand_over, meanwhile)

    monkeypatch.setattr(modem, "submit", second_handover_fails)
    event.listen(sessions.kw["bind"], "commit", database_fails)
    try:
        worker.step()
        with pytest.raises(OperationalError):
            worker.step()
    finally:
        event.remove(sessions.kw["bind"], "commit", database_fails)
    worker.connect()
    worker.step()

    assert modem.texts_on_the_network() == ["une fois chacun"] * 2
    assert [status_of(sessions, message) for message in (first, second)] == [Status.SENT] * 2


def test_it_sends_once_a_message_whose_prompt_never_came_after_its_handover(
    sessions, modem, worker
):
    (message_id,) = queue(sessions, RECIPIENT, text="pas encore parti")
    modem.fall_silent_at_next_prompt()

    with pytest.raises(NoAnswer):
        worker.step()
    worker.connect()
    worker.step()

    assert modem.texts_on_the_network() == ["pas encore parti"]
    assert status_of(sessions, message_id) == Status.SENT
    with sessions() as session:
        assert session.get_one(Message, message_id).parts[0].attempts == 1


def test_it_gives_back_a_message_whose_modem_went_before_taking_it(sessions, modem, worker):
    (message_id,) = queue(sessions, RECIPIENT, text="plus tard")
    modem.vanish_at_next_submission()

    with pytest.raises(PortError):
        worker.step()
    worker.connect()
    worker.step()

    assert modem.texts_on_the_network() == ["plus tard"]
    assert status_of(sessions, message_id) == Status.SENT


def test_it_stores_an_announced_sms_then_deletes_it_from_the_sim(sessions, modem, worker):
    modem.deliver(*encode_deliver(CALLER, "Merci !", smsc="+33609001390", sent_at=RANG_AT))

    worker.step()

    with sessions() as session:
        (message,) = session.scalars(
            select(Message).where(Message.direction == Direction.INBOUND)
        ).all()
        assert (message.number, message.body) == (CALLER, "Merci !")
    assert modem.slots == {}


def test_it_sets_a_modem_up_again_after_it_restarted(sessions, modem, worker):
    before = modem.reinitialisations
    modem.pending_events.append(Restarted("RDY"))

    worker.step()

    assert modem.reinitialisations == before + 1


def test_it_records_a_call_once_with_all_its_rings(sessions, modem, worker):
    modem.pending_events += [IncomingCall(RANG_AT, CALLER, 1), CallRang(RANG_AT, 2)]
    worker.step()
    modem.pending_events.append(CallRang(RANG_AT, 4))
    worker.step()

    with sessions() as session:
        (call,) = calls.list_calls(session, limit=10)
        assert (call.number, call.rings, call.modem_id) == (CALLER, 4, worker.modem_id)


def test_it_records_a_call_announced_beside_an_sms_it_then_fails_to_read(sessions, modem, worker):
    """The fault reconnects the modem: the SMS waits on the SIM for the sweep, but the
    call was only in the events the worker had taken."""
    modem.deliver(*encode_deliver(CALLER, "Rappelez-moi", smsc="+33609001390", sent_at=RANG_AT))
    modem.pending_events.append(IncomingCall(RANG_AT, CALLER, 1))
    modem.failing_reads = 1

    with pytest.raises(NoAnswer):
        worker.step()

    with sessions() as session:
        (call,) = calls.list_calls(session, limit=10)
        assert call.number == CALLER
    assert len(modem.slots) == 1


def test_it_blocks_a_send_to_a_number_that_answered_stop_but_its_answer(sessions, modem, worker):
    modem.deliver(*encode_deliver(CALLER, " Stop. ", smsc="+33609001390", sent_at=RANG_AT))
    worker.step()
    (message_id,) = queue(sessions, CALLER, text="Promotion !")

    worker.step()
    worker.step()

    assert status_of(sessions, message_id) == Status.BLOCKED
    assert modem.texts_on_the_network() == [KeywordRules().opt_out_reply]


# -- what the modem says of itself, and modems that announce nothing ----------------------


def test_it_writes_what_the_modem_says_of_itself_at_its_first_step(sessions, modem, worker):
    modem.said = ModemStatus(
        signal=18, registration="roaming", operator="Orange F", storage_used=2, imei="1234567"
    )
    worker.step()
    with sessions() as session:
        written = session.get_one(Modem, worker.modem_id)
        assert (written.signal_quality, written.registration, written.operator) == (
            18,
            "roaming",
            "Orange F",
        )
        assert (written.storage_used, written.storage_total, written.imei) == (2, None, "1234567")
        assert written.status_checked_at is not None


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


@pytest.mark.parametrize(("announces", "received"), [(True, []), (False, ["sans +CMTI"])])
def test_it_sweeps_every_few_seconds_a_modem_that_announces_no_new_sms(
    sessions, announces, received
):
    clock = Clock()
    modem = FakeDriver(announces_new_messages=announces)
    worker = connected_worker(sessions, modem, monotonic=clock)
    worker.step()
    (pdu,) = encode_deliver(CALLER, "sans +CMTI", smsc="+33609001390", sent_at=RANG_AT)
    modem.slots[1] = pdu  # stored, and never announced
    clock.now += UNANNOUNCED_SWEEP_INTERVAL
    worker.step()
    with sessions() as session:
        bodies = session.scalars(
            select(Message.body).where(Message.direction == Direction.INBOUND)
        ).all()
    assert bodies == received
