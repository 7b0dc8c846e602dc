"""Who is at the keyboard on SQLite (one host): the OS account of the process's
real uid, never $USER. Another account may act only as itself; the file's owner
is the desk's admin. The audit and the change log are append-only for
everyone, by trigger."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from console import operations as ops
from console.database import open_database
from console.desk import Desk
from console.errors import Forbidden
from console.identity import Duty, Identity, NotSignedIn, os_account
from console.settings import Settings
from models import BlockState
from tests.support.desk import new_ticket

OTHER = "nobody"
_SITE = Path(sa.__file__).parents[1]
_ROOT = Path(__file__).parents[1]


def _as_other(*command: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    """`command` run by runuser as the other account, with this checkout's packages."""
    environment = {"PATH": "/usr/bin:/bin", "PYTHONPATH": f"{_SITE}:{_ROOT}", **(env or {})}
    return subprocess.run(
        [
            "runuser",
            "-u",
            OTHER,
            "--",
            "env",
            *(f"{k}={v}" for k, v in environment.items()),
            *command,
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )


def _interpreter() -> str | None:
    """A Python of this version that the other account may run (a pyenv under
    /root is closed to it; the system's own usually is not)."""
    version = f"python{sys.version_info.major}.{sys.version_info.minor}"
    for candidate in (sys.executable, shutil.which(version), f"/usr/bin/{version}"):
        if candidate and _as_other(candidate, "-c", "import sqlalchemy").returncode == 0:
            return candidate
    return None


@pytest.fixture(scope="module")
def python_for_other() -> str:
    if os.geteuid() != 0 or shutil.which("runuser") is None:
        pytest.skip("running a process as another account takes root and runuser")
    interpreter = _interpreter()
    if interpreter is None:
        pytest.skip(f"no Python {sys.version_info[:2]} that {OTHER} may run")
    return interpreter


@pytest.fixture
def shared_desk(sqlite_template: Path, clock) -> Iterator[Desk]:
    """A desk file owned by this (root) account that the other account may write:
    as on a host where the desk's group can write the file."""
    folder = Path(tempfile.mkdtemp(prefix="wm-shared-"))
    folder.chmod(0o777)
    path = folder / "desk.db"
    shutil.copyfile(sqlite_template, path)
    path.chmod(0o666)
    desk = Desk(db=open_database(str(path)), settings=Settings(), clock=clock)
    for login, role in [("ivan", "operator"), ("sergey", "supervisor"), ("elena", "supervisor")]:
        ops.add_operator(desk, login, name=login.title(), role_name=role)
    yield desk
    desk.close()
    shutil.rmtree(folder, ignore_errors=True)


def _wmconsole(python: str, desk: Desk, *args: str, **env: str) -> subprocess.CompletedProcess:
    # The desk closes first: the other process must be able to open the WAL files.
    desk.db.dispose()
    for leftover in desk.db.sqlite_path.parent.iterdir():
        leftover.chmod(0o666)
    return _as_other(python, "-m", "console.cli", "--db", str(desk.db.sqlite_path), *args, env=env)


def test_another_account_cannot_approve_a_block_as_sergey(python_for_other, shared_desk):
    number = new_ticket(shared_desk)
    request = ops.request_block(shared_desk, number, "444455556666", "took the money", by="ivan")
    result = _wmconsole(
        python_for_other, shared_desk, "block", "approve", str(request), "--as", "sergey"
    )
    assert result.returncode == 1, result.stderr
    assert result.stderr == (
        f"wmconsole: you are signed in to this host as {OTHER}; sign in as sergey to act as "
        f"sergey (on SQLite only the owner of the database file, {os_account()}, may act for "
        "another operator)\n"
    )
    [pending] = [r for r in _blocks(shared_desk) if r.id == request]
    assert pending.state == BlockState.requested.value


def test_another_account_is_itself_whatever_user_says(python_for_other, shared_desk):
    new_ticket(shared_desk)
    result = _wmconsole(
        python_for_other, shared_desk, "take", "--next", USER="sergey", LOGNAME="sergey"
    )
    assert result.returncode == 3, result.stderr
    assert f"no operator '{OTHER}'" in result.stderr


def test_only_the_files_owner_adds_or_deactivates_operators(python_for_other, shared_desk):
    added = _wmconsole(
        python_for_other,
        shared_desk,
        "operator",
        "add",
        "mallory",
        "--name",
        "M",
        "--role",
        "security",
    )
    assert added.returncode == 1
    assert added.stderr == (
        "wmconsole: adding, deactivating or changing the role of an operator takes the owner "
        f"of the database file ({os_account()}); you are {OTHER}\n"
    )
    gone = _wmconsole(python_for_other, shared_desk, "operator", "deactivate", "sergey")
    assert gone.returncode == 1
    assert [p.login for p in ops.list_people(shared_desk)] == ["elena", "ivan", "sergey"]
    assert all(p.active for p in ops.list_people(shared_desk))


def _blocks(desk: Desk):
    from console.reads.blocks import list_block_requests

    return list_block_requests(desk.db, pending_only=False)


def test_the_audit_and_the_change_log_refuse_changes_on_sqlite(sqlite_url: str, clock):
    desk = Desk(db=open_database(sqlite_url), settings=Settings(), clock=clock)
    ops.add_operator(desk, "olga", name="Olga", role_name="operator")
    ops.take(desk, new_ticket(desk), by="olga")
    for statement in (
        "UPDATE auditevent SET operator_id = NULL",
        "DELETE FROM auditevent",
        "UPDATE changelog SET topic = 'x'",
        "DELETE FROM changelog",
    ):
        with pytest.raises(sa.exc.IntegrityError) as refused, desk.db.write_connection() as c:
            c.exec_driver_sql(statement)
        assert str(refused.value.orig) == (
            "the audit and the change log are append-only: rows are never changed or deleted"
        )
    with (
        pytest.raises(Forbidden, match="the database refused: the audit and the change log"),
        desk.db.write() as session,
    ):
        session.execute(sa.text("DELETE FROM auditevent"))
    desk.close()


def test_who_may_act_for_whom():
    olga_on_postgres = Identity("olga", postgres=True, owner=False, duties=frozenset())
    assert olga_on_postgres.refusal("olga") is None
    assert str(olga_on_postgres.refusal("sergey")) == (
        "you are connected to the database as olga; sign in as sergey to act as sergey"
    )
    assert isinstance(olga_on_postgres.refusal(Duty.intake), NotSignedIn)
    owner = Identity("wmconsole", postgres=True, owner=True)
    assert owner.refusal(Duty.admin) is None
    assert owner.refusal("olga") is not None, "on PostgreSQL even the owner is only itself"
    file_owner = Identity("root", postgres=False, owner=True, file_owner="root")
    assert file_owner.refusal("olga") is None
    assert file_owner.how("olga") == "by the database file's owner, on SQLite"
    assert olga_on_postgres.how("olga") == "signed in to PostgreSQL as olga"
