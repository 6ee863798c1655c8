"""python-gammu's words in the daemon's terms, without a modem."""

from __future__ import annotations

import gammu
import pytest

from modem.drivers.gammu_terms import memory_of, modem_error, signal_of, slot_of
from modem.errors import ModemTimeout, NoAnswer, PortError


def raised(kind: type[gammu.GSMError], code: int) -> gammu.GSMError:
    return kind({"Text": "libgammu's words", "Where": "GetSMS", "Code": code})


def test_it_tells_no_answer_and_a_lost_port_from_an_answered_error():
    assert isinstance(modem_error(raised(gammu.ERR_TIMEOUT, 14)), ModemTimeout)
    assert isinstance(modem_error(raised(gammu.ERR_DEVICENOTEXIST, 4)), PortError)
    answered = modem_error(raised(gammu.ERR_SECURITYERROR, 23))
    assert not isinstance(answered, NoAnswer)
    assert (str(answered), answered.code, answered.permanent) == (
        "GetSMS: libgammu's words",
        23,
        False,
    )


@pytest.mark.parametrize(
    ("strength", "rssi"), [(-113, 0), (-71, 21), (-51, 31), (-1, None), (None, None)]
)
def test_it_counts_signal_as_csq_does(strength, rssi):
    assert signal_of({"SignalStrength": strength, "SignalPercent": 50}) == rssi


def test_it_numbers_a_phone_memory_slot_one_way_however_libgammu_numbered_it():
    assert slot_of("SM", 3) == 3
    assert slot_of("ME", 3) == slot_of("ME", 100_003) == slot_of("ME", 200_003) == 100_003
    assert (memory_of(3), memory_of(100_003)) == ("SM", "ME")
