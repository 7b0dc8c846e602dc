"""Moves several operations make on the ticket under edit: the answer clock
re-derived, the ticket archived, the ticket reopened."""

from __future__ import annotations

from sqlmodel import Session, select

from console.operations.editing import TicketEdit
from console.rules.lifecycle import answer_due
from models import Escalation, Status


def _open_escalations(session: Session, ticket_id: int) -> list[Escalation]:
    return list(
        session.exec(
            select(Escalation).where(
                Escalation.ticket_id == ticket_id, Escalation.cleared_at.is_(None)
            )
        ).all()
    )


def reset_clock(edit: TicketEdit) -> None:
    """Re-derive due_at from the status, the waiting message and open escalations."""
    ticket = edit.ticket
    ticket.due_at = answer_due(
        edit.desk.sla,
        status=ticket.status,
        waiting_since=ticket.waiting_since,
        first_answered=ticket.first_answered_at is not None,
        escalations=[(e.kind, e.set_at) for e in _open_escalations(edit.session, ticket.id)]
        if ticket.escalation_flags
        else [],
    )
    if ticket.first_answered_at is None:
        ticket.first_answer_due_at = ticket.due_at


def put_in_archive(edit: TicketEdit, reason: str) -> None:
    ticket = edit.ticket
    ticket.status = Status.archived
    ticket.archived_at = edit.now
    ticket.archive_reason = reason
    ticket.waiting_since = None
    reset_clock(edit)


def reopen(edit: TicketEdit) -> None:
    ticket = edit.ticket
    ticket.status = Status.open
    ticket.archived_at = None
    ticket.archive_reason = None
    if ticket.waiting_since is None:
        ticket.waiting_since = edit.now
    reset_clock(edit)
