"""What the App tells its screens: the database changed, who else is on a ticket,
and what a screen tells the heartbeat about itself."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from textual.message import Message

from models import PresenceState

if TYPE_CHECKING:
    from console.reads.presence import Present


class TicketsChanged(Message, bubble=False):
    """The database changed under this console: these tickets (by id), or, when
    `ticket_ids` is None, too much to say (re-read everything on screen)."""

    def __init__(self, ticket_ids: frozenset[int] | None, topics: frozenset[str]) -> None:
        super().__init__()
        self.ticket_ids = ticket_ids
        self.topics = topics

    def touches(self, ticket_id: int | None) -> bool:
        return self.ticket_ids is None or (ticket_id is not None and ticket_id in self.ticket_ids)


class PresenceSeen(Message, bubble=False):
    """Who else has this ticket open right now (read with each heartbeat)."""

    def __init__(self, number: int, others: list[Present]) -> None:
        super().__init__()
        self.number = number
        self.others = others


@dataclass(frozen=True)
class Whereabouts:
    """What a screen tells the heartbeat: the ticket it shows, viewing or typing."""

    number: int | None
    state: PresenceState = PresenceState.viewing
