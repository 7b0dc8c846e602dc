"""The shared database: one URL, SQLite by default or PostgreSQL for many hosts.

SQLite is shared by many processes, so every write transaction starts with
BEGIN IMMEDIATE (DESIGN.md section 5): a deferred transaction that reads and
then writes fails at once with "database is locked" when another process
committed in between, whatever the busy timeout. Reads use short deferred
transactions so WAL checkpoints are never held back for long.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from functools import cached_property
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import URL, Engine, make_url
from sqlmodel import Session

from console.errors import DomainError
from console.identity import Acting, Identity, postgres_identity, refusal_from, sqlite_identity
from console.rules.word_forms import index_text

SCHEMA_HEAD = "0010"
SQLITE_BUSY_TIMEOUT_S = 30.0
POOL_KEPT, POOL_BURST = 2, 3
_WRITE = "wmconsole_write"
_ADVISORY_MIGRATION_LOCK = 74_201_501


class DatabaseError(DomainError):
    """The database cannot be opened, reached, or is not ours."""

    exit_code = 6


def normalise_url(url: str) -> str:
    """Accept a bare path for SQLite and the short postgresql:// scheme for psycopg 3."""
    if "://" not in url:
        return f"sqlite:///{Path(url).expanduser().absolute()}"
    parsed = make_url(url)
    if parsed.drivername in ("postgresql", "postgres"):
        return parsed.set(drivername="postgresql+psycopg").render_as_string(hide_password=False)
    return url


class Database:
    """An engine plus the two kinds of session the domain needs: read and write."""

    def __init__(self, url: str) -> None:
        self.url: URL = make_url(normalise_url(url))
        self.is_sqlite = self.url.get_backend_name() == "sqlite"
        self.is_postgres = self.url.get_backend_name() == "postgresql"
        if not (self.is_sqlite or self.is_postgres):
            raise DatabaseError(
                f"unsupported database {self.url.get_backend_name()!r}: "
                "use sqlite:///PATH or postgresql://USER@HOST:PORT/NAME"
            )
        self.engine = self._create_engine()

    @property
    def sqlite_path(self) -> Path | None:
        if not self.is_sqlite or not self.url.database or self.url.database == ":memory:":
            return None
        return Path(self.url.database)

    @cached_property
    def identity(self) -> Identity:
        """Who this process is to the database: session_user on PostgreSQL, the
        OS account of the real uid on SQLite. Asked once."""
        if self.is_sqlite:
            return sqlite_identity(self.sqlite_path)
        with self.engine.connect() as connection:
            return postgres_identity(connection)

    def _acting(self, as_: Acting | None) -> Engine:
        """The engine a transaction for `as_` (a login or a duty) runs on: this
        connection's, after checking it is that person's; nothing is sent when
        it is not. Tests connect as each person instead (tests/support/roster.py)."""
        if as_ is not None:
            self.identity.check(as_)
        return self.engine

    def _create_engine(self, url: URL | None = None) -> Engine:
        url = url or self.url
        if self.is_postgres:
            # A server that went silent (a cut network) fails a connection in
            # seconds, not after the system's TCP timeout of minutes. A console's
            # threads read on one connection nearly always and on two for about
            # one checkout in eight (the page beside its counts): two are kept,
            # and more are opened only for a burst (start-up). Every connection
            # kept is a server process; the change feed's LISTEN is one more
            # (`wmconsole bench desk` prints what a console costs).
            timeout = {} if "connect_timeout" in url.query else {"connect_timeout": 10}
            return sa.create_engine(
                url,
                pool_pre_ping=True,
                pool_size=POOL_KEPT,
                max_overflow=POOL_BURST,
                connect_args=timeout,
            )
        path = self.sqlite_path
        if path is None:
            raise DatabaseError("an in-memory SQLite database cannot be shared: give a file path")
        path.parent.mkdir(parents=True, exist_ok=True)
        engine = sa.create_engine(
            url,
            connect_args={"timeout": SQLITE_BUSY_TIMEOUT_S, "check_same_thread": False},
        )
        sa.event.listen(engine, "connect", _configure_sqlite_connection)
        sa.event.listen(engine, "begin", _begin_sqlite_transaction)
        return engine

    @contextmanager
    def read(self, *, as_: Acting | None = None) -> Iterator[Session]:
        """A short read-only session; closing it rolls back, so nothing it does is
        committed, and leaves what it loaded usable. `as_` for a person's own rows."""
        engine = self._acting(as_)
        with _refusals(), Session(engine, expire_on_commit=False, autoflush=False) as session:
            yield session

    @contextmanager
    def connect(self) -> Iterator[sa.Connection]:
        """A Core connection for the hot reads (the queue): no ORM on the way.
        Closing it rolls back, so the read transaction is as short as the block."""
        with self.engine.connect() as connection:
            yield connection

    @contextmanager
    def write(self, *, as_: Acting | None = None) -> Iterator[Session]:
        """One write transaction: IMMEDIATE on SQLite, committed on success; for
        the person or duty `as_`, refused before any SQL when this connection is
        not theirs. The database's own refusals come back as Forbidden."""
        writer = self._acting(as_).execution_options(**{_WRITE: True})
        with _refusals(), Session(writer, expire_on_commit=False) as session, session.begin():
            yield session

    @contextmanager
    def write_connection(self) -> Iterator[sa.Connection]:
        """A Core connection in one write transaction, for bulk loads and migrations."""
        with self.engine.execution_options(**{_WRITE: True}).begin() as connection:
            yield connection

    def reachable(self) -> None:
        """A round trip to the database; raises when there is none."""
        with self.engine.connect() as connection:
            connection.exec_driver_sql("SELECT 1")

    def schema_revision(self) -> str | None:
        with self.engine.connect() as connection:
            if not sa.inspect(connection).has_table("alembic_version"):
                return None
            return connection.exec_driver_sql("SELECT version_num FROM alembic_version").scalar()

    def upgrade(self) -> None:
        """Bring the schema to head and, on PostgreSQL, the grants to what
        console/rules/privileges.py says; safe when several processes start at once."""
        from alembic import command

        if self.is_postgres and not self.identity.owner:
            raise DatabaseError(
                f"the schema is the owner's to upgrade and {self.identity.login} does not own "
                "it: the schema owner runs `wmconsole db upgrade`"
            )
        config = _migrations_config()
        with self.write_connection() as connection:
            if self.is_postgres:
                connection.exec_driver_sql(
                    f"SELECT pg_advisory_xact_lock({_ADVISORY_MIGRATION_LOCK})"
                )
            config.attributes["connection"] = connection
            try:
                command.upgrade(config, "head")
                if self.is_postgres:
                    from console.grants import apply_grants

                    apply_grants(connection)
            except sa.exc.DBAPIError as error:
                owner = (
                    "; the schema owner runs `wmconsole db upgrade`"
                    if getattr(error.orig, "sqlstate", None) == "42501"
                    else ""
                )
                raise DatabaseError(
                    f"the schema upgrade stopped, nothing of it kept: {error.orig}{owner}"
                ) from error

    def ensure_schema(self) -> None:
        """A fresh or older database is brought to head on first use; a newer one
        (written by a newer wmconsole) is refused rather than misread."""
        revision = self.schema_revision()
        if revision == SCHEMA_HEAD:
            return
        if revision is not None and revision not in _known_revisions():
            raise DatabaseError(
                f"the database's schema is at revision {revision}, which this wmconsole does "
                f"not know (it expects {SCHEMA_HEAD}): upgrade wmconsole on this host"
            )
        self.upgrade()

    def dispose(self) -> None:
        self.engine.dispose()


