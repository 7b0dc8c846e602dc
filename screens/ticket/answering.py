"""Answering the ticket in hand with a macro or template (m): type to find it;
enter opens the reply editor with it, ready to change; a send key sends it as
it is, after the one confirmation — so a whole answer from the queue is four
keys: T (take the next and open it), m, ctrl+n (send, then the next), y."""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING

from textual import work

from console.errors import DomainError
from models import DraftKind
from screens.ticket.canned import (
    Canned,
    filled,
    follow_up_of,
    pick_canned,
    read_canned,
)
from screens.ticket.in_hand import TicketInHand, take_next_and_open
from screens.ticket.sending import (
    SEND_KEYS,
    VARIANTS,
    Outgoing,
    send_reply,
    sent_words,
)
from screens.ticket.supervising import Supervising
from screens.widgets.picker import Picked

if TYPE_CHECKING:
    from console.desk import Desk
    from console.reads.ticket import TicketDetail


@dataclass(frozen=True)
class _Answerable:
    detail: TicketDetail
    canned: list[Canned]
    has_draft: bool


def _read(desk: Desk, number: int, login: str) -> _Answerable:
    from console import operations
    from console.reads.ticket import load_ticket

    detail = load_ticket(desk.db, number)
    draft = operations.draft_for(desk, number, by=login)
    return _Answerable(detail, read_canned(desk, detail), draft is not None)


class Answering(Supervising):
    """A screen with a ticket in hand, answered with a canned answer."""

    def seen_event(self, number: int) -> int | None:
        """The last audit event of ticket `number` the screen has shown (None: not known)."""
        return None

    @work(exclusive=True, group="ticket-action")
    async def action_answer_with(self) -> None:
        ticket = self._hand()
        if ticket is None:
            return
        app = self.console
        try:
            found = await app.in_thread(partial(_read, app.desk, ticket.number, app.login))
        except DomainError as error:
            app.refuse(error)
            return
        detail = found.detail
        picked = await pick_canned(
            app, detail, found.canned, f"Answer {ticket.number} with", SEND_KEYS
        )
        if picked is None:
            return
        if not picked.intent or found.has_draft:
            from screens.ticket.reply_editor import ReplyEditor

            if picked.intent:
                app.notify(
                    f"You have a draft on {ticket.number}: the answer goes into it, to send "
                    "from there.",
                    markup=False,
                )
            app.push_screen(ReplyEditor(ticket.number, DraftKind.reply, canned=picked.value))
            return
        await self._send_canned(ticket, detail, picked)

    async def _send_canned(
        self, ticket: TicketInHand, detail: TicketDetail, picked: Picked[Canned]
    ) -> None:
        app = self.console
        variant = VARIANTS[picked.intent]
        outgoing = Outgoing(
            detail=detail,
            body=filled(picked.value.body, detail),
            # What the operator was looking at when they chose it.
            base_version=ticket.version,
            seen_event=self.seen_event(ticket.number),
            variant=variant,
            follow_up=follow_up_of(picked.value, detail),
        )
        if not await send_reply(app, outgoing):
            return
        app.done(sent_words(outgoing))
        self.ticket_changed(ticket.number)
        if variant.opens_next:
            app.run_worker(take_next_and_open(app, in_place=True), group="open-next")
