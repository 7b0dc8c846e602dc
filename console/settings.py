"""One typed settings object, from a TOML file and WMCONSOLE_ environment variables.

The file is WMCONSOLE_CONFIG, else config.toml in the platform's user config
dir. Every key can be overridden by an environment variable named after its
section and key: [sla] first_answer_hours -> WMCONSOLE_SLA_FIRST_ANSWER_HOURS.
The database URL is WMCONSOLE_DB, or `db` at the top of the file.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field, fields
from datetime import time, timedelta
from pathlib import Path
from typing import Any

from console.errors import InvalidInput
from console.rules.sla import SlaPolicy, SupportHours
from models import EscalationKind


def _hours_window(text: str, what: str) -> tuple[time, time]:
    try:
        opens, closes = (time.fromisoformat(part.strip()) for part in text.split("-"))
    except ValueError:
        raise InvalidInput(f"{what} must look like 07:00-18:00; got {text!r}") from None
    return opens, closes


@dataclass(frozen=True)
class Settings:
    db: str = ""
    # Support hours in GMT and the SLA defaults of DESIGN.md section 2.
    hours_weekday: str = "07:00-18:00"
    hours_weekend: str = "07:00-15:00"
    sla_first_answer_hours: float = 4.0
    sla_next_answer_hours: float = 8.0
    sla_fraud_minutes: float = 60.0
    sla_wmid_block_minutes: float = 15.0
    # Answered tickets with no word from the customer are archived after this.
    lifecycle_answered_archive_days: int = 14
    lifecycle_unconfirmed_expire_days: int = 7
    # E-mail intake limits. The header section is capped apart from the whole
    # message because the header parser is quadratic in a header's length.
    intake_max_message_bytes: int = 25 * 1024 * 1024
    intake_max_header_bytes: int = 64 * 1024
    intake_max_attachment_bytes: int = 10 * 1024 * 1024
    # Where unreadable mail is kept; empty: a `quarantine` folder in the Maildir.
    intake_quarantine: str = ""
    # Outbound notices. smtp_tls is none, starttls or ssl; smtp_ca_file, when set,
    # is the CA bundle trusted instead of the system's (a private relay).
    # smtp_domain ends our Message-IDs.
    smtp_host: str = "127.0.0.1"
    smtp_port: int = 25
    smtp_tls: str = "none"
    smtp_ca_file: str = ""
    smtp_user: str = ""
    smtp_password: str = ""
    smtp_sender: str = "support@wm-console.invalid"
    smtp_domain: str = "wm-console.invalid"
    smtp_timeout_seconds: float = 30.0
    # The folder the Keeper gateway reads notices from.
    keeper_spool: str = ""
    # A failed delivery is retried after retry_seconds, doubling each time up to
    # retry_max_seconds; after max_attempts it is failed until someone retries it.
    notices_retry_seconds: float = 60.0
    notices_retry_max_seconds: float = 6 * 3600.0
    notices_max_attempts: int = 12
    # A sender holds a notice this long; a notice still `sending` after that
    # (its sender died) is sent again, under the same Message-ID.
    notices_lease_seconds: float = 300.0
    # How often `notices send --watch` looks for due notices.
    notices_poll_seconds: float = 2.0
    # The confirmation link in the e-mail; {token} is the ticket's code.
    notices_confirm_url: str = "https://support.wm-console.invalid/confirm/{token}"
    # A ticket held this long while its customer waits is flagged in the queue's
    # holder column: the supervisor's cue to ask, or to reassign it.
    queue_held_too_long_hours: float = 4.0
    # The console's keys, remapped by action id: "take=T; reply=ctrl+r" (`?` lists the ids).
    keymap: str = ""
    # Where failures are logged in detail (the driver's text, the stack); empty:
    # wmconsole.log in the user log directory.
    log_file: str = ""
    # What this host keeps for itself: drafts the database could not take (in
    # drafts/). Empty: the user state directory.
    state_dir: str = ""
    source: str = field(default="defaults", compare=False)

    @property
    def held_too_long(self) -> timedelta:
        return timedelta(hours=self.queue_held_too_long_hours)

    @property
    def log_path(self) -> Path:
        if self.log_file:
            return Path(self.log_file).expanduser()
        from platformdirs import user_log_path

        return user_log_path("wmconsole", appauthor=False) / "wmconsole.log"

    @property
    def drafts_path(self) -> Path:
        if self.state_dir:
            return Path(self.state_dir).expanduser() / "drafts"
        from platformdirs import user_state_path

        return user_state_path("wmconsole", appauthor=False) / "drafts"

    @property
    def sla(self) -> SlaPolicy:
        weekday = _hours_window(self.hours_weekday, "hours.weekday")
        weekend = _hours_window(self.hours_weekend, "hours.weekend")
        try:
            hours = SupportHours(*weekday, *weekend)
        except ValueError as error:
            raise InvalidInput(str(error)) from None
        return SlaPolicy(
            hours=hours,
            first_answer=timedelta(hours=self.sla_first_answer_hours),
            next_answer=timedelta(hours=self.sla_next_answer_hours),
            round_the_clock={
                EscalationKind.wmid_block: timedelta(minutes=self.sla_wmid_block_minutes),
                EscalationKind.fraud: timedelta(minutes=self.sla_fraud_minutes),
            },
        )


def default_config_path() -> Path:
    from platformdirs import user_config_path

    return user_config_path("wmconsole", appauthor=False) / "config.toml"


def _flatten(table: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    flat: dict[str, Any] = {}
    for key, value in table.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            flat.update(_flatten(value, f"{name}_"))
        else:
            flat[name] = value
    return flat


def _coerce(name: str, kind: type, value: Any) -> Any:
    try:
        if kind is int:
            return int(value)
        if kind is float:
            return float(value)
        return str(value)
    except (TypeError, ValueError):
        raise InvalidInput(f"setting {name} must be a {kind.__name__}; got {value!r}") from None


def load_settings(environ: dict[str, str] | None = None) -> Settings:
    environ = dict(os.environ if environ is None else environ)
    path = Path(environ.get("WMCONSOLE_CONFIG") or default_config_path())
    values: dict[str, Any] = {}
    source = "defaults"
    if path.is_file():
        try:
            values = _flatten(tomllib.loads(path.read_text(encoding="utf-8")))
        except tomllib.TOMLDecodeError as error:
            raise InvalidInput(f"{path}: {error}") from None
        source = str(path)
    known = {f.name: f for f in fields(Settings) if f.name != "source"}
    unknown = sorted(set(values) - set(known))
    if unknown:
        raise InvalidInput(f"{path}: unknown settings {', '.join(unknown)}")
    for name in known:
        env_value = environ.get(f"WMCONSOLE_{name.upper()}")
        if env_value is not None:
            values[name] = env_value
    types = {"int": int, "float": float, "str": str}
    coerced = {
        name: _coerce(name, types[str(known[name].type)], value) for name, value in values.items()
    }
    return Settings(**coerced, source=source)
