"""Answering the customer, and what may go with the answer in the same
transaction: a status after it (on hold, archived), an escalation raised or
cleared, an internal note, the ticket handed over. A macro is such an answer,
kept under a name; the editor's send-and-hold and send-and-archive are too.

Each part is checked by the rules it obeys on its own (who may clear a fraud
escalation, who may give a ticket to someone else, which status may follow)
and audited as itself, under the same words as when done alone; either all of
it is written or nothing.

Two guards come before anything is written. Someone else's hold: replying over
it takes an explicit `override_hold`, which the audit records. News the sender
has not seen: with `seen_event` (the last audit event they saw), anything done
to the ticket since by someone else — a note included, though a note never
bumps the version — refuses the answer as a conflict that lists it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from console.desk import Desk
from console.errors import HeldElsewhere, InvalidInput
from console.mail.attachments import IncomingAttachment
from console.operations.editing import (
    TicketEdit,
    editing,
    find_operator,
    operator_login,
    unseen_news,
)
from console.operations.escalations import clear_open, open_escalation, raise_flag
from console.operations.moves import put_in_archive, reset_clock
from console.operations.thread import add_message, discard_own_draft, queue_notice
from console.operations.tickets import hand_to
from console.rules import validation
from console.rules.lifecycle import check_after_answer, check_workable
from console.rules.roles import Permission, require
from models import EscalationKind, Handover, MessageChannel, MessageKind, NoticeKind, Status

RESOLVED = "resolved"


@dataclass(frozen=True)
class FollowUp:
    """What goes with an answer; the default is the reply alone."""

    # Instead of answered: on_hold or archived (with `archive_reason`).
    status: Status | None = None
    archive_reason: str = RESOLVED
    escalate: EscalationKind | None = None
    clear_escalation: EscalationKind | None = None
    # Why an escalation is raised or cleared (a macro gives its title).
    why: str = ""
    note: str | None = None
    handover: Handover | None = None
    # The login a Handover.person names.
    handover_to: str | None = None
    # The macro this comes from: every part's audit event names it.
    macro: str | None = None


def reply(
    desk: Desk,
    number: int,
    body: str,
    *,
    by: str,
    expected_version: int | None = None,
    attachments: Sequence[IncomingAttachment] = (),
    override_hold: bool = False,
    seen_event: int | None = None,
    follow_up: FollowUp | None = None,
) -> int:
    """Answer the customer: the ticket goes to `answered` (or what `follow_up`
    says), the clock stops and a notice is queued on the customer's channel;
    the rest of `follow_up` in the same transaction. Returns the message id."""
    body = validation.body(body, "reply")
    follow_up = _checked(follow_up or FollowUp())
    with editing(desk, number, action="reply", by=by, expected_version=expected_version) as edit:
        check_workable(number, edit.ticket.status, "reply to")
        over_hold_of = _hold_overridden(edit, override_hold)
        if seen_event is not None:
            news = unseen_news(edit.session, edit.ticket, seen_event, edit.operator_id)
            if news is not None:
                raise news
        with edit.part("reply"):
            message_id = _answer(edit, body, attachments)
            if over_hold_of:
                edit.details["over_hold_of"] = over_hold_of
            _tag(edit, follow_up)
        _follow(edit, follow_up)
    return message_id


def _checked(follow_up: FollowUp) -> FollowUp:
    """What can be judged before the transaction, judged first."""
    if follow_up.note is not None:
        validation.body(follow_up.note, "note")
    if follow_up.escalate or follow_up.clear_escalation:
        validation.reason(follow_up.why, "an escalation")
    if follow_up.escalate is not None and follow_up.escalate == follow_up.clear_escalation:
        raise InvalidInput(
            f"an answer cannot both raise and clear the {follow_up.escalate.value} escalation"
        )
    if follow_up.status == Status.archived:
        validation.reason(follow_up.archive_reason, "archiving a ticket")
    if follow_up.handover == Handover.person and not follow_up.handover_to:
        raise InvalidInput("handing the ticket to someone needs their login")
    return follow_up


def _hold_overridden(edit: TicketEdit, override_hold: bool) -> str | None:
    """Whose hold the answer goes over (None: nobody's); refused unless overridden."""
    holder_id = edit.ticket.assignee_id
    if holder_id is None or holder_id == edit.operator_id:
        return None
    holder = operator_login(edit.session, holder_id) or "someone else"
    if not override_hold:
        raise HeldElsewhere(edit.ticket.number, holder)
    return holder


def _answer(edit: TicketEdit, body: str, attachments: Sequence[IncomingAttachment]) -> int:
    ticket = edit.ticket
    if ticket.assignee_id is None:
        ticket.assignee_id = edit.operator_id
    message_id = add_message(
        edit, MessageKind.operator, body, MessageChannel.console, attachments=attachments
    )
    ticket.status = Status.answered
    ticket.answered_at = edit.now
    if ticket.first_answered_at is None:
        ticket.first_answered_at = edit.now
    ticket.waiting_since = None
    reset_clock(edit)
    queue_notice(edit, NoticeKind.answer, message_id)
    discard_own_draft(edit)
    return message_id


def _tag(edit: TicketEdit, follow_up: FollowUp) -> None:
    if follow_up.macro:
        edit.details["macro"] = follow_up.macro


def _follow(edit: TicketEdit, follow_up: FollowUp) -> None:
    """The parts after the reply, in an order each can follow: the note and the
    escalations while the ticket is live, the handover before an archive."""
    if follow_up.note is not None:
        with edit.part("note"):
            add_message(edit, MessageKind.note, follow_up.note, MessageChannel.console)
            _tag(edit, follow_up)
    _escalations(edit, follow_up)
    if follow_up.handover is not None:
        _hand_over(edit, follow_up)
    if follow_up.status is not None:
        check_after_answer(edit.ticket.number, follow_up.status)
        archiving = follow_up.status == Status.archived
        with edit.part("archive" if archiving else "status"):
            if archiving:
                put_in_archive(edit, follow_up.archive_reason.strip())
                edit.details["reason"] = edit.ticket.archive_reason
            else:
                edit.ticket.status = follow_up.status
                reset_clock(edit)
            _tag(edit, follow_up)


def _escalations(edit: TicketEdit, follow_up: FollowUp) -> None:
    """An escalation already as the answer wants it (raised, or not open) is
    left as it is: what the answer asks of the ticket already holds."""
    why = follow_up.why.strip()
    if follow_up.clear_escalation is not None:
        escalation = open_escalation(edit, follow_up.clear_escalation)
        if escalation is not None:
            with edit.part("clear_escalation"):
                clear_open(edit, escalation, why)
                _tag(edit, follow_up)
    kind = follow_up.escalate
    if kind is not None and open_escalation(edit, kind) is None:
        with edit.part("escalate"):
            raise_flag(edit, kind, why)
            _tag(edit, follow_up)


def _hand_over(edit: TicketEdit, follow_up: FollowUp) -> None:
    """Who holds the ticket after the answer. Giving one's own ticket back is
    anyone's; anything else, a supervisor's (as a plain assign)."""
    ticket, me = edit.ticket, edit.operator
    if follow_up.handover == Handover.take:
        target = me
    elif follow_up.handover == Handover.queue:
        target = None
    else:
        target = find_operator(edit.session, follow_up.handover_to or "")
    target_id = target.id if target is not None else None
    if target_id == ticket.assignee_id:
        return
    if not (target is None and ticket.assignee_id == edit.operator_id):
        require(me, Permission.assign)
    with edit.part("assign"):
        hand_to(edit, target)
        _tag(edit, follow_up)
