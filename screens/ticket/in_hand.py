"""The ticket a screen has in hand — the queue's highlighted one or the open one —
as the operator last saw it, and how a verb acts on it: by this operator, off
the UI thread, against the version they saw, saying plainly what happened or
the domain's own words for why not."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from typing import TYPE_CHECKING, Any

from console.errors import DomainError
from console.rules.roles import Permission
from models import EscalationKind, Status
from screens.base import ConsoleScreen
from screens.widgets.dialogs import ConfirmDialog

if TYPE_CHECKING:
    from screens.app import WmConsole


@dataclass(frozen=True)
class TicketInHand:
    """What a verb needs to know of the ticket, as the operator last saw it."""

    id: int
    number: int
    version: int
    status: Status
    escalations: list[EscalationKind] = field(default_factory=list)
    assignee: str | None = None


class InHand(ConsoleScreen):
    """A screen with a ticket in hand."""

    def ticket_in_hand(self) -> TicketInHand | None:
        raise NotImplementedError

    def ticket_changed(self, number: int) -> None:
        """This console changed ticket `number`: re-read it now, without waiting for the feed."""
        raise NotImplementedError

    # Plumbing --------------------------------------------------------------------

    def acting_on(self, ticket: TicketInHand) -> None:
        """A verb is about to act on `ticket` (the queue keeps it highlighted)."""

    def _hand(self) -> TicketInHand | None:
        ticket = self.ticket_in_hand()
        if ticket is None:
            self.console.notify("No ticket highlighted.", severity="warning", markup=False)
        else:
            self.acting_on(ticket)
        return ticket

    def _allowed(self, permission: Permission) -> bool:
        return self.console.allowed(permission)

    async def _perform(
        self,
        ticket: TicketInHand,
        operation: Callable[..., Any],
        *args: Any,
        success: str,
        **kw: Any,
    ) -> bool:
        """`operation` on the ticket, by this operator, against the version they saw:
        a change meanwhile is refused as a conflict, not written over."""
        app = self.console
        work_ = partial(
            operation,
            app.desk,
            ticket.number,
            *args,
            by=app.login,
            expected_version=ticket.version,
            **kw,
        )
        try:
            await app.in_thread(work_)
        except DomainError as error:
            app.refuse(error)
            self.ticket_changed(ticket.number)
            return False
        app.done(success)
        self.ticket_changed(ticket.number)
        return True

    async def _ask(self, screen: Any) -> Any:
        return await self.console.push_screen_wait(screen)

    async def _sure(self, title: str, body: str, confirm: str) -> bool:
        """The last word before something urgent or final: y goes ahead, n does not."""
        return bool(await self._ask(ConfirmDialog(title, body, confirm=confirm, danger=True)))


async def take_next_and_open(app: WmConsole, *, in_place: bool = False) -> None:
    """Take the next ticket in the queue and open it (`in_place`: instead of the
    ticket just finished)."""
    from console import operations

    try:
        number = await app.in_thread(partial(operations.take_next, app.desk, by=app.login))
    except DomainError as error:
        app.refuse(error)
        return
    if number is None:
        app.notify(
            "Nothing to take: no unassigned new or open ticket.", severity="warning", markup=False
        )
        return
    app.done(f"Took {number}, the next in the queue.")
    app.broadcast_changes(None)
    if in_place:
        app.open_next_ticket(number)
    else:
        app.open_ticket(number)
