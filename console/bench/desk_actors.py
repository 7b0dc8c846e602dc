"""The people and programs of `wmconsole bench desk`. Each console, operator and
the intake is its own OS process with its own Desk and connections, signed in
as its own PostgreSQL login, as on separate hosts (threads in one process
would share one interpreter lock and time each other's Python instead of the
database). They start together on a signal and stop at the same wall-clock
moment; each sends what it measured back on a queue.

A console here is the feed reader and the reads a console makes when the feed
wakes it, without Textual: the database sees the same (the LISTEN connection,
"what changed since N", the counts, where the highlighted ticket is now, the
first page, a presence heartbeat every two seconds), and thirty Textual apps
drawing every change would spend the two shared cores on painting, measuring
the machine's Python rather than PostgreSQL.
"""

from __future__ import annotations

import os
import re
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

from console import operations as ops
from console.changes import ChangeFeed, changes_since
from console.desk import Desk, open_desk
from console.errors import DomainError
from console.mail.intake import Maildir, take_waiting, watch_maildir
from console.reads import presence
from console.reads.queue import Queue, QueueFilter, QueueRow, viewer_id_for
from models import PresenceState

# On a real desk the consoles run on their operators' hosts. Here thirty of them
# share the server's cores, so they yield: PostgreSQL, the intake and the
# operators get the CPU first, and the consoles' own latencies include waiting
# for what is left.
CONSOLE_NICENESS = 10
REPLY = "Здравствуйте! Проверили ваш платёж: он зачислен. / Your payment has been credited."
_MESSAGE_ID = re.compile(rb"^Message-ID: (<[^>\r\n]+>)", re.MULTILINE | re.IGNORECASE)


@dataclass(frozen=True)
class Cast:
    """What every process needs: where the desk is, when to start and stop."""

    url: str
    go: Any  # multiprocessing Event
    window: Any  # multiprocessing Array: start and stop, wall-clock seconds
    results: Any  # multiprocessing Queue
    ready: Any  # multiprocessing Queue


def _open(cast: Cast, login: str, label: str) -> Desk:
    """The desk as `login`, named `label` in pg_stat_activity."""
    from sqlalchemy.engine import make_url

    url = make_url(cast.url).set(username=login, query={"application_name": label})
    return open_desk(url.render_as_string(hide_password=False), migrate=False)


def _start(cast: Cast, label: str) -> tuple[float, float]:
    cast.ready.put(label)
    cast.go.wait()
    start_at, stop_at = cast.window[0], cast.window[1]
    time.sleep(max(0.0, start_at - time.time()))
    return start_at, stop_at


def _seconds(action: Callable[[], Any]) -> tuple[Any, float]:
    started = time.perf_counter()
    result = action()
    return result, time.perf_counter() - started


# A console ------------------------------------------------------------------------


def _reread(queue: Queue, f: QueueFilter, anchor: QueueRow | None, desk: Desk) -> tuple:
    """What the queue screen reads when told the database changed, for a console
    whose cursor sits on the first row: the counts, where that ticket sorts now
    and how many rows come before it, and the page. Returns the new first row
    and the seconds the page alone took."""
    now = desk.now()
    queue.forget_counts()
    queue.facets(f, now)
    if anchor is not None and (key := queue.key_of(anchor.id)) is not None:
        queue.position(f, now, key)
    rows, page_seconds = _seconds(partial(queue.page, f, now))
    return (rows[0] if rows else None), page_seconds


def _beat(desk: Desk, operator_id: int | None, stop: threading.Event) -> None:
    """The presence heartbeat, on its own thread as in the console."""
    console_id = presence.new_console_id()
    while operator_id is not None and not stop.is_set():
        presence.heartbeat(
            desk.db,
            console_id=console_id,
            operator_id=operator_id,
            ticket_number=None,
            state=PresenceState.viewing,
            now=desk.now(),
        )
        stop.wait(presence.HEARTBEAT_SECONDS)
    presence.leave(desk.db, console_id)


