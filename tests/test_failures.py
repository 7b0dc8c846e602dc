"""A failure of the database or the system is one sentence for a person and its
details in the log; the drafts this host keeps survive a crash and move to the
database when it can take them."""

from __future__ import annotations

import errno
import json
import stat
from pathlib import Path

import pytest
import sqlalchemy as sa

from console import operations as ops
from console.database import Database
from console.desk import Desk
from console.errors import NotFound
from console.failures import Trouble, explain, log_to, record
from console.local_drafts import LocalDrafts, move_to_database
from console.reads.ticket import load_ticket
from tests.support.desk import FullDisk, new_ticket


def failure_of(work) -> BaseException:
    with pytest.raises(Exception) as raised:
        work()
    return raised.value


def test_an_unreachable_server_is_an_outage_in_one_sentence():
    database = Database("postgresql://nobody@127.0.0.1:9/none")
    explained = explain(failure_of(database.reachable))
    database.dispose()
    assert explained.trouble == Trouble.unreachable
    assert explained.exit_code == 6
    assert explained.sentence.startswith("the database cannot be reached: check that its server")
    assert "psycopg" not in explained.sentence and "sqlalche.me" not in explained.sentence


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_a_full_sqlite_database_is_said_as_a_full_disk(staffed: Desk):
    number = new_ticket(staffed)
    full = FullDisk(staffed.db)
    try:
        error = failure_of(lambda: ops.note(staffed, number, "x " * 20_000, by="olga"))
    finally:
        full.lift()
    explained = explain(error)
    assert (explained.trouble, explained.exit_code) == (Trouble.disk_full, 6)
    assert explained.sentence.startswith("the database's disk is full, so nothing was written")
    assert len(load_ticket(staffed.db, number).messages) == 1


@pytest.mark.parametrize(
    ("number", "said"),
    [
        (errno.ENOSPC, "the disk is full (writing /x/y): free some space"),
        (errno.EACCES, "permission denied on /x/y: check who owns it"),
        (errno.ENOENT, "there is no /x/y: check the path"),
        (errno.EROFS, "the file system is read-only (writing /x/y)"),
    ],
)
def test_system_errors_are_sentences_that_name_the_file(number: int, said: str):
    explained = explain(OSError(number, "whatever", "/x/y"))
    assert (explained.trouble, explained.exit_code) == (Trouble.system, 1)
    assert explained.sentence.startswith(said)


def test_a_refusal_and_a_bug_are_not_failures():
    assert explain(NotFound("no ticket 1")) is None
    assert explain(KeyError("x")) is None


def test_the_details_go_to_the_log_file(tmp_path: Path):
    path = log_to(tmp_path / "logs" / "wmconsole.log")
    assert not path.exists()
    try:
        raise sa.exc.OperationalError("SELECT 1", {}, Exception("server closed the connection"))
    except sa.exc.OperationalError as error:
        record(error, "wmconsole reply")
    logged = path.read_text(encoding="utf-8")
    assert "wmconsole reply failed" in logged
    assert "server closed the connection" in logged and "Traceback" in logged


# Drafts kept on this host -------------------------------------------------------------


def test_a_kept_draft_is_one_private_file_replaced_whole(tmp_path: Path):
    drafts = LocalDrafts(tmp_path / "drafts", "sqlite:////desk.db", "olga")
    path = drafts.keep(100001, "first words", "reply", 3)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    drafts.keep(100001, "first words, and more", "note", 4, seen_event=17, macro_id=2)
    kept = drafts.get(100001)
    assert (kept.body, kept.kind, kept.ticket_version) == ("first words, and more", "note", 4)
    assert (kept.seen_event, kept.macro_id) == (17, 2)
    assert json.loads(path.read_text(encoding="utf-8"))["database"] == "sqlite:////desk.db"
    # No temporary file is left beside it, and a crash's leftover is never read as a draft.
    assert [p.name for p in path.parent.iterdir()] == [path.name]
    (path.parent / f".{path.name}.x1.tmp").write_text("{half", encoding="utf-8")
    assert [d.number for d in drafts.waiting()] == [100001]
    # Another database's or another person's drafts are not this one's.
    assert LocalDrafts(tmp_path / "drafts", "postgresql://db/desk", "olga").waiting() == []
    assert LocalDrafts(tmp_path / "drafts", "sqlite:////desk.db", "ivan").waiting() == []
    drafts.keep(100001, "   ", "reply", 4)
    assert drafts.get(100001) is None


def test_kept_drafts_move_to_the_database_and_a_refused_one_stays(staffed: Desk):
    number = new_ticket(staffed)
    drafts = LocalDrafts.for_desk(staffed, "olga")
    drafts.keep(number, "typed while the database was away", "reply", 1)
    drafts.keep(999_999, "on a ticket that is not there", "note", 1)

    unmoved = move_to_database(staffed, drafts)

    assert ops.draft_for(staffed, number, by="olga").body == "typed while the database was away"
    assert drafts.get(number) is None
    assert [(u.number, u.reason) for u in unmoved] == [(999_999, "no ticket 999999")]
    assert drafts.get(999_999).body == "on a ticket that is not there"
