"""The support desk as the domain sees it: the shared database, the rules, the clock."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cached_property

from console.database import Database, default_sqlite_url, open_database
from console.rules.sla import SlaPolicy
from console.settings import Settings, load_settings


def _utcnow() -> datetime:
    return datetime.now(UTC)


@dataclass
class Desk:
    db: Database
    settings: Settings = field(default_factory=Settings)
    # Tests pass a fixed clock; everything else runs on the real one.
    clock: Callable[[], datetime] = _utcnow

    @cached_property
    def sla(self) -> SlaPolicy:
        return self.settings.sla

    def now(self) -> datetime:
        return self.clock()

    def close(self) -> None:
        self.db.dispose()


def open_desk(
    db_url: str | None = None, *, settings: Settings | None = None, migrate: bool = True
) -> Desk:
    """The one way the CLI, the screens and the intake get at the desk."""
    settings = settings or load_settings()
    url = db_url or settings.db or default_sqlite_url()
    return Desk(db=open_database(url, migrate=migrate), settings=settings)
