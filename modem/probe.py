"""`smsbox doctor`'s questions to a modem: does it answer, is its SIM ready, is it on
the network, can it send (an SMS centre) and receive (room in its storage).

It asks and changes nothing: no PIN is given (a wrong one brings the SIM closer to
its PUK), no setting written.
"""

from __future__ import annotations

from collections.abc import Callable

import serial

from modem.at import first_with, parse_cpms, parse_creg, parse_csca
from modem.channel import ATChannel, Port
from modem.drivers.pin import READY, WANTS_PIN, WANTS_PUK
from modem.errors import ModemError, NoAnswer
from smsbox.config import ModemConfig
from smsbox.doctor.verdicts import Verdict, fail, ok, warning

# A modem answers AT within milliseconds: a few seconds tell a dead one quickly.
ANSWER_TIMEOUT = 3.0
REGISTERED = ("home", "roaming")


def probe(modem: ModemConfig, *, open_port: Callable[..., Port] = serial.Serial) -> list[Verdict]:
    where = f"modem {modem.name}"
    try:
        port = open_port(modem.device, modem.baudrate, timeout=0.2)
    except (serial.SerialException, OSError) as error:
        return [fail(where, f"cannot open {modem.device}: {error}", "check the device path")]
    channel = ATChannel(port)
    try:
        return _ask(where, modem, channel)
    except NoAnswer as error:
        return [
            fail(
                where,
                f"stopped answering: {error}",
                "the modem may be restarting: try again in a minute",
            )
        ]
    finally:
        channel.close()


def _ask(where: str, modem: ModemConfig, channel: ATChannel) -> list[Verdict]:
    channel.drain()
    try:
        channel.command("AT", timeout=ANSWER_TIMEOUT)
    except ModemError as error:
        return [
            fail(
                where,
                f"no answer to AT within {ANSWER_TIMEOUT:g} s ({error})",
                "is it the modem's AT port? Many modems show several: try the other "
                "/dev/serial/by-id/ paths (if02, if00...); check baudrate and the power",
            )
        ]
    verdicts = [ok(where, "answers AT")]
    sim = _sim_verdict(where, modem, channel)
    verdicts.append(sim)
    if sim.level != "ok":
        return verdicts
    verdicts += [
        _registration_verdict(where, channel),
        _smsc_verdict(where, channel),
        _storage_verdict(where, channel),
    ]
    return verdicts


def _answer(channel: ATChannel, command: str, prefix: str) -> str:
    return first_with(channel.command(command, expect=prefix), prefix, command)


def _sim_verdict(where: str, modem: ModemConfig, channel: ATChannel) -> Verdict:
    try:
        state = _answer(channel, "AT+CPIN?", "+CPIN:").split(":", 1)[1].strip()
    except NoAnswer:
        raise
    except ModemError as error:
        return fail(where, f"no usable SIM: {error}", "insert a SIM card, contacts down")
    if state == READY:
        return ok(where, "SIM ready")
    if state == WANTS_PIN and modem.pin:
        return warning(
            where,
            "the SIM asks for its PIN; the daemon gives pin at start (the doctor does not try it)",
            "network and storage checks wait for the PIN: run the doctor again once "
            "the daemon has started",
        )
    if state == WANTS_PIN:
        return fail(where, "the SIM asks for a PIN", "set pin in this [[modem]] section")
    if state == WANTS_PUK:
        return fail(
            where,
            "the SIM is blocked and asks for its PUK",
            "unlock it in a phone with the PUK from the operator",
        )
    return fail(where, f"the SIM is not usable: {state}", "check the SIM in a phone")


def _registration_verdict(where: str, channel: ATChannel) -> Verdict:
    try:
        state = parse_creg(_answer(channel, "AT+CREG?", "+CREG:"))
    except NoAnswer:
        raise
    except ModemError as error:
        state = f"unknown ({error})"
    if state in REGISTERED:
        return ok(where, f"registered on the network ({state})")
    return fail(
        where,
        f"not registered on the network: {state}",
        "check the antenna and the signal, and that the SIM's subscription is active",
    )


def _smsc_verdict(where: str, channel: ATChannel) -> Verdict:
    try:
        smsc = parse_csca(_answer(channel, "AT+CSCA?", "+CSCA:"))
    except NoAnswer:
        raise
    except ModemError as error:
        return warning(where, f"cannot read the SMS centre: {error}", "check it in a phone")
    if smsc:
        return ok(where, f"SMS centre {smsc}")
    return fail(
        where,
        "no SMS centre number: nothing can be sent",
        'ask the operator for it and set it once: AT+CSCA="+33..." (picocom, gammu)',
    )


def _storage_verdict(where: str, channel: ATChannel) -> Verdict:
    try:
        used, total = parse_cpms(_answer(channel, "AT+CPMS?", "+CPMS:"))
    except NoAnswer:
        raise
    except ModemError as error:
        return warning(where, f"cannot read the SIM storage: {error}", "check it in a phone")
    if used >= total:
        return fail(
            where,
            f"SIM storage full ({used}/{total}): new SMS wait on the network",
            "start the daemon, which reads and empties it; if it stays full, see its log",
        )
    return ok(where, f"SIM storage {used}/{total}")
