"""The verbs of the desk, for whichever screen has a ticket in hand: the queue's
highlighted one or the open one. Each asks what it must (a reason, a choice,
a confirmation for what is urgent or cannot be undone), runs the domain
operation off the UI thread with the version the operator saw, and says
plainly what happened — or the domain's own words for why not.
"""

from __future__ import annotations

from textual import work
from textual.content import Content

from console.rules import validation
from console.rules.lifecycle import OPERATOR_MOVES
from console.rules.roles import URGENT_ESCALATIONS, Permission, may
from models import DraftKind, EscalationKind, Status
from screens.ticket.answering import Answering
from screens.ticket.in_hand import TicketInHand, take_next_and_open
from screens.widgets.dialogs import (
    Choice,
    ChoiceDialog,
    ConfirmDialog,
    Field,
    FormDialog,
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


class TicketActions(Answering):
    """A screen with a ticket in hand: the desk's verbs act on it."""

    # t opens the ticket it takes, full screen, unless it is open already.
    OPENS_TAKEN = True

    # Verbs ------------------------------------------------------------------------

    @work(exclusive=True, group="ticket-action")
    async def action_take(self) -> None:
        from console import operations

        ticket = self._hand()
        if ticket is None:
            return
        taken = await self._perform(
            ticket,
            operations.take,
            success=f"Took {ticket.number}: it is yours.",
        )
        if taken and self.OPENS_TAKEN:
            self.console.open_ticket(ticket.number)

    @work(exclusive=True, group="ticket-action")
    async def action_take_next(self) -> None:
        await take_next_and_open(self.console)

    def action_reply(self) -> None:
        self._open_editor(DraftKind.reply)

    def action_note(self) -> None:
        self._open_editor(DraftKind.note)

    def _open_editor(self, kind: DraftKind) -> None:
        from screens.ticket.reply_editor import ReplyEditor

        ticket = self._hand()
        if ticket is not None:
            self.console.push_screen(ReplyEditor(ticket.number, kind))

    @work(exclusive=True, group="ticket-action")
    async def action_set_status(self) -> None:
        from console import operations

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
        marked = self.marked_tickets()
        if marked:
            await self._archive_marked(marked)
            return
        ticket = self._hand()
        if ticket is not None:
            await self._archive(ticket)

    async def _why_archive(self, what: str, submit: str) -> str | None:
        answer = await self._ask(
            FormDialog(
                f"Archive {what}",
                [
                    Field(
                        "reason",
                        "Why",
                        "spam, duplicate of 1000123, resolved by phone…",
                        suggestions=("spam", "duplicate", "resolved"),
                    )
                ],
                note="The customer can still write again; that takes it out of the archive.",
                submit=submit,
                danger=True,
            )
        )
        return None if answer is None else answer["reason"]

    async def _archive_marked(self, marked: list[TicketInHand]) -> None:
        from console import operations

        app = self.console
        count = len(marked)
        what = f"the {count} marked ticket{'s' if count > 1 else ''}"
        reason = await self._why_archive(what, f"Archive {count}")
        if reason is None:
            return
        result = await self.bulk_verb(
            marked,
            lambda numbers, versions: operations.archive_many(
                app.desk, numbers, reason, by=app.login, versions=versions
            ),
        )
        if result is not None:
            await self.tell_bulk(result, f"Archived {len(result.moved)} of {count}", "the archive")

    async def _archive(self, ticket: TicketInHand) -> None:
        from console import operations

        reason = await self._why_archive(f"ticket {ticket.number}", "Archive")
        if reason is None:
            return
        await self._perform(
            ticket,
            operations.archive,
            reason,
            success=f"Archived {ticket.number}.",
        )

    @work(exclusive=True, group="ticket-action")
    async def action_escalate(self) -> None:
        from console import operations

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
        from console import operations

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
        from console import operations

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
