"""`smsbox doctor`: each check gives one verdict, and what to do when it is not ok.

The checks of the box itself live here; those that speak to a modem in
`modem.probe`. `smsbox.cli.doctor` runs them all.
"""
