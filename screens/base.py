"""What every screen of the console shares: the console it runs in, how it lays
itself out by width, and how a reading from the database comes back to it.

A screen reads in a `@work(thread=True, exclusive=True, group=...)` worker that
posts what it read as a message (a `Reading` nested in the screen), handled on
the UI thread with `@on`: a newer read cancels the stale one, and a screen
closed meanwhile simply never gets the message. A step of an action the
operator is waiting on (send, take, approve) is awaited inside that action
with `console.in_thread`, so the conversation reads top to bottom.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Generic, TypeVar

from textual.message import Message
from textual.screen import Screen

from screens.moving import Moving

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

    @property
    def console(self) -> WmConsole:
        return self.app  # type: ignore[return-value]

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
