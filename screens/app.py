"""The console: one App (screens/starting.py builds and runs it).

The App owns what every screen shares: the desk, the operator, the queue
reader, the change feed (another console's commit reaches every open screen
as TicketsChanged) and the presence heartbeat (this console's row in the
shared presence table, and who else is on the ticket it shows).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from concurrent.futures import Future
from datetime import datetime, timedelta
from threading import Lock
from typing import TYPE_CHECKING, TypeVar

from textual import on, work
from textual.app import App
from textual.content import Content
from textual.message import Message
from textual.notifications import SeverityLevel
from textual.reactive import var
from textual.screen import Screen
from textual.timer import Timer
from textual.worker import Worker, WorkerFailed

from console.errors import (
    Conflict,
    DomainError,
    Forbidden,
    FourEyes,
    HeldElsewhere,
    NotFound,
)
from console.failures import Failure, as_failure
from console.rules.roles import Permission, require
from screens.base import Reading
from screens.going import Going
from screens.keymap import EVERYWHERE, bindings_for
from screens.messages import PresenceSeen, TicketsChanged, Whereabouts
from screens.outage import DatabaseFailed, DatabaseWatch, failure_of, refusal_of
from screens.queue.screen import QueueScreen
from screens.widgets.key_bar import KeyBar
from screens.widgets.palette import ConsoleCommands

# The database's side loads on first use, so the console paints without it.
if TYPE_CHECKING:
    from console.changes import ChangeFeed
    from console.desk import Desk
    from console.local_drafts import LocalDrafts
    from console.reads.queue import Queue
    from console.reads.quick import Opening, OperatorCard
    from console.reads.stats import DeskStats
    from models import Operator

T = TypeVar("T")
S = TypeVar("S", bound=Screen)

# Further back than this and a console re-reads everything instead of each change.
_CHANGES_READ = 1000
# How often a console makes sure its terminal is still there.
TERMINAL_CHECK_SECONDS = 2.0
# The exit status of a console whose terminal went away (as a shell's for SIGHUP).
TERMINAL_GONE = 129
# The status line says what was just done this long (a warning twice as long).
STATUS_SECONDS = 6.0
# Switching filters reuses the counts this long; any change in the database, and
# the queue's own tick, count afresh.
COUNTS_FRESH_FOR = timedelta(seconds=20)


class WmConsole(Going, App[None]):
    """The support desk console."""

    TITLE = "wm-console"
    CSS_PATH = [
        "app.tcss",
        "queue/screen.tcss",
        "queue/filter_bar.tcss",
        "ticket/view.tcss",
        "ticket/reply_editor.tcss",
        "widgets/dialogs.tcss",
        "help_screen.tcss",
        "dashboard/screen.tcss",
        "supervision/list_screen.tcss",
        "supervision/block_review.tcss",
        "supervision/templates.tcss",
        "ticket/call.tcss",
    ]
    COMMANDS = App.COMMANDS | {ConsoleCommands}
    BINDINGS = bindings_for(EVERYWHERE)
    # When the database stopped answering (local time); None while it answers.
    unreachable_since: var[datetime | None] = var(None)

    class _FeedNews(Message):
        def __init__(self, latest: int) -> None:
            super().__init__()
            self.latest = latest

    class _PresenceRead(Reading[PresenceSeen]):
        pass

    class _ChangesRead(Message):
        def __init__(
            self, upto: int, ticket_ids: frozenset[int] | None, topics: frozenset[str]
        ) -> None:
            super().__init__()
            self.upto = upto
            self.ticket_ids = ticket_ids
            self.topics = topics

    def __init__(
        self,
        desk: Desk,
        operator: Operator | OperatorCard,
        *,
        live: bool = True,
        heartbeat: bool = True,
        keymap: dict[str, str] | None = None,
        console_id: str | None = None,
        cursor_blink: bool = True,
        start_on_dashboard: bool = False,
        opening: Opening | None = None,
        first_reading: Future[DeskStats] | None = None,
    ) -> None:
        super().__init__()
        self.desk = desk
        self.operator = operator
        self.login = operator.login
        # What the first screen paints before the ORM has loaded (console.reads.quick).
        self.opening = opening
        self._queue: Queue | None = None
        self._local_drafts: LocalDrafts | None = None
        self._made = Lock()
        self._console_id = console_id
        self.cursor_blink = cursor_blink
        self.keymap = keymap or {}
        self._live = live
        self._heartbeat = heartbeat
        self._feed: ChangeFeed | None = None
        self._background_started = False
        self._last_change = 0
        self._start_on_dashboard = start_on_dashboard
        self._database_watch = DatabaseWatch(self)
        # What the key bar says above the keys for a few seconds, and all it said.
        self.status_line: tuple[str, SeverityLevel] | None = None
        self.status_history: list[str] = []
        self._status_timer: Timer | None = None
        # Opened on the dashboard: its first reading, already under way.
        self._first_reading = first_reading
        if self.keymap:
            self.set_keymap(self.keymap)

    @property
    def console_id(self) -> str:
        """This console's row in the shared presence table, named on first use
        (console.reads.presence loads SQLAlchemy: not before the first paint)."""
        if self._console_id is None:
            from console.reads.presence import new_console_id

            self._console_id = new_console_id()
        return self._console_id

    @property
    def queue(self) -> Queue:
        """The queue's reader, made on first use (on whichever thread needs it)."""
        with self._made:
            if self._queue is None:
                from console.reads.queue import Queue

                self._queue = Queue(
                    self.desk.db, self.operator.id, counts_fresh_for=COUNTS_FRESH_FOR
                )
            return self._queue

    @property
    def local_drafts(self) -> LocalDrafts:
        """Drafts the database cannot take, kept on this host (screens/outage.py)."""
        with self._made:
            if self._local_drafts is None:
                from console.local_drafts import LocalDrafts

                self._local_drafts = LocalDrafts.for_desk(self.desk, self.login)
            return self._local_drafts

    def on_mount(self) -> None:
        if self._start_on_dashboard:
            from screens.dashboard.screen import DashboardScreen

            opening, self.opening = self.opening, None
            tally = None if opening is None else opening.cells
            self.push_screen(DashboardScreen(self._first_reading, tally))
        else:
            self.push_screen(QueueScreen())

    def first_screen_shown(self) -> None:
        """The first queue or dashboard is on screen: now the background work
        starts, so it never competes with the first paint."""
        if self._background_started:
            return
        self._background_started = True
        if self.desk.is_open:
            self._start_background()
        else:
            self._open_desk()

    @work(thread=True, group="database", exit_on_error=False)
    def _open_desk(self) -> None:
        """The desk painted first from the quick path's reads opens now: its
        database, SQLAlchemy and the models load behind the painted screen."""
        self.desk.db  # noqa: B018 (opening it is the point)
        self.call_from_thread(self._start_background, read_again=True)

    def _start_background(self, *, read_again: bool = False) -> None:
        """The feed, the heartbeat and the terminal watch. `read_again`: what the
        first screen shows was read before the feed began, so once the feed
        knows where it starts every screen reads afresh (a change committed
        between the two is not missed)."""
        self._database_watch.move_kept_drafts()
        if self._live:
            self._start_feed(read_again=read_again)
        elif read_again:
            self.broadcast_changes(None)
        if self._heartbeat:
            from console.reads.presence import HEARTBEAT_SECONDS

            self.set_interval(HEARTBEAT_SECONDS, self.beat)
            self._prune_presence()
            self.beat()
        if not self.is_headless and _terminal_fd() is not None:
            self.set_interval(TERMINAL_CHECK_SECONDS, self._check_terminal)

    def _check_terminal(self) -> None:
        """A console whose terminal went away (an SSH connection dropped without
        a hangup signal) would otherwise live on: Textual's input thread spins on
        the dead terminal's end-of-file, and its presence row says someone is
        still on the ticket. It leaves as if closed: the presence row goes."""
        fd = _terminal_fd()
        try:
            if fd is None:
                raise OSError("stdin is no longer a terminal")
            os.tcgetpgrp(fd)
        except OSError:
            self.exit(return_code=TERMINAL_GONE)

    def on_unmount(self) -> None:
        if self._feed is not None:
            self._feed.stop()
        if self._heartbeat and self.desk.is_open:
            from sqlalchemy.exc import SQLAlchemyError

            from console.reads import presence

            try:
                presence.leave(self.desk.db, self.console_id)
            except SQLAlchemyError:
                # Closing anyway: a row left behind ages out within seconds.
                self.log.warning("could not clear this console's presence row")

    # Off the UI thread -------------------------------------------------------------

    async def in_thread(self, work_: Callable[[], T]) -> T:
        """Run database work on a thread worker and wait for it; its exception,
        if any, is raised here as itself, a failure of the database or the
        system as a Failure (a DomainError: it is refused in its sentence)."""
        worker = self.run_worker(work_, thread=True, group="database", exit_on_error=False)
        try:
            return await worker.wait()
        except WorkerFailed as failed:
            failure = as_failure(failed.error)
            if failure is not None:
                raise failure from failed.error
            raise failed.error from None

    def refuse(self, error: DomainError) -> None:
        """A refusal, in the domain's own words."""
        titles = {
            Conflict: "Changed meanwhile",
            # Before Forbidden, which it is too: the rule, not the role.
            FourEyes: "Four-eyes",
            Forbidden: "Not for your role",
            HeldElsewhere: "Someone else holds it",
            NotFound: "Not found",
            Failure: "Not done",
        }
        title = next((t for kind, t in titles.items() if isinstance(error, kind)), "Refused")
        self.notify(error.message, title=title, severity="error", timeout=10, markup=False)

    def allowed(self, permission: Permission) -> bool:
        """The role check before anything is asked: a refusal names the role it takes."""
        try:
            require(self.operator, permission)
        except Forbidden as error:
            self.refuse(error)
            return False
        return True

    def done(self, message: str) -> None:
        self.notify(message, markup=False)

    # When the database fails ------------------------------------------------------

    def database_failed(self, failure: Failure, cause: BaseException | None = None) -> None:
        """Told by whatever met the failure; an unreachable database is ridden out."""
        self._database_watch.failed(failure, cause)

    @on(DatabaseFailed)
    def _database_failed(self, message: DatabaseFailed) -> None:
        self.database_failed(message.failure, message.cause)

    @on(DatabaseWatch.Probed)
    def _probed(self, message: DatabaseWatch.Probed) -> None:
        self._database_watch.probed(message.reached)

    @on(DatabaseWatch.DraftsMoved)
    def _drafts_moved(self, message: DatabaseWatch.DraftsMoved) -> None:
        self._database_watch.drafts_moved(message)

    @on(Worker.StateChanged)
    def _worker_failed(self, event: Worker.StateChanged) -> None:
        """The App's own workers: the heartbeat, the feed, the changes, in_thread's."""
        failure = failure_of(event)
        if failure is not None:
            self.database_failed(failure, event.worker.error)

    def _handle_exception(self, error: Exception) -> None:
        """An action's worker that met a failure of the database or the system,
        or a refusal it did not catch, says so and the console goes on: it
        never exits for an outage or a full disk. Anything else is a bug, and
        ends it with its traceback, as Textual does."""
        if isinstance(error, WorkerFailed):
            refusal = refusal_of(error.error)
            if refusal is not None:
                self.refuse(refusal)
                return
        super()._handle_exception(error)

    # The status line -----------------------------------------------------------------

    def notify(
        self,
        message: str,
        *,
        title: str = "",
        severity: SeverityLevel = "information",
        timeout: float | None = None,
        markup: bool = True,
    ) -> None:
        """Short news — what was just done, a warning in a sentence — goes to the
        key bar's status line, where it covers nothing being read; a refusal, or
        anything longer than a line, to a toast (at the top right, app.tcss)."""
        plain = Content.from_markup(message).plain if markup else message
        if severity == "error" or title or "\n" in plain or len(plain) + 2 > self.size.width:
            super().notify(message, title=title, severity=severity, timeout=timeout, markup=markup)
            return
        self.status_line = (plain, severity)
        self.status_history.append(plain)
        if self._status_timer is not None:
            self._status_timer.stop()
        seconds = timeout or (STATUS_SECONDS if severity == "information" else 2 * STATUS_SECONDS)
        self._status_timer = self.set_timer(seconds, self._clear_status)
        self._show_status()

    def _clear_status(self) -> None:
        self.status_line = None
        self._show_status()

    def _show_status(self) -> None:
        for screen in self.screen_stack:
            for bar in screen.query(KeyBar):
                bar.show_status()

    # The change feed ---------------------------------------------------------------

    def listen_again(self) -> None:
        """After an outage: a feed that stopped (or never started) starts again.
        On PostgreSQL a running feed has already listened again by itself."""
        if self._live and (self._feed is None or not self._feed.running):
            self._start_feed()

    @work(thread=True, group="feed", exit_on_error=False)
    def _start_feed(self, *, read_again: bool = False) -> None:
        from console.changes import ChangeFeed

        feed = ChangeFeed(self.desk.db, lambda latest: self.post_message(self._FeedNews(latest)))
        self._last_change = feed.last_seen
        self._feed = feed.start()
        if read_again:
            self.call_from_thread(self.broadcast_changes, None)

    @on(_FeedNews)
    def _feed_news(self, message: _FeedNews) -> None:
        if message.latest > self._last_change:
            self._read_changes(self._last_change)

    @work(thread=True, exclusive=True, group="changes", exit_on_error=False)
    def _read_changes(self, after: int) -> None:
        from console.changes import changes_since

        changes = changes_since(self.desk.db, after, limit=_CHANGES_READ)
        if not changes:
            return
        overflow = len(changes) == _CHANGES_READ
        ticket_ids = frozenset(c.ticket_id for c in changes if c.ticket_id is not None)
        self.post_message(
            self._ChangesRead(
                changes[-1].id,
                None if overflow else ticket_ids,
                frozenset(c.topic for c in changes),
            )
        )

    @on(_ChangesRead)
    def _changes_read(self, message: _ChangesRead) -> None:
        if message.upto <= self._last_change:
            return
        self._last_change = message.upto
        self.broadcast_changes(message.ticket_ids, message.topics)

    def broadcast_changes(
        self, ticket_ids: frozenset[int] | None, topics: frozenset[str] = frozenset({"ticket"})
    ) -> None:
        """Tell every screen on the stack, so the ones underneath are current too."""
        self.queue.forget_counts()
        for screen in self.screen_stack:
            screen.post_message(TicketsChanged(ticket_ids, topics))

    # Presence ----------------------------------------------------------------------

    def whereabouts(self) -> Whereabouts:
        for screen in reversed(self.screen_stack):
            where = getattr(screen, "whereabouts", None)
            if where is not None:
                return where()
        return Whereabouts(None)

    def beat(self) -> None:
        """Heartbeat now (also when a screen opens a ticket or starts typing)."""
        if self._heartbeat:
            self._beat(self.whereabouts())

    @work(thread=True, exclusive=True, group="presence", exit_on_error=False)
    def _beat(self, where: Whereabouts) -> None:
        from console.reads import presence

        db, now = self.desk.db, self.desk.now()
        presence.heartbeat(
            db,
            console_id=self.console_id,
            operator_id=self.operator.id,
            ticket_number=where.number,
            state=where.state,
            now=now,
            host=presence.this_host(),
        )
        if where.number is None:
            return
        others = presence.who_else(db, where.number, console_id=self.console_id, now=now)
        self.post_message(self._PresenceRead(PresenceSeen(where.number, others)))

    @on(_PresenceRead)
    def _tell_screens(self, message: _PresenceRead) -> None:
        seen = message.value
        for screen in self.screen_stack:
            screen.post_message(PresenceSeen(seen.number, seen.others))

    @work(thread=True, group="presence-prune", exit_on_error=False)
    def _prune_presence(self) -> None:
        from console.reads import presence

        presence.prune(self.desk.db, self.desk.now())


def _terminal_fd() -> int | None:
    stdin = sys.__stdin__
    try:
        return stdin.fileno() if stdin is not None and stdin.isatty() else None
    except (OSError, ValueError):
        return None
