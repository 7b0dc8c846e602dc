"""Tests on PostgreSQL connect as the people and services themselves, never as
the superuser: the database's own rules (migration 0005, the grants) are then
under test in every domain test, not only in the privilege tests.

The throwaway server trusts every local connection, so a role needs no
password. The schema owner `desk_owner` (CREATEROLE, not a superuser) owns the
template and every database cloned from it; `desk_admin`, `desk_intake` and
`desk_notices` are the admin and the two services. A person's login role is
created by `operations.add_operator`, as in production (roles belong to the
cluster: a later test that adds `olga` again adopts her role).
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from sqlalchemy.engine import Engine, make_url

from console.bench.throwaway_postgres import ThrowawayPostgres
from console.database import Database, normalise_url
from console.identity import Acting, Duty

OWNER = "desk_owner"
# Signs in for a login the cluster has no role for: someone in the operators'
# group (put there by hand) without an operator row, as the friendly checks
# expect to meet.
STRANGER = "desk_stranger"
SERVICE_LOGINS = {
    Duty.admin: "desk_admin",
    Duty.intake: "desk_intake",
    Duty.notices: "desk_notices",
}


def _as_superuser(server: ThrowawayPostgres, *statements: str) -> None:
    engine = sa.create_engine(server.url(), isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        for statement in statements:
            connection.exec_driver_sql(statement)
    engine.dispose()


def create_owner(server: ThrowawayPostgres) -> None:
    # pg_read_all_stats: tests that watch other sessions' locks do it as the owner.
    _as_superuser(
        server, f"CREATE ROLE {OWNER} LOGIN CREATEROLE", f"GRANT pg_read_all_stats TO {OWNER}"
    )


def create_services(server: ThrowawayPostgres) -> None:
    """After the first migration made the groups: one login role per duty."""
    _as_superuser(
        server,
        *(f"CREATE ROLE {login} LOGIN IN ROLE wm_{duty}" for duty, login in SERVICE_LOGINS.items()),
        f"CREATE ROLE {STRANGER} LOGIN IN ROLE wm_operator",
    )


def url_as(url: str, login: str) -> str:
    """The same database, connected as `login`."""
    return make_url(normalise_url(url)).set(username=login).render_as_string(hide_password=False)


class RosterDatabase(Database):
    """A Database whose writes and per-person reads each run on a connection
    signed in as that person (or that duty's service login); plain reads run
    as the owner. Nothing else differs from production."""

    def __init__(self, url: str) -> None:
        super().__init__(url)
        self._signed_in: dict[str, Engine] = {}

    def _acting(self, as_: Acting | None) -> Engine:
        if as_ is None:
            return self.engine
        login = SERVICE_LOGINS[as_] if isinstance(as_, Duty) else as_
        engine = self._signed_in.get(login)
        if engine is None:
            with self.engine.connect() as connection:
                known = connection.execute(
                    sa.text("SELECT 1 FROM pg_roles WHERE rolname = :login"), {"login": login}
                ).first()
            engine = self._signed_in[login] = sa.create_engine(
                self.url.set(username=login if known else STRANGER),
                pool_size=2,
                max_overflow=6,
                # As production's (console/database.py): a connection the server
                # dropped is noticed on checkout, not by the statement after.
                pool_pre_ping=True,
            )
        return engine

    def dispose(self) -> None:
        for engine in self._signed_in.values():
            engine.dispose()
        super().dispose()


def open_test_database(url: str) -> Database:
    """What the tests' desks use: a RosterDatabase on PostgreSQL, the plain
    Database on SQLite (where the test's own account owns the file and so may
    act for every operator)."""
    is_postgres = make_url(normalise_url(url)).get_backend_name() == "postgresql"
    database = RosterDatabase(url) if is_postgres else Database(url)
    database.ensure_schema()
    return database


# Commands that act for a duty rather than a person, by their leading words.
_DUTY_COMMANDS = {
    ("operator",): Duty.admin,
    ("ticket", "new"): Duty.intake,
    ("confirm",): Duty.intake,
    ("customer",): Duty.intake,
    ("expire",): Duty.intake,
    ("intake",): Duty.intake,
    ("notices", "send"): Duty.notices,
}


def signed_in_login(args: Sequence[str]) -> str:
    """Who a command line connects as: the --as person, else the duty of the
    command, else the owner (plain reads)."""
    args = list(args)
    if "--as" in args:
        return args[args.index("--as") + 1]
    for words, duty in _DUTY_COMMANDS.items():
        if tuple(args[: len(words)]) == words:
            return SERVICE_LOGINS[duty]
    return OWNER


def cli_db(db_url: str, args: Sequence[str]) -> str:
    """The --db URL for a command line: on PostgreSQL, connected as whoever
    runs it (as people do: each signs in as themselves). A person the cluster
    has no role for yet gets one in the operators' group (as a DBA might make
    it), so the command meets the desk's own checks."""
    if make_url(normalise_url(db_url)).get_backend_name() != "postgresql":
        return db_url
    login = signed_in_login(args)
    engine = sa.create_engine(url_as(db_url, OWNER), isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        known = connection.execute(
            sa.text("SELECT 1 FROM pg_roles WHERE rolname = :login"), {"login": login}
        ).first()
        if not known:
            connection.exec_driver_sql(f'CREATE ROLE "{login}" LOGIN IN ROLE wm_operator')
    engine.dispose()
    return url_as(db_url, login)
