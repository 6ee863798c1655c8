"""`smsbox sim ...`: run a simulated modem, and drive a running one through its control socket."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import Any

from smsbox.cli.output import print_json

REPORT_OUTCOMES = ("delivered", "failed", "expired")
AddCommand = Callable[..., argparse.ArgumentParser]


def _failed(message: str) -> Exception:
    from smsbox.cli import CommandFailed

    return CommandFailed(message)


def cmd_run(args: argparse.Namespace) -> None:
    from modem.sim import SimulatedModem
    from modem.sim.profiles import PROFILES
    from smsbox.cli import stop_on_signals

    profile = PROFILES.get(args.profile)
    if profile is None:
        raise _failed(f"unknown profile {args.profile!r}; known: {', '.join(sorted(PROFILES))}")
    stop = stop_on_signals()
    try:
        sim = SimulatedModem(
            args.link,
            profile=profile,
            pin=args.pin,
            own_number=args.own_number,
            transcript=args.transcript,
            control=args.control,
            baud=args.baud,
        )
    except ValueError as error:
        raise _failed(str(error)) from None
    sim.on_event = lambda text: print(f"## {text}", flush=True)
    try:
        if args.report_delay is not None or args.report_outcome:
            sim.configure_reports(delay=args.report_delay, outcome=args.report_outcome)
        if args.send_delay:
            sim.slow(args.send_delay)
        sim.start()
    except (OSError, ValueError) as error:
        raise _failed(str(error)) from None
    try:
        sim.network.on_submit(lambda sms: print(f"SMS to {sms.recipient}: {sms.text}", flush=True))
        control = f"; control socket {args.control}" if args.control else ""
        print(f"simulated modem at {sim.link}{control}; Ctrl-C stops it", flush=True)
        stop.wait()
    finally:
        sim.stop()


def _ask(args: argparse.Namespace, action: str, **params: Any) -> dict:
    from modem.sim.control import ControlError, request

    try:
        return request(args.control, action, **params)
    except ControlError as error:
        raise _failed(str(error)) from None


def _done(args: argparse.Namespace, reply: dict, message: str) -> None:
    if args.json:
        print_json(reply)
    else:
        print(message)


def cmd_deliver(args: argparse.Namespace) -> None:
    if args.pdu is not None:
        if args.sender is not None or args.text is not None or args.message_class != -1:
            raise _failed("--pdu replaces --from, --class and TEXT: give one form or the other")
        reply = _ask(args, "deliver", pdu=args.pdu)
        _done(args, reply, f"delivered a raw PDU to the modem ({reply['parts']} part(s))")
        return
    if args.sender is None or args.text is None:
        raise _failed("give --from NUMBER and TEXT, or --pdu HEX")
    reply = _ask(
        args, "deliver", sender=args.sender, text=args.text, message_class=args.message_class
    )
    _done(args, reply, f"delivered from {args.sender} to the modem ({reply['parts']} part(s))")


def cmd_call(args: argparse.Namespace) -> None:
    number = None if args.withheld else args.sender
    reply = _ask(args, "call", number=number, rings=args.rings, interval=args.interval)
    _done(args, reply, f"ringing the modem from {number or 'a withheld number'}")


def cmd_sent(args: argparse.Namespace) -> None:
    messages = _ask(args, "sent")["messages"]
    if args.json:
        print_json(messages)
        return
    for sms in messages:
        extras = [f"{sms['parts']} part(s)"]
        if sms["status_report"]:
            extras.append("report asked")
        if sms["class"] != -1:
            extras.append(f"class {sms['class']}")
        print(f"{sms['submitted_at']} to {sms['recipient']} ({', '.join(extras)}): {sms['text']}")


def cmd_report(args: argparse.Namespace) -> None:
    reply = _ask(args, "report", delay=args.delay, outcome=args.outcome)
    _done(args, reply, f"status reports: {reply['outcome']} after {reply['delay']:g} s")


def _pending_faults(faults: dict) -> str:
    pending = []
    if faults["errors"]:
        pending.append("next command(s) answer " + ", ".join(faults["errors"]))
    if faults["silent_for"]:
        pending.append(f"silent for {faults['silent_for']:g} s more")
    if faults["garbage_lines"]:
        pending.append(f"{faults['garbage_lines']} garbage line(s) before the next answer")
    if faults["submit_delay"]:
        pending.append(f"each submission takes {faults['submit_delay']:g} s")
    if faults["storage_full"]:
        pending.append("message storage full")
    if faults["urcs_inside_answers"]:
        pending.append(
            f"unsolicited lines inside the next {faults['urcs_inside_answers']} answer(s)"
        )
    if faults["vanished_for"]:
        pending.append(f"port back in {faults['vanished_for']:g} s")
    if faults["refused"]:
        pending.append("refuses AT" + ", AT".join(faults["refused"]))
    return "; ".join(pending) or "none"


def cmd_status(args: argparse.Namespace) -> None:
    status = _ask(args, "status")["status"]
    if args.json:
        print_json(status)
        return
    settings, network = status["settings"], status["network"]
    storages = ", ".join(
        f"{name} {store['used']}/{store['capacity']}"
        + (f" (full at {store['limit']})" if store["limit"] is not None else "")
        for name, store in status["storages"].items()
    )
    print(
        f"modem     {status['model']} ({status['profile']}) at {status['link']}, "
        f"port {status['port']}{_line(status['baud'])}, SIM {status['sim']}\n"
        f"settings  echo {'on' if settings['echo'] else 'off'}, AT+CMEE={settings['cmee']}, "
        f"{'text' if settings['text_mode'] else 'PDU'} mode, charset {settings['charset']}, "
        f"AT+CNMI={','.join(map(str, settings['cnmi']))}\n"
        f"storages  {storages}\n"
        f"network   {network['operator']}, registration {network['registration']}, "
        f"signal {network['signal']}, {network['waiting']} part(s) waiting, "
        f"{network['submitted']} SMS sent, {network['calls']} call(s), "
        f"reports {network['report_outcome']} after {network['report_delay']:g} s\n"
        f"faults    {_pending_faults(status['faults'])}"
    )


def _line(baud: int | None) -> str:
    return f" paced at {baud} baud" if baud else ""


FAULT_MESSAGES = {
    "error": "next {count} command(s) fail",
    "silence": "silent for {seconds:g} s",
    "garbage": "{lines} garbage line(s)",
    "vanish": "port vanished for {seconds:g} s",
    "storage-full": "storage full: {on}",
    "reboot": "modem rebooted",
    "slow": "each submission takes {seconds:g} s",
    "urc-inside": "unsolicited lines inside the next {count} answer(s)",
    "refuse": "refuses {command} from now on",
}


def cmd_fault(args: argparse.Namespace) -> None:
    params: dict[str, Any] = {
        "error": lambda: {"count": args.count, "code": args.code, "error_kind": args.kind},
        "silence": lambda: {"seconds": args.seconds},
        "garbage": lambda: {"lines": args.lines, "now": args.now},
        "vanish": lambda: {"seconds": args.seconds},
        "storage-full": lambda: {"on": not args.off},
        "reboot": dict,
        "slow": lambda: {"seconds": args.seconds},
        "urc-inside": lambda: {"count": args.count},
        "refuse": lambda: {"command": args.command},
    }[args.fault]()
    reply = _ask(args, "fault", kind=args.fault, **params)
    _done(args, reply, FAULT_MESSAGES[args.fault].format(**params))


def _controlled(add: AddCommand, parent, name: str, handler, help_text: str):
    sub = add(name, handler, help_text, parent)
    sub.add_argument("--control", required=True, help="control socket of `smsbox sim run`")
    sub.add_argument("--json", action="store_true", help="print the reply as JSON")
    return sub


def add_sim_commands(commands, add: AddCommand) -> None:
    """`smsbox sim run|deliver|call|sent|report|fault|status`."""
    sim = commands.add_parser("sim", help="a simulated modem, for tests and demos")
    subs = sim.add_subparsers(dest="sim_command", required=True)

    run = add("run", cmd_run, "run a simulated modem on a pty", subs)
    run.add_argument("--link", required=True, help="path of the symlink to the device")
    run.add_argument("--control", help="Unix socket for `smsbox sim deliver|call|...`")
    run.add_argument("--profile", default="sim800", help="modem family to pass for")
    run.add_argument("--pin", default="", help="the SIM asks for this PIN")
    run.add_argument("--own-number", default="", help="the SIM's own number (AT+CNUM)")
    run.add_argument("--send-delay", type=float, default=0.0, help="seconds per submission")
    run.add_argument("--report-delay", type=float, help="seconds before a status report")
    run.add_argument("--report-outcome", choices=REPORT_OUTCOMES, help="what reports say")
    run.add_argument("--transcript", help="file receiving every byte both ways")
    run.add_argument(
        "--baud", type=int, help="bytes take the time a serial line at this rate takes"
    )

    deliver = _controlled(add, subs, "deliver", cmd_deliver, "an SMS arrives at the modem")
    deliver.add_argument("--from", dest="sender", help="sender's number")
    deliver.add_argument(
        "--class", dest="message_class", type=int, choices=range(4), default=-1,
        help="message class (0: flash SMS)",
    )  # fmt: skip
    deliver.add_argument("text", nargs="?", help="the message (with --from)")
    deliver.add_argument(
        "--pdu", help="instead: an SMS-DELIVER PDU in hex, SMSC address first, delivered as is"
    )

    call = _controlled(add, subs, "call", cmd_call, "an incoming call rings the modem")
    caller = call.add_mutually_exclusive_group(required=True)
    caller.add_argument("--from", dest="sender", help="caller's number")
    caller.add_argument("--withheld", action="store_true", help="the caller hides the number")
    call.add_argument("--rings", type=int, default=3, help="number of rings (default 3)")
    call.add_argument("--interval", type=float, default=1.0, help="seconds between rings")

    _controlled(add, subs, "sent", cmd_sent, "list the SMS the modem sent to the network")

    report = _controlled(add, subs, "report", cmd_report, "configure delivery reports")
    report.add_argument("--delay", type=float, help="seconds before a report comes back")
    report.add_argument("--outcome", choices=REPORT_OUTCOMES, help="what reports say")

    _controlled(add, subs, "status", cmd_status, "what the simulated modem is doing")

    fault = _controlled(add, subs, "fault", cmd_fault, "make the modem misbehave")
    kinds = fault.add_subparsers(dest="fault", required=True)
    error = kinds.add_parser("error", help="the next commands answer an error")
    error.add_argument("--count", type=int, default=1, help="how many command lines fail")
    error.add_argument("--code", type=int, help="error number (default: plain ERROR)")
    error.add_argument("--kind", choices=("CMS", "CME"), default="CMS", type=str.upper)
    silence = kinds.add_parser("silence", help="no answer, no echo for a while")
    garbage = kinds.add_parser("garbage", help="garbage lines before the next answer")
    garbage.add_argument("--lines", type=int, default=1)
    garbage.add_argument("--now", action="store_true", help="write them right away")
    vanish = kinds.add_parser("vanish", help="the port disappears, then comes back rebooted")
    storage = kinds.add_parser("storage-full", help="no room for more messages")
    storage.add_argument("--off", action="store_true", help="give the room back")
    kinds.add_parser("reboot", help="settings lost, echo on, no new-message indications")
    slow = kinds.add_parser("slow", help="each submission takes a while (0: normal)")
    inside = kinds.add_parser(
        "urc-inside", help="unsolicited lines arrive between a command and its answer"
    )
    inside.add_argument("--count", type=int, default=1, help="how many answers (0: stop)")
    refuse = kinds.add_parser("refuse", help="a command the modem answers as unknown from now on")
    refuse.add_argument("command", help="e.g. +CNMI or AT+CMMS")
    for sub in (silence, vanish, slow):
        sub.add_argument("--seconds", type=float, required=True)
    for sub in kinds.choices.values():
        # --json after the fault's name too; SUPPRESS keeps the one given before it.
        sub.add_argument("--json", action="store_true", default=argparse.SUPPRESS)
