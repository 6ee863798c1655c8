"""V.250 basics, identification, SIM, registration and character set."""

from __future__ import annotations

from typing import TYPE_CHECKING

from modem.sim.commands import command, integer, setting
from modem.sim.errors import INCORRECT_PARAMETERS, OPERATION_NOT_ALLOWED, cme, cms
from modem.sim.network import REGISTERED
from modem.sim.parser import Command, Kind
from modem.sim.state import Settings

if TYPE_CHECKING:
    from modem.sim.engine import ModemEngine

CHARSETS = ("GSM", "IRA", "UCS2")
INCORRECT_PASSWORD, SIM_PIN_REQUIRED, SIM_PUK_REQUIRED = 16, 11, 12
CMS_SIM_PIN_REQUIRED, CMS_SIM_PUK_REQUIRED = 311, 316
NO_NETWORK_SERVICE, CMS_NO_NETWORK_SERVICE = 30, 331
UNLOCK_URC_DELAY = 0.1


@command("E")
def echo(engine: ModemEngine, command: Command) -> None:
    engine.settings.echo = integer(command.argument or "0", range(2)) == 1


@command("V")
def verbose(engine: ModemEngine, command: Command) -> None:
    engine.settings.verbose = integer(command.argument or "0", range(2)) == 1


@command("Z", "&F")
def factory_settings(engine: ModemEngine, command: Command) -> None:
    engine.settings = Settings()


@command("Q", "&C", "&D", "&W", "X")
def accepted_and_ignored(engine: ModemEngine, command: Command) -> None:
    """Line settings that mean nothing on a pty; real modems answer OK to them."""


@command("I")
def identify(engine: ModemEngine, command: Command) -> list[str]:
    profile = engine.profile
    return [profile.manufacturer, profile.model, profile.revision]


def _identity(value: str):
    def answer(engine: ModemEngine, command: Command) -> list[str]:
        if command.kind is Kind.TEST:
            return []
        return [value.format(profile=engine.profile, sim=engine.sim)]

    return answer


command("+CGMI", "+GMI")(_identity("{profile.manufacturer}"))
command("+CGMM", "+GMM")(_identity("{profile.model}"))
command("+CGMR", "+GMR")(_identity("{profile.revision}"))
command("+CGSN", "+GSN")(_identity("{profile.imei}"))


@command("+CIMI")
def imsi(engine: ModemEngine, command: Command) -> list[str]:
    require_sim(engine)
    return [engine.sim.imsi]


@command("+CCID")
def iccid(engine: ModemEngine, command: Command) -> list[str]:
    return [engine.profile.ccid_format.format(iccid=engine.sim.iccid)]


@command("+CMEE")
def error_reports(engine: ModemEngine, command: Command) -> list[str] | None:
    return setting(engine, command, "cmee", range(3), "(0-2)")


@command("+CFUN")
def functionality(engine: ModemEngine, command: Command) -> list[str] | None:
    if command.kind is Kind.READ:
        return ["+CFUN: 1"]
    if command.kind is Kind.TEST:
        return ["+CFUN: (0,1,4),(0,1)"]
    values = command.arguments()
    integer(values[0], range(5))
    if len(values) > 1 and integer(values[1], range(2)) == 1:
        engine.later(0.05, engine.reboot)
    return None


def require_sim(engine: ModemEngine, *, sms: bool = False) -> None:
    """SIM-dependent commands fail until the PIN is given, as on a real modem."""
    state = engine.sim.state
    if state == "READY":
        return
    if sms:
        raise cms(CMS_SIM_PIN_REQUIRED if state == "SIM PIN" else CMS_SIM_PUK_REQUIRED)
    raise cme(SIM_PIN_REQUIRED if state == "SIM PIN" else SIM_PUK_REQUIRED)


def require_network(engine: ModemEngine, *, sms: bool = False) -> None:
    """Commands that reach the network fail without a SIM or a registration."""
    require_sim(engine, sms=sms)
    if not engine.network.registered:
        raise cms(CMS_NO_NETWORK_SERVICE) if sms else cme(NO_NETWORK_SERVICE)


@command("+CPIN")
def pin(engine: ModemEngine, command: Command) -> list[str] | None:
    sim = engine.sim
    if command.kind is Kind.READ:
        return [f"+CPIN: {sim.state}"]
    if command.kind is not Kind.SET:
        raise cme(INCORRECT_PARAMETERS)
    values = command.arguments()
    if sim.state == "READY":
        raise cme(OPERATION_NOT_ALLOWED)
    if sim.state == "SIM PUK":
        if len(values) < 2 or values[0] != sim.puk:
            sim.puk_retries = max(sim.puk_retries - 1, 0)
            engine.on_event(f"wrong PUK, {sim.puk_retries} tries left")
            raise cme(INCORRECT_PASSWORD)
        sim.pin, sim.pin_retries, sim.unlocked = values[1], 3, True
        engine.on_event("SIM unlocked with the PUK, new PIN set")
        _after_unlock(engine)
        return None
    if values[0] != sim.pin:
        sim.pin_retries -= 1
        engine.on_event(f"wrong PIN, {sim.pin_retries} tries left")
        raise cme(INCORRECT_PASSWORD)
    sim.pin_retries, sim.unlocked = 3, True
    engine.on_event("SIM unlocked")
    _after_unlock(engine)
    return None


