"""The verbs of the desk, for whichever screen has a ticket in hand: the queue's
highlighted one or the open one. Each asks what it must (a reason, a choice,
a confirmation for what is urgent or cannot be undone), runs the domain
operation off the UI thread with the version the operator saw, and says
plainly what happened — or the domain's own words for why not.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from textual import work
from textual.content import Content

from console import operations
from console.errors import DomainError
from console.reads.stats import holders
from console.reads.ticket import current_versions, load_ticket
from console.rules import validation
from console.rules.lifecycle import OPERATOR_MOVES
from console.rules.roles import URGENT_ESCALATIONS, Permission, may
from console.untrusted import one_line
from models import DraftKind, EscalationKind, Status
from screens.base import ConsoleScreen
from screens.supervision.block_decision import decide_block
from screens.ticket.reply_editor import ReplyEditor
from screens.widgets.dialogs import (
    Choice,
    ChoiceDialog,
    ConfirmDialog,
    Field,
    FormDialog,
    ReportDialog,
)

_ESCALATION_WORDS = {
    EscalationKind.wmid_block: "WMID block — a fraudster's WMID must be blocked now",
    EscalationKind.fraud: "Fraud — money taken by deception",
    EscalationKind.hacking: "Hacking — someone tries to break into the account",
    EscalationKind.arbitration: "Arbitration — a dispute with another member",
    EscalationKind.hotline: "Hotline — the customer also called",
}
_STATUS_WORDS = {
    Status.on_hold: "On hold — parked (waiting on another department)",
    Status.open: "Open — back to work",
    Status.archived: "Archived — with a reason (spam, duplicate, resolved)",
}


@dataclass(frozen=True)
class TicketInHand:
    """What a verb needs to know of the ticket, as the operator last saw it."""

    id: int
    number: int
    version: int
    status: Status
    escalations: list[EscalationKind] = field(default_factory=list)
    assignee: str | None = None


class TicketActions(ConsoleScreen):
    """A screen with a ticket in hand: the verbs act on it."""

    def ticket_in_hand(self) -> TicketInHand | None:
        raise NotImplementedError

    def ticket_changed(self, number: int) -> None:
        """This console changed ticket `number`: re-read it now, without waiting for the feed."""
        raise NotImplementedError

    # Plumbing --------------------------------------------------------------------

    def _hand(self) -> TicketInHand | None:
        ticket = self.ticket_in_hand()
        if ticket is None:
            self.console.notify("No ticket highlighted.", severity="warning", markup=False)
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

    # Verbs ------------------------------------------------------------------------

    @work(exclusive=True, group="ticket-action")
    async def action_take(self) -> None:
        ticket = self._hand()
        if ticket is None:
            return
        await self._perform(
            ticket,
            operations.take,
            success=f"Took {ticket.number}: it is yours.",
        )

    @work(exclusive=True, group="ticket-action")
    async def action_take_next(self) -> None:
        app = self.console
        try:
            number = await app.in_thread(partial(operations.take_next, app.desk, by=app.login))
        except DomainError as error:
            app.refuse(error)
            return
        if number is None:
            app.notify(
                "Nothing to take: no unassigned new or open ticket.",
                severity="warning",
                markup=False,
            )
            return
        app.done(f"Took {number}, the next in the queue.")
        app.broadcast_changes(None)
        app.open_ticket(number)

    def action_reply(self) -> None:
        self._open_editor(DraftKind.reply)

    def action_note(self) -> None:
        self._open_editor(DraftKind.note)

    def _open_editor(self, kind: DraftKind) -> None:
        ticket = self._hand()
        if ticket is not None:
            self.console.push_screen(ReplyEditor(ticket.number, kind))

    @work(exclusive=True, group="ticket-action")
    async def action_set_status(self) -> None:
        ticket = self._hand()
        if ticket is None:
            return
        moves = OPERATOR_MOVES.get(ticket.status, frozenset())
        if not moves:
            self.console.notify(
                f"Ticket {ticket.number} is {ticket.status.value}: an operator cannot "
                "change its status by hand.",
                severity="warning",
                markup=False,
            )
            return
        choices = [
            Choice(status, _STATUS_WORDS[status])
            for status in (Status.open, Status.on_hold, Status.archived)
            if status in moves
        ]
        target = await self._ask(
            ChoiceDialog(f"Ticket {ticket.number} is {ticket.status.value}: set it to", choices)
        )
        if target is None:
            return
        if target == Status.archived:
            await self._archive(ticket)
            return
        word = "taken out of the archive" if ticket.status == Status.archived else target.value
        await self._perform(
            ticket,
            operations.set_status,
            target,
            success=f"Ticket {ticket.number} is now {word.replace('_', ' ')}.",
        )

    @work(exclusive=True, group="ticket-action")
    async def action_archive(self) -> None:
        ticket = self._hand()
        if ticket is not None:
            await self._archive(ticket)

    async def _archive(self, ticket: TicketInHand) -> None:
        answer = await self._ask(
            FormDialog(
                f"Archive ticket {ticket.number}",
                [
                    Field(
                        "reason",
                        "Why",
                        "spam, duplicate of 1000123, resolved by phone…",
                        suggestions=("spam", "duplicate", "resolved"),
                    )
                ],
                note="The customer can still write again; that takes it out of the archive.",
                submit="Archive",
                danger=True,
            )
        )
        if answer is None:
            return
        await self._perform(
            ticket,
            operations.archive,
            answer["reason"],
            success=f"Archived {ticket.number}.",
        )

    @work(exclusive=True, group="ticket-action")
    async def action_escalate(self) -> None:
        ticket = self._hand()
        if ticket is None:
            return
        choices = [
            Choice(
                kind,
                _ESCALATION_WORDS[kind] + (" (already open)" if kind in ticket.escalations else ""),
                disabled=kind in ticket.escalations,
            )
            for kind in EscalationKind
        ]
        kind = await self._ask(ChoiceDialog(f"Escalate ticket {ticket.number} as", choices))
        if kind is None:
            return
        urgent = kind in URGENT_ESCALATIONS
        answer = await self._ask(
            FormDialog(
                f"Escalate {ticket.number}: {kind.value}",
                [Field("reason", "Why", "what happened, in a line")],
                note=(
                    "This goes to the top of every queue and its clock runs round the clock."
                    if kind in (EscalationKind.wmid_block, EscalationKind.fraud)
                    else ""
                ),
                submit="Escalate",
                danger=urgent,
            )
        )
        if answer is None:
            return
        if urgent and not await self._sure(
            f"Escalate {ticket.number} as {kind.value}?",
            "Every console will show it at the top, and security is involved.",
            "Escalate",
        ):
            return
        await self._perform(
            ticket,
            operations.escalate,
            kind,
            answer["reason"],
            success=f"Escalated {ticket.number} as {kind.value}.",
        )

    @work(exclusive=True, group="ticket-action")
    async def action_clear_escalation(self) -> None:
        ticket = self._hand()
        if ticket is None:
            return
        if not ticket.escalations:
            self.console.notify(
                f"Ticket {ticket.number} has no open escalation.",
                severity="warning",
                markup=False,
            )
            return
        app = self.console
        officer = may(app.operator, Permission.clear_urgent_escalation)
        choices = [
            Choice(
                kind,
                kind.value
                + (
                    "  (a supervisor or security officer clears this)"
                    if kind in URGENT_ESCALATIONS and not officer
                    else ""
                ),
                disabled=kind in URGENT_ESCALATIONS and not officer,
            )
            for kind in ticket.escalations
        ]
        kind = await self._ask(ChoiceDialog(f"Clear which escalation of {ticket.number}", choices))
        if kind is None:
            return
        answer = await self._ask(
            FormDialog(
                f"Clear {kind.value} on {ticket.number}",
                [Field("reason", "Why", "checked: not fraud, the payment arrived…")],
                submit="Clear",
                danger=kind in URGENT_ESCALATIONS,
            )
        )
        if answer is None:
            return
        if kind in URGENT_ESCALATIONS and not await self._sure(
            f"Clear {kind.value} on {ticket.number}?",
            "The ticket loses its urgency everywhere at once.",
            "Clear",
        ):
            return
        await self._perform(
            ticket,
            operations.clear_escalation,
            kind,
            answer["reason"],
            success=f"Cleared the {kind.value} escalation of {ticket.number}.",
        )

    @work(exclusive=True, group="ticket-action")
    async def action_request_block(self) -> None:
        ticket = self._hand()
        if ticket is None:
            return
        answer = await self._ask(
            FormDialog(
                f"Request a WMID block — ticket {ticket.number}",
                [
                    Field("wmid", "The fraudster's WMID", "12 digits", check=validation.wmid),
                    Field("reason", "Why", "took 500 WMZ for a deal and vanished…"),
                ],
                note=Content.assemble(
                    ("The most urgent work in the building. ", "bold"),
                    "The ticket goes to the top of every queue; a second person — a "
                    "supervisor or security officer — must approve the block. Tell the "
                    "customer to call the hotline too.",
                ),
                submit="Request block",
                danger=True,
            )
        )
        if answer is None:
            return
        confirmed = await self._ask(
            ConfirmDialog(
                "Request the block?",
                f"Block WMID {answer['wmid']} (ticket {ticket.number}).",
                confirm="Request block",
                danger=True,
            )
        )
        if not confirmed:
            return
        await self._perform(
            ticket,
            operations.request_block,
            answer["wmid"],
            answer["reason"],
            success=f"Requested a block of WMID {answer['wmid']}: waiting for a second person.",
        )

    @work(exclusive=True, group="ticket-action")
    async def action_approve_block(self) -> None:
        await self._decide_block(approve=True)

    @work(exclusive=True, group="ticket-action")
    async def action_reject_block(self) -> None:
        await self._decide_block(approve=False)

    async def _decide_block(self, *, approve: bool) -> None:
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

    def action_block_review(self) -> None:
        self.console.open_block_review()

    def marked_tickets(self) -> list[TicketInHand]:
        """Tickets picked for a bulk reassign (the queue lets a supervisor mark them)."""
        return []

    def marks_reassigned(self, moved: list[int], versions: dict[int, int]) -> None:
        """A bulk reassign moved `moved` (unmarked now); the rest stay marked at
        `versions`, as they are now: the report said what changed, so a retry
        acts on what the supervisor has just read."""

    async def _choose_holder(self, title: str, current: str | None) -> str | None:
        """Someone active, least loaded first, or the queue (""); None: backed out."""
        app = self.console
        people = await app.in_thread(partial(holders, app.desk))
        choices: list[Choice[str]] = [
            Choice("", "Back to the queue (nobody holds it)", disabled=current == "")
        ]
        width = max((len(one_line(p.login)) for p in people), default=0)
        choices.extend(
            Choice(
                person.login,
                Content.assemble(
                    (f"{one_line(person.login):<{width}}", "bold"),
                    (f"  {person.held:>4} held", "$warning" if person.held else "dim"),
                    f"  {one_line(person.name)}",
                    (f"  {person.role}", "dim"),
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
        app = self.console
        count = len(marked)
        target = await self._choose_holder(
            f"Give the {count} marked ticket{'s' if count > 1 else ''} to", None
        )
        if target is None:
            return
        numbers = [ticket.number for ticket in marked]
        try:
            result: operations.Reassigned = await app.in_thread(
                partial(
                    operations.reassign,
                    app.desk,
                    numbers,
                    to=target or None,
                    by=app.login,
                    versions={ticket.number: ticket.version for ticket in marked},
                )
            )
            fresh = await app.in_thread(
                partial(current_versions, app.desk.db, list(result.refused))
            )
        except DomainError as error:
            app.refuse(error)
            return
        self.marks_reassigned(result.moved, fresh)
        app.broadcast_changes(None)
        where = target or "the queue"
        if not result.refused:
            app.done(f"Moved {len(result.moved)} of {count} to {where}.")
            return
        await self._ask(
            ReportDialog(
                f"Moved {len(result.moved)} of {count} to {where}; {len(result.refused)} refused",
                reassign_report(result, where),
            )
        )


def reassign_report(result: operations.Reassigned, where: str) -> Content:
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
    parts.append(("Refused — still marked; a tries them again as they are now:", "bold $error"))
    for number, why in result.refused.items():
        parts.extend(["\n", (f"  {number}  ", "bold"), one_line(why)])
    return Content.assemble(*parts)
