"""A `Config` written back as the TOML file the real CLI reads."""

from __future__ import annotations

import json
from pathlib import Path

from smsbox.config import Config


def _value(value: object) -> str:
    # TOML's basic strings, integers and booleans are written as JSON writes them.
    return json.dumps(value, ensure_ascii=False)


def write_config_file(config: Config, path: Path, **sections: dict) -> Path:
    """`config` as TOML at `path`, with these sections' keys added or replaced
    (`web={"port": 8090}`, `retention={...}`)."""
    tables: dict[str, dict] = {
        "database": {"url": config.database.url} if config.database.url else {},
        "web": {"host": config.web.host, "port": config.web.port},
        "messaging": {
            "default_region": config.messaging.default_region,
            "timezone": config.messaging.timezone,
        },
    }
    for name, keys in sections.items():
        tables[name] = {**tables.get(name, {}), **keys}
    lines = [f"data_dir = {_value(str(config.data_dir))}"]
    for name, keys in tables.items():
        lines.append(f"[{name}]")
        lines += [f"{key} = {_value(value)}" for key, value in keys.items()]
    for modem in config.modems:
        lines.append("[[modem]]")
        lines += [f"{key} = {_value(getattr(modem, key))}" for key in ("name", "device")]
        if modem.pin:
            lines.append(f"pin = {_value(modem.pin)}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path
