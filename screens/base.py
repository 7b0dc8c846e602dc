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

if TYPE_CHECKING:
    from screens.app import WmConsole

T = TypeVar("T")

# A list with the highlighted line in full: side by side from 150 columns,
# stacked below that (the queue, the block requests, templates, markers).
SIDE_BY_SIDE = [(0, "-stacked"), (150, "-wide")]
# Two columns from 120 (the dashboard's tiles, the editor's conversation).
TWO_COLUMNS = [(120, "-wide")]


class ConsoleScreen(Screen):
    """A screen of the console."""

    @property
    def console(self) -> WmConsole:
        return self.app  # type: ignore[return-value]


class Reading(Message, Generic[T]):
    """What a thread worker read, posted to the screen that asked for it."""

    def __init__(self, value: T) -> None:
        super().__init__()
        self.value = value