def _after_unlock(engine: ModemEngine) -> None:
    """The lines some modems print once the SIM is open (after the command's OK)."""
    for line in engine.profile.unlock_urcs:
        engine.later(UNLOCK_URC_DELAY, lambda line=line: engine.urc(line))


@command("+CSQ")
def signal_quality(engine: ModemEngine, command: Command) -> list[str]:
    if command.kind is Kind.TEST:
        return ["+CSQ: (0-31,99),(0-7,99)"]
    return [f"+CSQ: {engine.network.signal},99"]


LOCATION = '"1A2B","01C3D4E5"'  # <lac>,<ci>
REGISTRATIONS = (("+CREG", "creg"), ("+CGREG", "cgreg"))


def _status(engine: ModemEngine) -> int:
    """<stat> as the modem sees it: not registered while the SIM is locked."""
    return engine.network.registration if engine.sim.state == "READY" else 0


def _location(mode: int, status: int) -> str:
    return f",{LOCATION}" if mode == 2 and status in REGISTERED else ""


def _registration(name: str, attribute: str):
    def answer(engine: ModemEngine, command: Command) -> list[str] | None:
        if command.kind is Kind.READ:
            mode = getattr(engine.settings, attribute)
            status = _status(engine)
            return [f"{name}: {mode},{status}{_location(mode, status)}"]
        return setting(engine, command, attribute, range(3), "(0-2)")

    return answer


for _name, _attribute in REGISTRATIONS:
    command(_name)(_registration(_name, _attribute))


def set_registration(engine: ModemEngine, status: int) -> None:
    """The network changes the box's registration (0 none, 1 home, 2 searching,
    3 denied, 5 roaming); with AT+CREG / AT+CGREG set to 1 or 2 the modem says so:
    +CREG: <stat>, or +CREG: <stat>,"<lac>","<ci>" (TS 27.007 §7.2, §10.1.19)."""
    if status not in range(6):
        raise ValueError("registration status is 0 to 5")
    with engine.lock:
        before = _status(engine)
        engine.network.registration = status
        now = _status(engine)
        engine.on_event(f"network: registration {before} -> {now}")
        if now == before:
            return
        for name, attribute in REGISTRATIONS:
            mode = getattr(engine.settings, attribute)
            if mode:
                engine.urc(f"{name}: {now}{_location(mode, now)}")


@command("+CGATT")
def packet_attach(engine: ModemEngine, command: Command) -> list[str] | None:
    """Attached to the packet domain whenever registered (3GPP TS 27.007 §10.1.9): the
    box uses no data, so detaching is taken and changes nothing here."""
    if command.kind is Kind.READ:
        attached = engine.network.registered and engine.sim.state == "READY"
        return [f"+CGATT: {attached:d}"]
    if command.kind is Kind.TEST:
        return ["+CGATT: (0,1)"]
    if command.kind is Kind.SET:
        integer(command.argument or "", range(2))
        return None
    raise cme(INCORRECT_PARAMETERS)


SET_FORMAT_ONLY = 3  # AT+COPS=3,<format>: how AT+COPS? names the operator, nothing else


@command("+COPS")
def operator(engine: ModemEngine, command: Command) -> list[str] | None:
    """+COPS: <mode>[,<format>,<oper>[,<AcT>]], TS 27.007 §7.3; automatic selection only."""
    network = engine.network
    names = (network.operator, network.operator_short, network.operator_code)
    act = engine.profile.access_technology
    if command.kind is Kind.READ:
        if not network.registered or engine.sim.state != "READY":
            return ["+COPS: 0"]
        name = names[engine.settings.operator_format]
        return [f'+COPS: 0,{engine.settings.operator_format},"{name}"' + _act(act)]
    if command.kind is Kind.TEST:
        listed = ",".join(f'"{name}"' for name in names)
        return [f"+COPS: (2,{listed}{_act(act)}),,(0-4),(0-2)"]
    if command.kind is not Kind.SET:
        return None
    values = command.arguments()
    mode = integer(values[0], range(5))
    if len(values) > 1 and values[1]:
        engine.settings.operator_format = integer(values[1], range(3))
    elif mode == SET_FORMAT_ONLY:
        raise cme(INCORRECT_PARAMETERS)
    return None


def _act(act: int | None) -> str:
    return "" if act is None else f",{act}"


@command("+CNUM")
def own_number(engine: ModemEngine, command: Command) -> list[str]:
    """+CNUM: [<alpha>],<number>,<type> (TS 27.007 §7.1; HUAWEI MG323 AT Command
    Interface Specification Issue 02 §8.14.2): OK alone when the SIM keeps no number."""
    if command.kind is Kind.TEST:
        return []
    require_sim(engine)
    number = engine.sim.own_number
    if not number:
        return []
    return [f'+CNUM: "","{number}",{145 if number.startswith("+") else 129}']


@command("+CSCS")
def character_set(engine: ModemEngine, command: Command) -> list[str] | None:
    if command.kind is Kind.READ:
        return [f'+CSCS: "{engine.settings.charset}"']
    if command.kind is Kind.TEST:
        return ["+CSCS: (" + ",".join(f'"{name}"' for name in CHARSETS) + ")"]
    if command.kind is not Kind.SET:
        raise cme(INCORRECT_PARAMETERS)
    charset = command.arguments()[0].upper()
    if charset not in CHARSETS:
        raise cme(INCORRECT_PARAMETERS)
    engine.settings.charset = charset
    return None
