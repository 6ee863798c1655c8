"""The values of a configuration checked before anything starts: each check names
the key whose value cannot work, and the limits it must keep to (smsbox.config reads
the file and builds the sections; this module says whether their values make sense).
"""

from __future__ import annotations

import zoneinfo
from pathlib import PurePath
from typing import TYPE_CHECKING

import phonenumbers

if TYPE_CHECKING:
    from smsbox.config import CallsConfig, Config, WebhooksConfig

# How the daemon speaks to a modem: "at", our own AT commands (modem/drivers/at.py), or
# "gammu", libgammu through python-gammu (modem/drivers/gammu.py).
MODEM_DRIVERS = ("at", "gammu")
# What a modem is for: sending only, receiving only, or both. What arrives on a SIM
# is stored whatever its role: the network, not smsbox, decides where replies land.
MODEM_ROLES = ("send", "receive", "both")
STANDARD_BAUDRATES = (9600, 19200, 38400, 57600, 115200, 230400, 460800, 921600)
# Renewed every third of it: under a second apart would load the database for nothing.
MIN_LEASE_SECONDS = 3
# The longest validity period an SMS can carry: 63 weeks (3GPP TS 23.040 §9.2.3.12.1).
MAX_VALIDITY_HOURS = 63 * 7 * 24
# Each web process holds its own connections and about 90 MB: more than this is a typo.
MAX_WEB_PROCESSES = 64
MAX_WEB_THREADS = 64


class ConfigError(ValueError):
    """The configuration file is missing, unreadable or wrong; the message names the key."""


def _check_secret_key_file(config: Config) -> None:
    # `smsbox init` writes this file: a path leaving data_dir would write wherever it
    # points (and the systemd units may write only in data_dir). A symlink placed in
    # data_dir remains the way to keep the key elsewhere.
    name = PurePath(config.web.secret_key_file)
    if name.is_absolute() or ".." in name.parts or not name.parts:
        raise ConfigError(
            "[web].secret_key_file must be a file name inside data_dir, such as 'secret_key'"
        )
    if config.secret_key_path.is_dir():
        raise ConfigError(f"[web].secret_key_file: {config.secret_key_path} is a directory")


def check_database_url(url: str, where: str = "[database].url") -> None:
    """ConfigError unless `url` is a database URL SQLAlchemy can use; `where` names it."""
    # Imported here, not at the top: the `smsbox sim` commands load no config and
    # should start without SQLAlchemy. The URL is never echoed: it may hold a password.
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError, NoSuchModuleError

    example = "such as 'postgresql+psycopg://user:password@host/smsbox'"
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise ConfigError(f"{where} is not a database URL {example}") from None
    try:
        parsed.get_dialect()
    except NoSuchModuleError:
        raise ConfigError(
            f"{where}: {parsed.drivername!r} is no database SQLAlchemy knows; "
            f"expected a URL {example}"
        ) from None


def _check_calls(calls: CallsConfig) -> None:
    if calls.hang_up_after_rings < 0:
        raise ConfigError("[calls].hang_up_after_rings must be 0 (never) or more")
    if calls.auto_reply_every_hours < 1:
        raise ConfigError("[calls].auto_reply_every_hours must be at least 1")
    if calls.auto_reply:
        # Imported here: the core's services load SQLAlchemy (see check_database_url).
        from smsbox.outbox import MessageRejected, check_body

        try:
            check_body(calls.auto_reply)
        except MessageRejected as error:
            raise ConfigError(f"[calls].auto_reply: {error}") from None


def _check_webhooks(webhooks: WebhooksConfig) -> None:
    if not 10 <= webhooks.first_retry_ms <= 3_600_000:
        raise ConfigError("[webhooks].first_retry_ms must be between 10 and 3600000 (an hour)")
    if not 1 <= webhooks.give_up_after_hours <= 24 * 7:
        raise ConfigError("[webhooks].give_up_after_hours must be between 1 and 168 (a week)")
    if not 1 <= webhooks.concurrency <= 256:
        raise ConfigError("[webhooks].concurrency must be between 1 and 256")
    if not 1 <= webhooks.per_endpoint <= webhooks.concurrency:
        raise ConfigError("[webhooks].per_endpoint must be between 1 and [webhooks].concurrency")


