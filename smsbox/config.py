"""Configuration from a TOML file, validated before anything starts.

A wrong key or value stops start-up with a message naming the key, because a
typo in `[[modem]]` silently ignored would leave a company without SMS.
"""

from __future__ import annotations

import dataclasses
import os
import tomllib
import zoneinfo
from dataclasses import dataclass, field
from pathlib import Path, PurePath
from typing import Any

import phonenumbers

CONFIG_ENV = "SMSBOX_CONFIG"
# How the daemon speaks to a modem: "at", our own AT commands (modem/drivers/at.py), or
# "gammu", libgammu through python-gammu (modem/drivers/gammu.py).
MODEM_DRIVERS = ("at", "gammu")
# What a modem is for: sending only, receiving only, or both. What arrives on a SIM
# is stored whatever its role: the network, not smsbox, decides where replies land.
MODEM_ROLES = ("send", "receive", "both")
RECEIVE_ONLY = "receive"
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


@dataclass(frozen=True)
class DatabaseConfig:
    url: str = ""


@dataclass(frozen=True)
class WebConfig:
    host: str = "127.0.0.1"
    port: int = 8080
    secret_key_file: str = "secret_key"  # noqa: S105 (a file name, not a secret)
    secure_cookies: bool = False
    # Waitress processes sharing the listening socket (web.prefork): one runs Python on
    # one core at a time, so an API under load wants one per core.
    processes: int = 1
    # Threads of each process (waitress's own default): more let a slow page not hold
    # up the others; fewer cost an API on SQLite less CPU a request (README, Benchmarks).
    threads: int = 4


@dataclass(frozen=True)
class ModemConfig:
    name: str
    device: str
    driver: str = "at"
    baudrate: int = 115200
    pin: str = ""
    status_reports: bool = True
    role: str = "both"
    # Messages per minute at most; None: as fast as the modem goes.
    rate_limit: int | None = None

    @property
    def sends(self) -> bool:
        return self.role != RECEIVE_ONLY


@dataclass(frozen=True)
class MessagingConfig:
    default_region: str = "FR"
    timezone: str = "Europe/Paris"
    validity_hours: int = 48
    incomplete_after_hours: int = 24


@dataclass(frozen=True)
class CallsConfig:
    # 0: calls ring until the caller gives up.
    hang_up_after_rings: int = 0
    # Sent by SMS to a caller whose number is known; empty: no reply.
    auto_reply: str = ""
    auto_reply_every_hours: int = 24


@dataclass(frozen=True)
class RetentionConfig:
    # Days a finished message (or a logged call) is kept; None: kept for ever.
    messages_days: int | None = None
    calls_days: int | None = None


@dataclass(frozen=True)
class MetricsConfig:
    # The daemon's Prometheus endpoint; None: not served (the web app's /metrics is).
    port: int | None = None
    host: str = "127.0.0.1"


@dataclass(frozen=True)
class ApiConfig:
    # Requests per minute each API key may make (web.api.ratelimit).
    rate_limit: int = 600


@dataclass(frozen=True)
class ContactsConfig:
    # Off: a number already among the contacts is updated (by hand or by an import),
    # never added twice. On: a contact is the same one only if name and number match.
    allow_duplicates: bool = False
    # A contact file bigger than this is refused whole, before a line is read.
    max_import_mb: int = 20


@dataclass(frozen=True)
class DaemonConfig:
    # Seconds a modem's lease lasts unless renewed (every third of it): how long a
    # modem whose daemon died waits before another daemon may take it over.
    lease_seconds: int = 30
    # The host name the daemon's leases show; empty: the machine's own.
    host_name: str = ""


@dataclass(frozen=True)
class WebhooksConfig:
    # The wait before the second attempt at a delivery; each next one waits about
    # twice as long (smsbox.webhooks.retries), up to an hour.
    first_retry_ms: int = 5000
    # A delivery no attempt succeeded for this long is given up.
    give_up_after_hours: int = 24
    # Posts under way at once, all endpoints together, and to any one endpoint.
    concurrency: int = 16
    per_endpoint: int = 8


