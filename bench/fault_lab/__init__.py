"""Replaying issue 11 against the real daemon: faults on a simulated modem, and a
ledger of what the network and the database say happened to each message.

`registry.run_scenario(name, scale)` runs one scenario and returns its figures;
`bench/fault_scenarios.py` is the command line, `tests/test_fault_scenarios.py`
the assertions.
"""
