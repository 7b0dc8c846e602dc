"""The supervisors' verbs on the ticket in hand: give it (or every marked ticket)
to someone, least loaded first, or back to the queue; approve or reject a WMID
block someone else requested (four-eyes, see supervision/block_decision.py)."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING

from textual import work
from textual.content import Content

from console.errors import DomainError
from console.rules.labels import label, plural
from console.rules.roles import Permission
from console.untrusted import one_line
from models import Role
from screens.supervision.block_decision import decide_block
from screens.ticket.in_hand import InHand, TicketInHand
from screens.widgets.dialogs import Choice, ChoiceDialog, ReportDialog

if TYPE_CHECKING:
    from console import operations


class Supervising(InHand):
    """A screen with a ticket in hand, for a supervisor or security officer."""

    # What the last bulk reassign moved from this screen, for U to put back.
    last_reassign: list[operations.Assigned] = []

    @work(exclusive=True, group="ticket-action")
    async def action_approve_block(self) -> None:
        await self._decide_block(approve=True)

    @work(exclusive=True, group="ticket-action")
    async def action_reject_block(self) -> None:
        await self._decide_block(approve=False)

    async def _decide_block(self, *, approve: bool) -> None:
        from console.reads.ticket import load_ticket

        ticket = self._hand()
        if ticket is None or not self._allowed(Permission.decide_block):
            return
        app = self.console
        try:
            detail = await app.in_thread(partial(load_ticket, app.desk.db, ticket.number))
        except DomainError as error:
            app.refuse(error)
            return
        pending = detail.pending_blocks
        if not pending:
            app.notify(
                f"No WMID block request waits for a decision on {ticket.number}.",
                severity="warning",
                markup=False,
            )
            return
        block = pending[0]
        if len(pending) > 1:
            block = await self._ask(
                ChoiceDialog(
                    "Which block request",
                    [
                        Choice(b, f"WMID {b.wmid} requested by {one_line(b.requested_by)}")
                        for b in pending
                    ],
                )
            )
            if block is None:
                return
        await decide_block(app, block, approve=approve)
        self.ticket_changed(ticket.number)

    def marked_tickets(self) -> list[TicketInHand]:
        """Tickets picked for a bulk reassign (the queue lets a supervisor mark them)."""
        return []

    def marks_moved(self, moved: list[int], versions: dict[int, int]) -> None:
        """A bulk reassign or archive moved `moved` (unmarked now); the rest stay
        marked at `versions`, as they are now: the report said what changed, so
        a retry acts on what the supervisor has just read."""

    async def _choose_holder(self, title: str, current: str | None) -> str | None:
        """Someone active, least loaded first, or the queue (""); None: backed out."""
        from console.reads.stats import holders

        app = self.console
        people = await app.in_thread(partial(holders, app.desk))
        choices: list[Choice[str]] = [
            Choice("", "Back to the queue (held by nobody)", disabled=current == "")
        ]
        width = max((len(one_line(p.login)) for p in people), default=0)
        choices.extend(
            Choice(
                person.login,
                Content.assemble(
                    (f"{one_line(person.login):<{width}}", "bold"),
                    (f"  {person.held:>4} held", "$warning" if person.held else "dim"),
                    f"  {one_line(person.name)}",
                    (f"  {label(person.role, Role)}", "dim"),
                ),
                disabled=person.login == current,
            )
            for person in people
        )
        return await self._ask(
            ChoiceDialog(title, choices, note="Least loaded first: held = live tickets held now.")
        )

    @work(exclusive=True, group="ticket-action")
    async def action_assign(self) -> None:
        from console import operations

        if not self._allowed(Permission.assign):
            return
        marked = self.marked_tickets()
        if marked:
            await self._reassign(marked)
            return
        ticket = self._hand()
        if ticket is None:
            return
        target = await self._choose_holder(
            f"Give ticket {ticket.number} to", "" if ticket.assignee is None else ticket.assignee
        )
        if target is None:
            return
        await self._perform(
            ticket,
            operations.assign,
            to=target or None,
            success=f"Ticket {ticket.number} is now with {target or 'the queue'}.",
        )

    async def _reassign(self, marked: list[TicketInHand]) -> None:
        from console import operations

        app = self.console
        count = len(marked)
        tickets = plural(count, "marked ticket")
        target = await self._choose_holder(f"Give the {tickets} to", None)
        if target is None:
            return
        where = target or "the queue"
        if not await self._sure(
            f"Give the {tickets} to {where}?",
            f"Each of the {count} moves in its own audited change; U puts them all back.",
            f"Give {count}",
        ):
            return
        result = await self.bulk_verb(
            marked,
            lambda numbers, versions: operations.reassign(
                app.desk, numbers, to=target or None, by=app.login, versions=versions
            ),
        )
        if result is None:
            return
        self.last_reassign = result.assigned
        await self.tell_bulk(
            result,
            f"Moved {len(result.moved)} of {count} to {where}",
            where,
            done=" U puts them back.",
        )

    async def bulk_verb(
        self,
        marked: list[TicketInHand],
        bulk: Callable[[list[int], dict[int, int]], operations.Bulk],
    ) -> operations.Bulk | None:
        """A bulk verb on the marked tickets, against the versions marked: those it
        moved are unmarked, the rest stay marked at their versions now."""
        from console.reads.ticket import current_versions

        app = self.console
        numbers = [ticket.number for ticket in marked]
        versions = {ticket.number: ticket.version for ticket in marked}
        try:
            result = await app.in_thread(partial(bulk, numbers, versions))
            fresh = await app.in_thread(
                partial(current_versions, app.desk.db, list(result.refused))
            )
        except DomainError as error:
            app.refuse(error)
            return None
        self.marks_moved(result.moved, fresh)
        self.console.broadcast_changes(None)
        return result

    async def tell_bulk(
        self,
        result: operations.Bulk,
        did: str,
        where: str,
        *,
        done: str = "",
        refused: str = "refused",
        why: str = "Refused — still marked; a tries them again as they are now:",
    ) -> None:
        """What a bulk verb did: a toast, or ticket by ticket when some were refused."""
        if not result.refused:
            self.console.done(f"{did}.{done}")
            return
        await self._ask(
            ReportDialog(
                f"{did}; {len(result.refused)} {refused}",
                reassign_report(result, where, refused=why),
            )
        )

    @work(exclusive=True, group="ticket-action")
    async def action_undo_reassign(self) -> None:
        from console import operations

        if not self._allowed(Permission.assign):
            return
        app = self.console
        moved = self.last_reassign
        if not moved:
            app.notify("No reassign to put back from this screen.", markup=False)
            return
        count = len(moved)
        back = ", ".join(f"{m.number} to {m.previous or 'the queue'}" for m in moved[:6])
        more = f" and {count - 6} more" if count > 6 else ""
        if not await self._sure(
            f"Put the last reassign back: {count} ticket{'s' if count > 1 else ''}?",
            f"Each goes back to who held it before: {back}{more}. A ticket that changed "
            "since stays where it is, and you are told why.",
            f"Put {count} back",
        ):
            return
        try:
            result = await app.in_thread(
                partial(operations.undo_reassign, app.desk, moved, by=app.login)
            )
        except DomainError as error:
            app.refuse(error)
            return
        self.last_reassign = []
        app.broadcast_changes(None)
        await self.tell_bulk(
            result,
            f"Put back {len(result.moved)} of {count}",
            "who held them before",
            refused="changed since",
            why="Not put back — changed since the reassign:",
        )


def reassign_report(result: operations.Bulk, where: str, *, refused: str) -> Content:
    """What moved and, ticket by ticket, why the rest did not (they stay marked)."""
    parts: list[str | tuple[str, str]] = []
    if result.moved:
        parts.extend(
            [
                (f"Moved to {where}: ", "bold $success"),
                ", ".join(str(number) for number in result.moved),
                "\n\n",
            ]
        )
    parts.append((refused, "bold $error"))
    for number, why in result.refused.items():
        parts.extend(["\n", (f"  {number}  ", "bold"), one_line(why)])
    return Content.assemble(*parts)
