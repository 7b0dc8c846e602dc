"""The console rides out its database.

Whatever meets a database that cannot be reached — a screen's reading, an
action, the heartbeat, the change feed — tells the App, which from then on:

- shows the banner on every screen (screens/widgets/outage.py) and keeps
  what the screens show; reading screens say so instead of "Loading…";
- asks the database again with backoff, 1 s doubling to 15 s;
- meanwhile keeps drafts on this host (console/local_drafts.py), and a send
  is refused with the reason, its text staying in the editor;
- when the database answers: the banner goes, the drafts kept here move to
  the database, the change feed listens again, and every screen reads again.

It never exits because of an outage. Other failures (a full disk, a busy
database) are said where they happen, and logged.
"""

from __future__ import annotations

import time
from datetime import datetime
from typing import TYPE_CHECKING

from textual.message import Message
from textual.timer import Timer
from textual.worker import Worker, WorkerState

from console.errors import DomainError
from console.failures import Failure, as_failure, record
from console.local_drafts import move_to_database

if TYPE_CHECKING:
    from screens.app import WmConsole

FIRST_RETRY_SECONDS = 1.0
LONGEST_RETRY_SECONDS = 15.0
REPEATED_FAILURE_LOGGED_AFTER = 60.0
# Every topic the screens listen for: after an outage anything may have changed.
EVERYTHING = frozenset({"demo", "ticket", "template", "marker", "operator"})


class DatabaseFailed(Message):
    """Work on a thread met a failure of the database (sent to the App)."""

    def __init__(self, failure: Failure, cause: BaseException | None = None) -> None:
        super().__init__()
        self.failure = failure
        self.cause = cause


def failure_of(event: Worker.StateChanged) -> Failure | None:
    """The failure a worker ended in, if it was the database's or the system's."""
    if event.state != WorkerState.ERROR or event.worker.error is None:
        return None
    return as_failure(event.worker.error)


def refusal_of(error: BaseException) -> DomainError | None:
    """What an action's error says to the operator: a refusal as it is, a
    failure as its sentence; None for a bug."""
    return error if isinstance(error, DomainError) else as_failure(error)


def why(refusal: DomainError) -> str:
    """Why something was not done, as the console says it: an outage is short
    (the banner says the rest), anything else its own sentence."""
    if isinstance(refusal, Failure) and refusal.unreachable:
        return "the database is unreachable"
    return refusal.message


def said_in_console(refusal: DomainError) -> str:
    """Why a screen shows nothing: an outage it rides out by itself."""
    if isinstance(refusal, Failure) and refusal.unreachable:
        return f"{why(refusal)}; the console keeps trying and reads this again"
    return refusal.message


class DatabaseWatch:
    """The App's watch over a database that went away: the probe on a timer,
    with backoff, and what the console does when the database is back."""

    class Probed(Message):
        def __init__(self, reached: bool) -> None:
            super().__init__()
            self.reached = reached

    def __init__(self, app: WmConsole) -> None:
        self.app = app
        self._delay = FIRST_RETRY_SECONDS
        self._timer: Timer | None = None
        self._logged: dict[str, float] = {}

    def failed(self, failure: Failure, cause: BaseException | None) -> None:
        """Logged once per outage; another failure once a minute at most (a
        full disk fails every save as the operator types)."""
        app = self.app
        if not failure.unreachable:
            now = time.monotonic()
            last = self._logged.get(failure.message)
            if cause is not None and (last is None or now - last > REPEATED_FAILURE_LOGGED_AFTER):
                self._logged[failure.message] = now
                record(cause, f"{app.login}'s console")
            return
        if app.unreachable_since is not None:
            return
        if cause is not None:
            record(cause, f"{app.login}'s console reaching the database")
        app.unreachable_since = datetime.now().astimezone()
        self._delay = FIRST_RETRY_SECONDS
        self._probe_later()

    def _probe_later(self) -> None:
        if self._timer is not None:
            self._timer.stop()
        self._timer = self.app.set_timer(self._delay, self._probe)
        self._delay = min(self._delay * 2, LONGEST_RETRY_SECONDS)

    def _probe(self) -> None:
        self.app.run_worker(
            self._reach, thread=True, exclusive=True, group="database-probe", exit_on_error=False
        )

    def _reach(self) -> None:
        try:
            self.app.desk.db.reachable()
        except Exception:
            # Whatever it says this time, the database is not back.
            self.app.post_message(self.Probed(reached=False))
            return
        self.app.post_message(self.Probed(reached=True))

    def probed(self, reached: bool) -> None:
        app = self.app
        since = app.unreachable_since
        if since is None:
            return
        if not reached:
            self._probe_later()
            return
        app.unreachable_since = None
        app.notify(
            f"The database is back (it was unreachable from {since:%H:%M}). "
            "Everything on screen is read again.",
            markup=False,
        )
        app.listen_again()
        self.move_kept_drafts()
        for screen in app.screen_stack:
            reread = getattr(screen, "reread", None)
            if reread is not None:
                reread()

    # Drafts kept on this host -------------------------------------------------

    class DraftsMoved(Message):
        def __init__(self, unmoved: list) -> None:
            super().__init__()
            self.unmoved = unmoved

    def move_kept_drafts(self) -> None:
        """Drafts this host kept for the operator go to the database (at start,
        and when the database is back); one it refuses stays, and is named."""
        self.app.run_worker(
            self._move, thread=True, exclusive=True, group="kept-drafts", exit_on_error=False
        )

    def _move(self) -> None:
        app = self.app
        unmoved = move_to_database(app.desk, app.local_drafts)
        if unmoved:
            self.app.post_message(self.DraftsMoved(unmoved))

    def drafts_moved(self, message: DraftsMoved) -> None:
        for draft in message.unmoved:
            self.app.notify(
                f"Your draft on {draft.number} stays on this computer ({draft.path}): "
                f"the database refused it: {draft.reason}",
                severity="warning",
                timeout=20,
                markup=False,
            )
