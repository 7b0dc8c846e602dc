"""What every screen of the console shares: the console it runs in, how it lays
itself out by width, and how a reading from the database comes back to it.

A screen reads in a `@work(thread=True, exclusive=True, group=...)` worker that
posts what it read as a message (a `Reading` nested in the screen), handled on
the UI thread with `@on`: a newer read cancels the stale one, and a screen
closed meanwhile simply never gets the message. A step of an action the
operator is waiting on (send, take, approve) is awaited inside that action
with `console.in_thread`, so the conversation reads top to bottom.

Every screen rides out the database (screens/outage.py): it carries the
outage banner, a reading that fails for the database tells the App (and the
screen, `reading_failed`), and `reread` reads it all again when the database
is back.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Generic, TypeVar

from textual import on
from textual._context import NoActiveAppError
from textual.events import Mount
from textual.message import Message
from textual.screen import Screen
from textual.worker import Worker

from console.failures import Failure
from screens.messages import TicketsChanged
from screens.moving import Moving
from screens.outage import EVERYTHING, failure_of
from screens.widgets.outage import OutageBanner

if TYPE_CHECKING:
    from screens.app import WmConsole

T = TypeVar("T")

# A list with the highlighted line in full: side by side from 150 columns,
# stacked below that (the queue, the block requests, templates, markers).
SIDE_BY_SIDE = [(0, "-stacked"), (150, "-wide")]
# Two columns from 120 (the dashboard's tiles, the editor's conversation).
TWO_COLUMNS = [(120, "-wide")]


class ConsoleScreen(Moving, Screen):
    """A screen of the console: the movement keys work on its lists and pages."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._at_breakpoints()

    def _at_breakpoints(self) -> None:
        """The breakpoint classes the first resize will ask for, set now: set then,
        after the first styling, they would restyle every widget on the screen
        before it first paints."""
        try:
            width, height = self.app.size
        except NoActiveAppError:
            return
        for size, breakpoints in (
            (width, self.HORIZONTAL_BREAKPOINTS or self.app.HORIZONTAL_BREAKPOINTS),
            (height, self.VERTICAL_BREAKPOINTS or self.app.VERTICAL_BREAKPOINTS),
        ):
            reached = [name for start, name in sorted(breakpoints or []) if size >= start]
            if reached:
                self.add_class(reached[-1])

    @property
    def console(self) -> WmConsole:
        return self.app  # type: ignore[return-value]

    @on(Mount)
    def _carry_the_banner(self) -> None:
        self.mount(OutageBanner())

    @on(Worker.StateChanged)
    def _reading_failed(self, event: Worker.StateChanged) -> None:
        failure = failure_of(event)
        if failure is not None:
            self.console.database_failed(failure, event.worker.error)
            self.reading_failed(failure)

    def reading_failed(self, failure: Failure) -> None:
        """A reading of this screen failed for the database: a screen that has
        nothing to show yet says so here (it is read again when the database is back)."""

    def reread(self) -> None:
        """The database is back: read everything on this screen again."""
        self.post_message(TicketsChanged(None, EVERYTHING))

    # B and D wherever they are keys (the action table says where).

    def action_dashboard(self) -> None:
        self.console.open_dashboard()

    def action_block_review(self) -> None:
        self.console.open_block_review()


class Reading(Message, Generic[T]):
    """What a thread worker read, posted to the screen that asked for it."""

    def __init__(self, value: T) -> None:
        super().__init__()
        self.value = value