def follow_changes(cast: Cast, login: str, label: str) -> None:
    os.nice(CONSOLE_NICENESS)
    desk = _open(cast, login, label)
    operator_id = viewer_id_for(desk.db, login)
    queue, f = Queue(desk.db, operator_id), QueueFilter()
    news, stopped = threading.Event(), threading.Event()
    feed = ChangeFeed(desk.db, lambda _latest: news.set()).start()
    after = feed.last_seen
    anchor, _ = _reread(queue, f, None, desk)
    seen: list[tuple[int, float]] = []
    refreshes: list[float] = []
    pages: list[float] = []
    _, stop_at = _start(cast, label)
    beating = threading.Thread(target=_beat, args=(desk, operator_id, stopped), daemon=True)
    beating.start()
    cpu_started = time.process_time()
    while time.time() < stop_at:
        if not news.wait(timeout=0.2):
            continue
        news.clear()
        changes = changes_since(desk.db, after)
        noticed = time.time()
        if not changes:
            continue
        seen.extend((change.id, noticed) for change in changes)
        after = changes[-1].id
        (anchor, page_seconds), refresh_seconds = _seconds(partial(_reread, queue, f, anchor, desk))
        pages.append(page_seconds)
        refreshes.append(refresh_seconds)
    cpu = time.process_time() - cpu_started
    stopped.set()
    feed.stop()
    beating.join()
    desk.close()
    measured = {"seen": seen, "refresh": refreshes, "page": pages, "cpu": [cpu]}
    cast.results.put(("console", label, measured))


# An operator ----------------------------------------------------------------------


def work_tickets(cast: Cast, login: str, label: str, pause: float) -> None:
    """Read the queue, take the next ticket, answer it; `pause` seconds; again."""
    desk = _open(cast, login, label)
    queue, f = Queue(desk.db, viewer_id_for(desk.db, login)), QueueFilter()
    measured: dict[str, list] = {"page": [], "take": [], "reply": [], "taken": []}
    refused: Counter = Counter()
    _, stop_at = _start(cast, label)
    while time.time() < stop_at:
        try:
            _, page_seconds = _seconds(partial(queue.page, f, desk.now()))
            number, take_seconds = _seconds(partial(ops.take_next, desk, by=login))
            measured["page"].append(page_seconds)
            measured["take"].append(take_seconds)
            if number is not None:
                measured["taken"].append(number)
                _, reply_seconds = _seconds(partial(ops.reply, desk, number, REPLY, by=login))
                measured["reply"].append(reply_seconds)
        except DomainError as refusal:
            refused[type(refusal).__name__] += 1
        time.sleep(pause)
    desk.close()
    cast.results.put(("operator", label, {**measured, "refused": dict(refused)}))


# The intake -----------------------------------------------------------------------


def take_mail(cast: Cast, login: str, label: str, maildir_root: str) -> None:
    """`wmconsole intake --watch` until the stop, then whatever is still waiting."""
    desk = _open(cast, login, label)
    maildir = Maildir.open(Path(maildir_root))
    stop = threading.Event()
    _, stop_at = _start(cast, label)
    timer = threading.Timer(max(0.0, stop_at - time.time()), stop.set)
    timer.start()
    counts = Counter(watch_maildir(desk, maildir, stop=stop).counts)
    counts.update(take_waiting(desk, maildir).counts)
    desk.close()
    cast.results.put(("intake", label, {"counts": {str(k): v for k, v in counts.items()}}))


# The mail server ------------------------------------------------------------------


def message_id_of(raw: bytes) -> str | None:
    found = _MESSAGE_ID.search(raw[: raw.find(b"\n\n")])
    return found.group(1).decode("ascii", "replace") if found else None


class MailDelivery:
    """Moves mail prepared beforehand into new/ at `rate` per second, as a mail
    server delivers (the file is complete before it appears), and samples how
    many wait in new/ once a second: a backlog that grows means the intake
    does not keep up."""

    def __init__(self, staged: list[Path], new: Path, rate: float) -> None:
        self.staged, self.new, self.rate = staged, new, rate
        self.delivered: list[Path] = []
        self.backlog: list[int] = []
        self._thread: threading.Thread | None = None

    def start(self, start_at: float, stop_at: float) -> MailDelivery:
        self._thread = threading.Thread(
            target=self._deliver, args=(start_at, stop_at), name="mail-delivery", daemon=True
        )
        self._thread.start()
        return self

    def join(self) -> None:
        if self._thread is not None:
            self._thread.join()

    def _deliver(self, start_at: float, stop_at: float) -> None:
        next_sample = start_at
        for index, path in enumerate(self.staged):
            due = start_at + index / self.rate
            if due >= stop_at:
                break
            time.sleep(max(0.0, due - time.time()))
            target = self.new / path.name
            os.rename(path, target)
            self.delivered.append(target)
            if time.time() >= next_sample:
                self.backlog.append(len(os.listdir(self.new)))
                next_sample += 1.0