def check_values(config: Config) -> None:
    """ConfigError naming the first key whose value cannot work."""
    if config.data_dir.exists() and not config.data_dir.is_dir():
        raise ConfigError(f"data_dir: {config.data_dir} is not a directory")
    if config.database.url:
        check_database_url(config.database.url)
    if not 1 <= config.web.port <= 65535:
        raise ConfigError("[web].port must be between 1 and 65535")
    if not 1 <= config.web.processes <= MAX_WEB_PROCESSES:
        raise ConfigError(f"[web].processes must be between 1 and {MAX_WEB_PROCESSES}")
    if not 1 <= config.web.threads <= MAX_WEB_THREADS:
        raise ConfigError(f"[web].threads must be between 1 and {MAX_WEB_THREADS}")
    if config.metrics.port is not None and not 1 <= config.metrics.port <= 65535:
        raise ConfigError("[metrics].port must be between 1 and 65535")
    if config.metrics.port is not None and config.metrics.port == config.web.port:
        raise ConfigError("[metrics].port must differ from [web].port")
    _check_secret_key_file(config)
    if config.messaging.default_region not in phonenumbers.SUPPORTED_REGIONS:
        raise ConfigError(
            f"[messaging].default_region: {config.messaging.default_region!r} is not a "
            "two-letter region code such as 'FR' or 'GB'"
        )
    try:
        zoneinfo.ZoneInfo(config.messaging.timezone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise ConfigError(
            f"[messaging].timezone: {config.messaging.timezone!r} is not a known time zone "
            "such as 'Europe/Paris'"
        ) from None
    if not 1 <= config.messaging.validity_hours <= MAX_VALIDITY_HOURS:
        raise ConfigError(
            f"[messaging].validity_hours must be between 1 and {MAX_VALIDITY_HOURS} (63 weeks)"
        )
    if config.messaging.incomplete_after_hours < 1:
        raise ConfigError("[messaging].incomplete_after_hours must be at least 1")
    _check_calls(config.calls)
    for key in ("messages_days", "calls_days"):
        days = getattr(config.retention, key)
        if days is not None and days < 1:
            raise ConfigError(f"[retention].{key} must be at least 1 (leave it out to keep all)")
    if config.api.rate_limit < 1:
        raise ConfigError("[api].rate_limit must be at least 1 request per minute")
    if config.daemon.lease_seconds < MIN_LEASE_SECONDS:
        raise ConfigError(
            f"[daemon].lease_seconds must be at least {MIN_LEASE_SECONDS} "
            "(renewed every third of it)"
        )
    if config.contacts.max_import_mb < 1:
        raise ConfigError("[contacts].max_import_mb must be at least 1 (megabytes)")
    _check_webhooks(config.webhooks)
    names = set()
    for index, modem in enumerate(config.modems):
        where = f"[[modem]] #{index + 1}"
        if not modem.name.strip():
            raise ConfigError(f"{where}.name must not be empty")
        if modem.name in names:
            raise ConfigError(f"{where}.name: {modem.name!r} is used by two modems")
        names.add(modem.name)
        if modem.driver not in MODEM_DRIVERS:
            raise ConfigError(
                f"{where}.driver: {modem.driver!r} is no driver; choose one of "
                f"{', '.join(MODEM_DRIVERS)}"
            )
        if modem.baudrate not in STANDARD_BAUDRATES:
            raise ConfigError(f"{where}.baudrate: {modem.baudrate} is not a standard rate")
        if modem.role not in MODEM_ROLES:
            raise ConfigError(
                f"{where}.role: {modem.role!r} is no role; choose one of {', '.join(MODEM_ROLES)}"
            )
        if modem.rate_limit is not None and modem.rate_limit < 1:
            raise ConfigError(
                f"{where}.rate_limit must be at least 1 message per minute "
                "(leave it out for no limit)"
            )
        if modem.pin and not (modem.pin.isdigit() and 4 <= len(modem.pin) <= 8):
            raise ConfigError(f"{where}.pin must be 4 to 8 digits")
