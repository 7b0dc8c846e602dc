"""The support desk as the domain sees it: the shared database, the rules, the clock."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from functools import cached_property
from threading import Lock
from typing import TYPE_CHECKING

from console.settings import Settings, load_settings

if TYPE_CHECKING:
    from console.database import Database
    from console.rules.sla import SlaPolicy


def _utcnow() -> datetime:
    return datetime.now(UTC)


class Desk:
    """The desk and its database. A desk made with `deferred` opens its database
    on first use (once, whichever thread asks first; the others wait): the full-
    screen console paints before SQLAlchemy and the models are even imported."""

    def __init__(
        self,
        db: Database | None = None,
        settings: Settings | None = None,
        # Tests pass a fixed clock; everything else runs on the real one.
        clock: Callable[[], datetime] = _utcnow,
    ) -> None:
        self._db = db
        self._url: str | None = None
        self._opening = Lock()
        self.settings = settings or Settings()
        self.clock = clock

    @classmethod
    def deferred(cls, url: str, settings: Settings) -> Desk:
        """A desk whose database (`url`, already at this wmconsole's schema) opens
        when first used."""
        desk = cls(settings=settings)
        desk._url = url
        return desk

    @property
    def db(self) -> Database:
        if self._db is None:
            with self._opening:
                if self._db is None:
                    self._db = _open_database(self._url, migrate=False)
        return self._db

    @property
    def is_open(self) -> bool:
        return self._db is not None

    @property
    def where(self) -> str:
        """The database as a person names it: a SQLite file's path, else the URL
        without its password."""
        if self._db is not None:
            db = self._db
            return str(db.sqlite_path or db.url.render_as_string(hide_password=True))
        url = self._url or ""
        if "://" not in url:
            return url
        scheme, rest = url.split("://", 1)
        if scheme == "sqlite":
            return rest.removeprefix("/")
        user, at, host = rest.rpartition("@")
        if at and ":" in user:
            return f"{scheme}://{user.split(':', 1)[0]}:***@{host}"
        return url

    @cached_property
    def sla(self) -> SlaPolicy:
        return self.settings.sla

    def now(self) -> datetime:
        return self.clock()

    def close(self) -> None:
        if self._db is not None:
            self._db.dispose()


def open_desk(
    db_url: str | None = None, *, settings: Settings | None = None, migrate: bool = True
) -> Desk:
    """The one way the CLI, the screens and the intake get at the desk."""
    settings = settings or load_settings()
    return Desk(db=_open_database(desk_url(db_url, settings), migrate=migrate), settings=settings)


def desk_url(db_url: str | None, settings: Settings) -> str:
    """The database the options name, else the settings', else this account's own."""
    return db_url or settings.db or default_sqlite_url()


def _open_database(url: str, *, migrate: bool) -> Database:
    from console.database import open_database

    return open_database(url, migrate=migrate)


def default_sqlite_url() -> str:
    from platformdirs import user_data_path

    return f"sqlite:///{user_data_path('wmconsole', appauthor=False) / 'wmconsole.db'}"
