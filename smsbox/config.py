"""Configuration from a TOML file, validated before anything starts.

A wrong key or value stops start-up with a message naming the key, because a
typo in `[[modem]]` silently ignored would leave a company without SMS.
"""

from __future__ import annotations

import dataclasses
import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from smsbox.config_checks import ConfigError, check_values

CONFIG_ENV = "SMSBOX_CONFIG"
# The role (smsbox.config_checks.MODEM_ROLES) of a modem that never sends.
RECEIVE_ONLY = "receive"


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
    # up the others; fewer cost an API on SQLite less CPU a request (bench/HISTORY.md).
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
    check_values(config)
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