@contextmanager
def _refusals() -> Iterator[None]:
    try:
        yield
    except sa.exc.DBAPIError as error:
        refusal = refusal_from(error)
        if refusal is None:
            raise
        raise refusal from error


def _migrations_config():
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(Path(__file__).with_name("migrations")))
    return config


def _known_revisions() -> set[str]:
    from alembic.script import ScriptDirectory

    script = ScriptDirectory.from_config(_migrations_config())
    return {revision.revision for revision in script.walk_revisions()}


def _configure_sqlite_connection(dbapi_connection, _record) -> None:
    # Transactions are begun by _begin_sqlite_transaction, not by pysqlite.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute(f"PRAGMA busy_timeout={int(SQLITE_BUSY_TIMEOUT_S * 1000)}")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    # 32 MiB of page cache (the default is 2): a write touches a dozen indexes of a
    # million-row table, and re-reading their upper pages dominated intake.
    cursor.execute("PRAGMA cache_size=-32768")
    # The search index's words, for spelling out a prefix (console/reads/search.py).
    # This connection's own: it reads the index only when asked.
    cursor.execute(
        "CREATE VIRTUAL TABLE IF NOT EXISTS temp.ticket_search_terms "
        "USING fts5vocab(main, ticket_search, 'row')"
    )
    cursor.close()
    # The search index's stems (migration 0008): its triggers call this.
    dbapi_connection.create_function("wm_search_words", 1, index_text, deterministic=True)


def _begin_sqlite_transaction(connection: sa.Connection) -> None:
    write = connection.get_execution_options().get(_WRITE, False)
    connection.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")


def open_database(url: str, *, migrate: bool = True) -> Database:
    database = Database(url)
    if migrate:
        database.ensure_schema()
    return database
