"""smsbox core: configuration, database, models and services.

This package imports neither `modem` nor `web`; both of them import it.
The CLI (`smsbox.cli`) is the one composition root allowed to import all three.
"""
