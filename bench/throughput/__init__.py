"""Send throughput: smsbox's daemon, and Debian's gammu-smsd beside it, against
simulated modems on ptys.

`bench/send_throughput.py` is the command line; `tests/test_send_throughput.py`
runs each leg with a handful of messages.
"""
