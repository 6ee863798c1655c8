"""libgammu's EncodeSMS touches 270 kB of the C stack of whichever thread calls it,
and a thread keeps what it touched: every modem's worker encodes on one shared thread,
so that a daemon holds that stack once, not once a modem."""

from __future__ import annotations

import threading

import gammu
import pytest

from modem.pdu_encoding import encode_submit


def test_every_thread_encodes_on_the_one_encoding_thread(monkeypatch):
    encoded_on = []
    real_encode = gammu.EncodeSMS

    def recording(message: dict) -> list[dict]:
        encoded_on.append(threading.get_ident())
        return real_encode(message)

    monkeypatch.setattr(gammu, "EncodeSMS", recording)
    workers = [
        # Two parts: a text one part carries needs no split (`pdu_encoding._encoded_alone`).
        threading.Thread(target=encode_submit, args=(f"+3360000000{n}", "Bonjour ! " * 20))
        for n in range(3)
    ]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert len(encoded_on) >= 3
    assert len(set(encoded_on)) == 1
    assert encoded_on[0] not in {worker.ident for worker in workers}
    assert encoded_on[0] != threading.get_ident()


def test_libgammu_s_refusal_is_raised_in_the_thread_that_asked():
    with pytest.raises(ValueError, match=r"cannot encode an SMS to .*Invalid data"):
        encode_submit("+33600000000", "x" * 20_000)  # more than 50 parts
