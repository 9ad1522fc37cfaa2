"""The one place that reads the environment.

Every other module receives a `Settings` object (or calls `get_settings()`); nothing else
touches `os.environ`, so a test or an operator can see every knob in one file.
The defaults make `petitions` work on a fresh machine with nothing installed: a SQLite file
and a broker kept in a SQLite file, both under ./var/.
"""
from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path

from pydantic import AliasChoices, Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

CONFIG_DIR = Path(__file__).resolve().parent
SHIPPED_CALENDAR_DIR = CONFIG_DIR / "calendar"
TIMEZONE = "Asia/Ho_Chi_Minh"


def _env(name: str, *more: str):
    return Field(validation_alias=AliasChoices(name, *more))


class Settings(BaseSettings):
    model_config = SettingsConfigDict(extra="ignore", populate_by_name=True)

    var_dir: Path = Field(default=Path("var"), validation_alias=AliasChoices("PETITIONS_VAR_DIR"))
    database_url: str | None = Field(default=None, validation_alias=AliasChoices("DATABASE_URL"))
    # A PostgreSQL read replica for the read-only report queries (issue 20); unset, reports
    # read the primary. Its lag is the reports' staleness, never a lost write: nothing writes there.
    replica_database_url: str | None = Field(default=None, validation_alias=AliasChoices("DATABASE_REPLICA_URL"))
    broker_url: str | None = Field(default=None, validation_alias=AliasChoices("BROKER_URL"))
    # Report results kept in each web process under the data version (engine/reports/cache.py):
    # never served after a write; the age bounds only writes made outside the application.
    report_cache_seconds: float = Field(default=900, ge=0, validation_alias=AliasChoices("REPORT_CACHE_SECONDS"))
    report_cache_size: int = Field(default=128, ge=0, validation_alias=AliasChoices("REPORT_CACHE_SIZE"))
    timezone: str = Field(default=TIMEZONE, validation_alias=AliasChoices("PETITIONS_TIMEZONE"))
    calendar_files: str = Field(default="", validation_alias=AliasChoices("PETITIONS_CALENDAR_FILES"))
    lang: str = Field(default="vi", validation_alias=AliasChoices("PETITIONS_LANG"))
    secret_key: str | None = Field(default=None, validation_alias=AliasChoices("SECRET_KEY"))
    # The key of the audit log's HMAC chain and its checkpoints (engine.persistence.auditkey):
    # never stored in the database; production refuses a missing or placeholder one.
    audit_key: str | None = Field(default=None, validation_alias=AliasChoices("PETITIONS_AUDIT_KEY"))
    # issued/registered documents' files (engine/documents/store.py); empty = var/files
    files_dir: Path | None = Field(default=None, validation_alias=AliasChoices("PETITIONS_FILES_DIR"))
    # "production" makes the start-up checks strict (see `production` below)
    environment: str = Field(default="", validation_alias=AliasChoices("PETITIONS_ENV"))

    # Scheduler
    tick_interval_seconds: int = Field(default=300, validation_alias=AliasChoices("PETITIONS_TICK_INTERVAL"))
    # The outbox's windows (README, "Delivery guarantees"): together they bring delivery back
    # within 30 s of a killed worker, a broker restart or a database outage.
    relay_interval_seconds: int = Field(default=5, validation_alias=AliasChoices("PETITIONS_RELAY_INTERVAL"))
    # a pending row younger than this is probably on its way; older, the relay offers it again
    outbox_fresh_seconds: int = Field(default=10, validation_alias=AliasChoices("PETITIONS_OUTBOX_FRESH_SECONDS"))
    # a claim's lease, renewed as each message of it is decided: longer than one message
    # can take (the SMTP timeout), so a live worker never loses its claim to the relay
    outbox_stale_seconds: int = Field(default=15, validation_alias=AliasChoices("PETITIONS_OUTBOX_STALE_SECONDS"))
    # rows a dispatch task claims at a time: what a killed worker can strand
    outbox_claim_chunk: int = Field(default=10, validation_alias=AliasChoices("PETITIONS_OUTBOX_CLAIM_CHUNK"))
    # how long a worker keeps an undelivered outcome or a claim waiting for the database
    db_retry_seconds: int = Field(default=600, validation_alias=AliasChoices("PETITIONS_DB_RETRY_SECONDS"))
    smtp_timeout_seconds: float = Field(default=10.0, validation_alias=AliasChoices("SMTP_TIMEOUT"))
    reminder_hour: str = Field(default="07:30", validation_alias=AliasChoices("PETITIONS_REMINDER_TIME"))

    # Channels
    smtp_host: str | None = Field(default=None, validation_alias=AliasChoices("SMTP_HOST"))
    smtp_port: int = Field(default=25, validation_alias=AliasChoices("SMTP_PORT"))
    smtp_user: str | None = Field(default=None, validation_alias=AliasChoices("SMTP_USER"))
    smtp_password: str | None = Field(default=None, validation_alias=AliasChoices("SMTP_PASSWORD"))
    smtp_starttls: bool = Field(default=False, validation_alias=AliasChoices("SMTP_STARTTLS"))
    mail_from: str = Field(default="petitions@localhost", validation_alias=AliasChoices("MAIL_FROM"))
    webhook_url: str | None = Field(default=None, validation_alias=AliasChoices("WEBHOOK_URL"))
    webhook_secret: str | None = Field(default=None, validation_alias=AliasChoices("WEBHOOK_SECRET"))
    public_url: str = Field(default="http://127.0.0.1:5000", validation_alias=AliasChoices("PUBLIC_URL"))

    # Logs
    log_format: str = Field(default="text", validation_alias=AliasChoices("LOG_FORMAT"))
    log_level: str = Field(default="INFO", validation_alias=AliasChoices("LOG_LEVEL"))

    @field_validator("lang")
    @classmethod
    def _lang(cls, v: str) -> str:
        v = (v or "vi").lower()[:2]
        return v if v in ("vi", "en") else "vi"

    @property
    def production(self) -> bool:
        """Production is PETITIONS_ENV=production or a public https address: a site that
        real people reach over TLS is production whatever else it says. Production refuses
        to start with a missing, short or placeholder SECRET_KEY."""
        return self.environment.strip().lower() == "production" or self.public_url.strip().lower().startswith("https://")

    @property
    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.var_dir / 'petitions.db').resolve()}"

    @property
    def embedded_broker(self) -> bool:
        return not self.broker_url

    @property
    def resolved_broker_url(self) -> str:
        if self.broker_url:
            return self.broker_url
        # kombu's SQLAlchemy transport: a queue in a SQLite file, no server to install.
        return f"sqla+sqlite:///{(self.var_dir / 'broker.db').resolve()}"

    @property
    def calendar_paths(self) -> list[Path]:
        """Shipped decision files first, then the operator's, in the order given."""
        shipped = sorted(SHIPPED_CALENDAR_DIR.glob("*.toml"))
        extra = [Path(p) for p in self.calendar_files.split(os.pathsep) if p.strip()]
        return shipped + extra

    def ensure_var_dir(self) -> Path:
        self.var_dir.mkdir(parents=True, exist_ok=True)
        return self.var_dir

    def documents_dir(self) -> Path:
        """Where issued and registered documents' files live (issue 15): outside the web root,
        served only through a scoped view; default var/files next to the SQLite database."""
        return (self.files_dir or (self.var_dir / "files")).resolve()


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
