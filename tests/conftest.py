"""Real databases for every test: a SQLite file, and a PostgreSQL 15 server that
this test session starts itself (as the postgres user, on 127.0.0.1)."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from console import operations
from console.database import open_database
from console.desk import Desk
from console.settings import Settings

# A Wednesday inside support hours: 10:00 GMT.
WEDNESDAY_10AM = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)


@dataclass
class Clock:
    """The desk's time, moved by the test."""

    now: datetime = WEDNESDAY_10AM

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> datetime:
        self.now += timedelta(**delta)
        return self.now


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _pg_binary(name: str) -> str:
    found = shutil.which(name)
    if found:
        return found
    for candidate in sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{name}"), reverse=True):
        return str(candidate)
    raise RuntimeError(
        f"PostgreSQL's {name} is not installed; the PostgreSQL tests need the server binaries"
    )


class PostgresServer:
    """A throwaway cluster in a temporary directory owned by the postgres user."""

    def __init__(self) -> None:
        self.root = Path(tempfile.mkdtemp(prefix="wmconsole-pg-"))
        self.data = self.root / "data"
        self.port = _free_port()
        self.log = self.root / "server.log"
        self._as_postgres = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []

    def _run(self, *command: str) -> None:
        subprocess.run([*self._as_postgres, *command], check=True, capture_output=True, text=True)

    def start(self) -> None:
        if self._as_postgres:
            shutil.chown(self.root, user="postgres")
        self._run(
            _pg_binary("initdb"),
            "-D",
            str(self.data),
            "-A",
            "trust",
            "-U",
            "postgres",
            "-E",
            "UTF8",
            "--locale=C.UTF-8",
        )
        options = (
            f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 "
            "-c fsync=off -c synchronous_commit=off -c full_page_writes=off "
            "-c max_connections=200"
        )
        self._run(
            _pg_binary("pg_ctl"),
            "-D",
            str(self.data),
            "-o",
            options,
            "-l",
            str(self.log),
            "-w",
            "start",
        )

    def stop(self) -> None:
        try:
            self._run(_pg_binary("pg_ctl"), "-D", str(self.data), "-m", "immediate", "stop")
        finally:
            shutil.rmtree(self.root, ignore_errors=True)

    def url(self, database: str = "postgres") -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{database}"

    def admin(self) -> sa.Engine:
        return sa.create_engine(self.url(), isolation_level="AUTOCOMMIT")


@pytest.fixture(scope="session")
def postgres() -> Iterator[PostgresServer]:
    server = PostgresServer()
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def postgres_template(postgres: PostgresServer) -> str:
    """A database at schema head that each test clones (much faster than migrating)."""
    engine = postgres.admin()
    with engine.connect() as connection:
        connection.exec_driver_sql("CREATE DATABASE wm_template")
    engine.dispose()
    database = open_database(postgres.url("wm_template"))
    database.dispose()
    return "wm_template"


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "template.db"
    database = open_database(str(path))
    with database.engine.connect() as connection:
        connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    database.dispose()
    return path


def _sqlite_url(tmp_path: Path, template: Path) -> str:
    path = tmp_path / "desk.db"
    shutil.copyfile(template, path)
    return f"sqlite:///{path}"


def _postgres_url(postgres: PostgresServer, template: str) -> str:
    name = f"t_{uuid.uuid4().hex[:12]}"
    engine = postgres.admin()
    with engine.connect() as connection:
        connection.exec_driver_sql(f'CREATE DATABASE "{name}" TEMPLATE {template}')
    engine.dispose()
    return postgres.url(name)


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A fresh database at schema head, on each backend in turn."""
    if request.param == "sqlite":
        return _sqlite_url(tmp_path, request.getfixturevalue("sqlite_template"))
    postgres = request.getfixturevalue("postgres")
    return _postgres_url(postgres, request.getfixturevalue("postgres_template"))


@pytest.fixture
def sqlite_url(tmp_path: Path, sqlite_template: Path) -> str:
    return _sqlite_url(tmp_path, sqlite_template)


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def desk(db_url: str, clock: Clock) -> Iterator[Desk]:
    desk = Desk(db=open_database(db_url), settings=Settings(), clock=clock)
    yield desk
    desk.close()


@pytest.fixture
def staffed(desk: Desk) -> Desk:
    """The desk with one person of each role, and a second supervisor for four-eyes."""
    for login, role in [
        ("olga", "operator"),
        ("ivan", "operator"),
        ("sergey", "supervisor"),
        ("elena", "supervisor"),
        ("irina", "security"),
    ]:
        operations.add_operator(desk, login, name=login.title(), role_name=role)
    return desk


def new_ticket(desk: Desk, **overrides) -> int:
    """A confirmed ticket (the customer was signed in with a WMID)."""
    fields = {
        "service": "transfers",
        "subject": "Payment not delivered",
        "body": "I sent 100 WMZ and the payee got nothing.",
        "email": "customer@example.com",
        "wmid": "123456789012",
    }
    fields.update(overrides)
    return operations.create_ticket(desk, **fields).number
