"""The change feed wakes a console when another process commits."""

import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator

import pytest
import sqlalchemy as sa

from console import operations as ops
from console.changes import ChangeFeed, changes_since, latest_change
from console.desk import Desk
from console.operations.editing import record_change
from console.reads.ticket import load_ticket
from console.settings import Settings
from tests.support.desk import new_ticket
from tests.support.roster import OWNER, cli_db, open_test_database


def test_another_process_taking_a_ticket_reaches_the_feed(staffed):
    number = new_ticket(staffed)
    ticket_id = load_ticket(staffed.db, number).id
    seen_before = latest_change(staffed.db)
    woke = threading.Event()
    reported: list[int] = []

    def on_change(latest: int) -> None:
        reported.append(latest)
        woke.set()

    feed = ChangeFeed(staffed.db, on_change, poll_seconds=5).start()
    try:
        command = ["take", str(number), "--as", "olga"]
        url = cli_db(staffed.db.url.render_as_string(hide_password=False), command)
        subprocess.run(
            [sys.executable, "-m", "console.cli", "--db", url, *command],
            check=True,
            capture_output=True,
            timeout=60,
        )
        assert woke.wait(timeout=4), "no change reported within the poll interval"
    finally:
        feed.stop()
    changes = changes_since(staffed.db, seen_before)
    assert [(c.ticket_id, c.topic) for c in changes] == [(ticket_id, "ticket")]
    assert reported[-1] == changes[-1].id


def test_a_feed_stops_promptly_and_reports_nothing_without_changes(staffed):
    reported: list[int] = []
    feed = ChangeFeed(staffed.db, reported.append, poll_seconds=0.2).start()
    feed.stop()
    assert feed._thread is not None and not feed._thread.is_alive()
    assert reported == []


def test_a_burst_of_changes_is_reported_twice_not_once_each(staffed):
    """The first change at once, the rest of the burst together after `report_every`."""
    numbers = [new_ticket(staffed) for _ in range(6)]
    reported: list[int] = []
    feed = ChangeFeed(staffed.db, reported.append, poll_seconds=0.2, report_every=4).start()
    try:
        for number in numbers:
            ops.take(staffed, number, by="olga")
        final = latest_change(staffed.db)
        deadline = time.monotonic() + 20
        while (not reported or reported[-1] != final) and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        feed.stop()
    assert reported[-1] == final
    assert len(reported) <= 2


def test_changes_since_lists_every_change_in_order(staffed):
    start = latest_change(staffed.db)
    first = new_ticket(staffed)
    ops.take(staffed, first, by="olga")
    ops.note(staffed, first, "checked", by="olga")
    changes = changes_since(staffed.db, start)
    assert len(changes) == 3
    assert [c.id for c in changes] == sorted(c.id for c in changes)
    assert changes_since(staffed.db, changes[-1].id) == []


class _Refused(Exception):
    pass


def test_a_change_noted_in_a_savepoint_that_rolls_back_is_not_logged(staffed):
    kept, dropped = new_ticket(staffed), new_ticket(staffed)
    kept_id, dropped_id = (load_ticket(staffed.db, n).id for n in (kept, dropped))
    start = latest_change(staffed.db)
    with staffed.db.write() as session:
        record_change(session, staffed, "ticket", kept_id)
        with pytest.raises(_Refused), session.begin_nested():
            record_change(session, staffed, "ticket", dropped_id)
            raise _Refused
    assert [c.ticket_id for c in changes_since(staffed.db, start)] == [kept_id]


@pytest.fixture
def pg_desk(postgres, postgres_template, clock) -> Iterator[Desk]:
    url = postgres.create_database(f"t_{uuid.uuid4().hex[:12]}", postgres_template, owner=OWNER)
    desk = Desk(db=open_test_database(url), settings=Settings(), clock=clock)
    ops.add_operator(desk, "olga", name="Olga", role_name="operator")
    yield desk
    desk.close()


@pytest.mark.postgres
def test_a_change_made_first_and_committed_last_is_read_after_the_other(pg_desk):
    """Writer A notes its change, writer B (its own connection) changes another
    ticket and commits, then A commits: a reader that read B's change while A
    was open still reads A's after it, never skipping it."""
    first, second = new_ticket(pg_desk), new_ticket(pg_desk)
    first_id, second_id = (load_ticket(pg_desk.db, n).id for n in (first, second))
    start = latest_change(pg_desk.db)
    with pg_desk.db.write() as session:
        record_change(session, pg_desk, "ticket", first_id)
        ops.take(pg_desk, second, by="olga")
        read_while_open = changes_since(pg_desk.db, start)
    assert [c.ticket_id for c in read_while_open] == [second_id]
    read_after = changes_since(pg_desk.db, read_while_open[-1].id)
    assert [c.ticket_id for c in read_after] == [first_id]


@pytest.mark.postgres
def test_a_writer_committing_holds_the_next_writers_change_back(pg_desk):
    """A has numbered its change and not yet committed; B's take waits for A's
    commit, so nobody can read B's change (a higher id) before A's."""
    first, second = new_ticket(pg_desk), new_ticket(pg_desk)
    first_id, second_id = (load_ticket(pg_desk.db, n).id for n in (first, second))
    start = latest_change(pg_desk.db)
    taker = threading.Thread(target=ops.take, args=(pg_desk, second), kwargs={"by": "olga"})
    with pg_desk.db.write() as session:
        record_change(session, pg_desk, "ticket", first_id)

        def commit_slowly(_session) -> None:
            # Runs after the change log's own hook: A holds the lock and its id.
            taker.start()
            deadline = time.monotonic() + 10
            while not _waits_for_a_lock(pg_desk):
                assert time.monotonic() < deadline, "the second writer never waited"
                time.sleep(0.02)
            assert changes_since(pg_desk.db, start) == []

        sa.event.listen(session, "before_commit", commit_slowly)
    taker.join(timeout=10)
    changes = changes_since(pg_desk.db, start)
    assert [c.ticket_id for c in changes] == [first_id, second_id]


def _waits_for_a_lock(desk: Desk) -> bool:
    with desk.db.connect() as connection:
        return (
            connection.exec_driver_sql(
                "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
                "AND datname = current_database()"
            ).scalar()
            > 0
        )