@dataclass(frozen=True)
class Config:
    data_dir: Path
    database: DatabaseConfig
    web: WebConfig
    messaging: MessagingConfig
    modems: tuple[ModemConfig, ...] = field(default_factory=tuple)
    calls: CallsConfig = field(default_factory=CallsConfig)
    retention: RetentionConfig = field(default_factory=RetentionConfig)
    metrics: MetricsConfig = field(default_factory=MetricsConfig)
    api: ApiConfig = field(default_factory=ApiConfig)
    contacts: ContactsConfig = field(default_factory=ContactsConfig)
    daemon: DaemonConfig = field(default_factory=DaemonConfig)
    webhooks: WebhooksConfig = field(default_factory=WebhooksConfig)

    @property
    def database_url(self) -> str:
        return self.database.url or f"sqlite:///{self.data_dir / 'smsbox.db'}"

    @property
    def secret_key_path(self) -> Path:
        return self.data_dir / self.web.secret_key_file


# Field annotations are strings (`from __future__ import annotations`). TOML gives
# exactly these Python types; `type(value) is`, not isinstance, so `true` is no integer.
_FIELD_TYPES = {
    "str": (str, "a string"),
    "int": (int, "an integer"),
    "bool": (bool, "true or false"),
    # Optional: leaving the key out gives None; TOML has no null to write.
    "int | None": (int, "an integer"),
}


def _build_section(cls: type, table: Any, where: str) -> Any:
    if not isinstance(table, dict):
        raise ConfigError(f"{where} must be a table")
    fields = {f.name: f for f in dataclasses.fields(cls)}
    values = {}
    for key, value in table.items():
        if key not in fields:
            raise ConfigError(f"{where}.{key}: unknown key (expected one of {', '.join(fields)})")
        expected, described = _FIELD_TYPES[fields[key].type]
        if type(value) is not expected:
            raise ConfigError(f"{where}.{key} must be {described}")
        values[key] = value
    missing = [
        name
        for name, f in fields.items()
        if name not in values
        and f.default is dataclasses.MISSING
        and f.default_factory is dataclasses.MISSING
    ]
    if missing:
        raise ConfigError(f"{where}.{missing[0]} is required")
    return cls(**values)


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


def _check_values(config: Config) -> None:
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


def parse_config(document: dict[str, Any], base_dir: Path) -> Config:
    """Build a validated Config from a parsed TOML document.

    Relative paths are taken from `base_dir`, the directory of the file, so that
    a config works the same whatever directory a service starts in.
    """
    known = {
        "data_dir",
        "database",
        "web",
        "modem",
        "messaging",
        "calls",
        "retention",
        "metrics",
        "api",
        "contacts",
        "daemon",
        "webhooks",
    }
    for key in document:
        if key not in known:
            raise ConfigError(f"{key}: unknown key (expected one of {', '.join(sorted(known))})")
    data_dir = document.get("data_dir", "data")
    if not isinstance(data_dir, str) or not data_dir:
        raise ConfigError("data_dir must be a non-empty string")
    modem_tables = document.get("modem", [])
    if not isinstance(modem_tables, list):
        raise ConfigError("modem must be written [[modem]] (an array of tables)")
    config = Config(
        data_dir=(base_dir / data_dir).resolve(),
        database=_build_section(DatabaseConfig, document.get("database", {}), "[database]"),
        web=_build_section(WebConfig, document.get("web", {}), "[web]"),
        messaging=_build_section(MessagingConfig, document.get("messaging", {}), "[messaging]"),
        calls=_build_section(CallsConfig, document.get("calls", {}), "[calls]"),
        retention=_build_section(RetentionConfig, document.get("retention", {}), "[retention]"),
        metrics=_build_section(MetricsConfig, document.get("metrics", {}), "[metrics]"),
        api=_build_section(ApiConfig, document.get("api", {}), "[api]"),
        contacts=_build_section(ContactsConfig, document.get("contacts", {}), "[contacts]"),
        daemon=_build_section(DaemonConfig, document.get("daemon", {}), "[daemon]"),
        webhooks=_build_section(WebhooksConfig, document.get("webhooks", {}), "[webhooks]"),
        modems=tuple(
            _build_section(ModemConfig, table, f"[[modem]] #{index + 1}")
            for index, table in enumerate(modem_tables)
        ),
    )
    _check_values(config)
    return config


def load_config(path: str | os.PathLike[str] | None = None) -> Config:
    """Load the file given, else the one named by $SMSBOX_CONFIG."""
    chosen = path or os.environ.get(CONFIG_ENV)
    if not chosen:
        raise ConfigError(f"no configuration file: pass --config PATH or set {CONFIG_ENV}")
    file = Path(chosen)
    try:
        with file.open("rb") as handle:
            document = tomllib.load(handle)
    except FileNotFoundError:
        raise ConfigError(f"{file}: no such configuration file") from None
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"{file}: not valid TOML: {error}") from None
    return parse_config(document, file.resolve().parent)
