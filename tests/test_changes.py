"""The change feed wakes a console when another process commits."""

import subprocess
import sys
import threading

from console import operations as ops
from console.changes import ChangeFeed, changes_since, latest_change
from console.reads.ticket import load_ticket
from tests.support.desk import new_ticket
from tests.support.roster import cli_db


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


def test_changes_since_lists_every_change_in_order(staffed):
    start = latest_change(staffed.db)
    first = new_ticket(staffed)
    ops.take(staffed, first, by="olga")
    ops.note(staffed, first, "checked", by="olga")
    changes = changes_since(staffed.db, start)
    assert len(changes) == 3
    assert [c.id for c in changes] == sorted(c.id for c in changes)
    assert changes_since(staffed.db, changes[-1].id) == []
