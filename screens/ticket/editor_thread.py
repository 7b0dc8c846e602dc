"""The conversation beside the reply being written, newest at the bottom. It
follows the ticket: what a colleague or the customer writes meanwhile appears
as soon as it is committed, marked new, so nothing is answered blind."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from textual.containers import VerticalScroll
from textual.content import Content
from textual.widgets import Static

from screens.ticket.view import ThreadEntry, message_content

if TYPE_CHECKING:
    from console.reads.ticket import ThreadMessage


class NewEntry(Static):
    """A message that arrived while the reply was being written."""

    def __init__(self, message: ThreadMessage) -> None:
        super().__init__(
            Content.assemble((" NEW ", "bold reverse $warning"), " ", message_content(message)),
            classes=f"thread-entry -{message.kind} -new",
        )


class LiveThread(VerticalScroll):
    """The thread, with what arrives while writing added as it comes."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        # The newest message shown: what arrives after it is new.
        self.last_id = 0
        self.new_count = 0

    def show(self, messages: Sequence[ThreadMessage]) -> None:
        self.mount_all(ThreadEntry(message) for message in messages)
        self._seen(messages)

    def add_new(self, messages: Sequence[ThreadMessage]) -> None:
        fresh = [message for message in messages if message.id > self.last_id]
        if not fresh:
            return
        self.mount_all(NewEntry(message) for message in fresh)
        self.new_count += len(fresh)
        self._seen(fresh)

    def _seen(self, messages: Sequence[ThreadMessage]) -> None:
        if messages:
            self.last_id = max(self.last_id, messages[-1].id)
        self.call_after_refresh(self.scroll_end, animate=False)
