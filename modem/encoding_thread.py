"""python-gammu's EncodeSMS on one thread of its own, whichever thread asks.

libgammu's EncodeSMS builds its 50 possible parts (a GSM_MultiSMSMessage) on the C
stack: the 270 kB of stack that touches stay resident for as long as the calling
thread lives. With each modem's worker encoding its own messages, a daemon of 16
modems held 4 MB of them; on one thread they are held once. python-gammu keeps the
GIL while it encodes, so no two encodings ran at once before either.
"""

from __future__ import annotations

import os
import threading
from concurrent.futures import ThreadPoolExecutor

import gammu

_lock = threading.Lock()
_executor: ThreadPoolExecutor | None = None
_executor_pid: int | None = None


def encode_sms(message: dict) -> list[dict]:
    """`gammu.EncodeSMS(message)`, run on the encoding thread; its errors raised here."""
    return _this_process_executor().submit(gammu.EncodeSMS, message).result()


def _this_process_executor() -> ThreadPoolExecutor:
    # A forked child has the parent's executor but not its thread.
    global _executor, _executor_pid
    # The pid read first: it is set after its executor, so once it is this process's,
    # so is the executor read after it (every message after the first: no lock).
    pid, executor = _executor_pid, _executor
    if pid == os.getpid() and executor is not None:
        return executor
    with _lock:
        if _executor is None or _executor_pid != os.getpid():
            _executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="gammu-encode")
            _executor_pid = os.getpid()
        return _executor
