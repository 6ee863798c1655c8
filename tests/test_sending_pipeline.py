"""The answer to a part committed with the next part's handover, through the simulated
modem: a daemon killed right after that commit, before the PDU it announced is
written, loses nothing and sends nothing twice."""

from __future__ import annotations

import pytest
from outbox_rows import queue, status_of
from sim_senders import at_submission, sender_on

from modem.drivers.contract import Hook
from modem.sim import SimulatedModem
from smsbox import sending
from smsbox.models import Message, Status

TEXTS = ["premier", "deuxieme", "troisieme"]


class Killed(BaseException):
    """kill -9: nothing of the daemon runs after it, no handler, no commit."""


def dying_sender_on(sim: SimulatedModem, sessions, *, killed_at_handover: int):
    """A sender on `sim`'s port whose daemon dies as the `killed_at_handover`th
    submission's handover is committed (counting from 1)."""
    sender, driver = sender_on(sim, sessions)
    submit = driver.submit

    def commit_then_die(part: str, before_handover: Hook, meanwhile: Hook) -> int | None:
        def die_after_it() -> None:
            before_handover()
            raise Killed

        return submit(part, die_after_it, meanwhile)

    at_submission(driver, killed_at_handover, commit_then_die)
    return sender, driver


def send_the_rest(sender, driver, modem_id: int) -> None:
    while sender.send_one(modem_id, batch=3):
        pass
    driver.close()


def test_a_kill_after_the_combined_commit_loses_and_duplicates_nothing(
    sessions, modem_id, tmp_path
):
    first, second, third = (
        queue(sessions, f"06111111{n:02d}", text=text)[0] for n, text in enumerate(TEXTS)
    )
    with SimulatedModem(tmp_path / "modem") as sim:
        sender, driver = dying_sender_on(sim, sessions, killed_at_handover=2)
        assert sender.send_one(modem_id, batch=3)
        with pytest.raises(Killed):
            sender.send_one(modem_id, batch=3)
        driver.close()

        # The commit that announced the second message also held the first's answer;
        # the first's own row waits (`smsbox.outgoing`: rows held), sent at recovery.
        with sessions() as session:
            answered = session.get_one(Message, first).parts
            assert [(part.status, part.reference) for part in answered] == [
                (Status.SENT, sim.sent()[0].references[0])
            ]
            handed_over = session.get_one(Message, second).parts
            assert [part.status for part in handed_over] == [Status.SENDING]

        # The next start: the second message may be on the network for all it knows.
        with sessions() as session:
            assert [message.id for message in sending.recover_unfinished(session, modem_id)] == [
                second
            ]
            session.commit()
        sender, driver = sender_on(sim, sessions)
        send_the_rest(sender, driver, modem_id)
        assert sorted(sms.text for sms in sim.sent()) == sorted(["premier", "troisieme"])
    statuses = [status_of(sessions, message) for message in (first, second, third)]
    assert statuses == [Status.SENT, Status.INTERRUPTED, Status.SENT]


def test_an_error_to_the_next_command_while_the_answer_is_committed_keeps_both(
    sessions, modem_id, tmp_path
):
    first, second, third = (
        queue(sessions, f"06111111{n:02d}", text=text)[0] for n, text in enumerate(TEXTS)
    )
    with SimulatedModem(tmp_path / "modem") as sim:
        sender, driver = sender_on(sim, sessions)
        submit = driver.submit

        def refused(part: str, before_handover: Hook, meanwhile: Hook) -> int | None:
            # The modem answers this AT+CMGS with an error while the first message's
            # answer and this one's handover are being committed.
            sim.fail_next(1, code=38)
            return submit(part, before_handover, meanwhile)

        at_submission(driver, 2, refused)
        send_the_rest(sender, driver, modem_id)
        assert sorted(sms.text for sms in sim.sent()) == sorted(["premier", "troisieme"])
    statuses = [status_of(sessions, message) for message in (first, second, third)]
    assert statuses == [Status.SENT, Status.QUEUED, Status.SENT]
    with sessions() as session:
        (refused,) = session.get_one(Message, second).parts
        assert (refused.status, refused.attempts) == (Status.QUEUED, 1)
        assert "38" in (refused.error or "")
