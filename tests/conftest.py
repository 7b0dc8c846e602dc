"""Real databases for every test: a SQLite file, and a PostgreSQL 15 server that
this test session starts itself (as the postgres user, on 127.0.0.1). On
PostgreSQL the desk connects as each person and service (tests/support/roster.py),
the schema as its owner: never as the superuser."""

from __future__ import annotations

import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import settings

from console import operations
from console.bench.throwaway_postgres import ThrowawayPostgres
from console.database import open_database
from console.desk import Desk
from tests.support.desk import Clock, settings_in
from tests.support.roster import OWNER, create_owner, create_services, open_test_database

# No example is held to a time: the suite asserts behaviour, and these machines
# are shared (speed is the benchmarks' to print). Hypothesis's own default of
# 200 ms per example failed test_sla under load.
settings.register_profile("wmconsole", deadline=None)
settings.load_profile("wmconsole")


@pytest.fixture(autouse=True)
def _own_state_and_log(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Drafts kept on this host and the log file stay in the test's folder,
    never in the user's state and log directories."""
    monkeypatch.setenv("WMCONSOLE_STATE_DIR", str(tmp_path / "state"))
    monkeypatch.setenv("WMCONSOLE_LOG_FILE", str(tmp_path / "wmconsole.log"))


@pytest.fixture(scope="session")
def postgres() -> Iterator[ThrowawayPostgres]:
    with ThrowawayPostgres() as server:
        create_owner(server)
        yield server


@pytest.fixture(scope="session")
def postgres_template(postgres: ThrowawayPostgres) -> str:
    """A database at schema head that each test clones (much faster than migrating)."""
    database = open_database(postgres.create_database("wm_template", owner=OWNER))
    database.dispose()
    create_services(postgres)
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


def _postgres_url(postgres: ThrowawayPostgres, template: str) -> str:
    return postgres.create_database(f"t_{uuid.uuid4().hex[:12]}", template, owner=OWNER)


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
def desk(db_url: str, clock: Clock, tmp_path: Path) -> Iterator[Desk]:
    desk = Desk(db=open_test_database(db_url), settings=settings_in(tmp_path), clock=clock)
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


@pytest.fixture
def ui_desk(sqlite_url: str, clock: Clock, tmp_path: Path) -> Iterator[Desk]:
    """SQLite with the demo's people, templates and markers, and no tickets yet:
    the console tests add the tickets they need."""
    from console.demo.generator import load_demo

    desk = Desk(db=open_database(sqlite_url), settings=settings_in(tmp_path), clock=clock)
    load_demo(desk, tickets=0, seed=1)
    yield desk
    desk.close()


@pytest.fixture
def ui_demo(ui_desk: Desk) -> Desk:
    """A small, reproducible demo desk (fixed clock, fixed seed) for screens and snapshots."""
    from console.demo.generator import load_demo

    load_demo(ui_desk, tickets=300, seed=5)
    return ui_desk


@pytest.fixture
def ui_blocks(ui_demo: Desk, clock: Clock) -> Desk:
    """The demo desk with three block requests waiting, one of them elena's own."""
    from console.reads.queue import Assignee, Queue, QueueFilter
    from models import Status

    rows = Queue(ui_demo.db, None).page(
        QueueFilter(assignee=Assignee.anyone, statuses=frozenset({Status.open})),
        clock.now,
        limit=3,
    )
    for row, (wmid, by) in zip(
        rows,
        [("100200300400", "olga"), ("500600700800", "elena"), ("900800700600", "ivan")],
        strict=True,
    ):
        operations.request_block(
            ui_demo, row.number, wmid, f"took the money, says {by}'s customer", by=by
        )
        clock.advance(minutes=7)
    return ui_demo
