"""The operator's verbs on a ticket: take, assign, note, park, archive (the
answer is answers.py, the verbs on many tickets bulk.py). One function per
state change; each one audited."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import sqlalchemy as sa

from console.desk import Desk
from console.errors import TransitionRefused
from console.operations.editing import (
    TicketEdit,
    TicketRow,
    begin_edit,
    editing,
    find_operator,
    finish,
    operator_login,
)
from console.operations.moves import put_in_archive, reopen, reset_clock
from console.operations.thread import add_message, discard_own_draft
from console.rules import validation
from console.rules.lifecycle import check_operator_move, check_workable
from console.rules.queue_order import QUEUE_ORDER
from console.rules.roles import Permission, require
from models import MessageChannel, MessageKind, Operator, Service, Status, Ticket


def _take(edit: TicketEdit) -> None:
    ticket = edit.ticket
    check_workable(ticket.number, ticket.status, "take")
    if ticket.assignee_id == edit.operator_id:
        raise TransitionRefused(f"ticket {ticket.number} is already yours")
    if ticket.assignee_id is not None:
        holder = operator_login(edit.session, ticket.assignee_id)
        raise TransitionRefused(
            f"ticket {ticket.number} is held by {holder}; a supervisor can reassign it"
        )
    ticket.assignee_id = edit.operator_id
    if ticket.status == Status.new:
        ticket.status = Status.open


def take(desk: Desk, number: int, *, by: str, expected_version: int | None = None) -> int:
    with editing(desk, number, action="take", by=by, expected_version=expected_version) as edit:
        _take(edit)
    return number


def take_next(desk: Desk, *, by: str, services: Sequence[Service] = ()) -> int | None:
    """The first unassigned new or open ticket in queue order, or None when there is none.

    Never hands one ticket to two operators: SQLite serialises writers
    (BEGIN IMMEDIATE); PostgreSQL skips rows another taker has locked.
    """
    with desk.db.write(as_=by) as session:
        operator = find_operator(session, by)
        require(operator, Permission.work_tickets)
        query = (
            sa.select(Ticket.__table__)
            .where(Ticket.assignee_id.is_(None), Ticket.status.in_([Status.new, Status.open]))
            # assignee_id first (all NULL here) lets PostgreSQL walk the unassigned
            # part of ix_ticket_assignee_queue, not the whole queue past every
            # held ticket: 0.3 ms instead of 35 ms at 5,000,000 tickets.
            .order_by(Ticket.assignee_id, *QUEUE_ORDER)
            .limit(1)
            .with_for_update(skip_locked=True)
        )
        if services:
            query = query.where(Ticket.service.in_(list(services)))
        row = session.connection().execute(query).mappings().first()
        if row is None:
            return None
        ticket = TicketRow(row)
        edit = begin_edit(session, desk, ticket, operator, action="take")
        _take(edit)
        finish(edit)
        return ticket.number


@dataclass(frozen=True)
class Assigned:
    """A ticket given to someone: who held it before, and its version after
    (what putting it back needs)."""

    number: int
    previous: str | None
    version: int
    # A new ticket given to someone opens: put back, it is new again.
    previous_status: Status


def assign(
    desk: Desk,
    number: int,
    *,
    to: str | None,
    by: str,
    expected_version: int | None = None,
    undo: Assigned | None = None,
) -> Assigned:
    """Give a ticket to an operator, or back to the queue (to=None). Supervisors
    only. `undo`: the reassign this puts back (the audit says so, and a ticket
    it opened is new again)."""
    with editing(
        desk,
        number,
        action="assign",
        by=by,
        permission=Permission.assign,
        expected_version=expected_version,
    ) as edit:
        status = edit.ticket.status
        check_workable(number, status, "assign")
        previous = operator_login(edit.session, edit.ticket.assignee_id)
        hand_to(edit, find_operator(edit.session, to) if to is not None else None)
        if undo is not None:
            edit.details["undo"] = True
            if undo.previous_status == Status.new and status == Status.open:
                edit.ticket.status = Status.new
    return Assigned(number, previous, edit.ticket.version, status)


def hand_to(edit: TicketEdit, target: Operator | None) -> None:
    """The ticket to `target`, or to nobody; the caller has checked who may."""
    ticket = edit.ticket
    if target is not None and not target.active:
        raise TransitionRefused(f"{target.login} is deactivated and cannot hold tickets")
    new_id = target.id if target else None
    if new_id == ticket.assignee_id:
        holder = target.login if target else "the queue"
        raise TransitionRefused(f"ticket {ticket.number} is already with {holder}")
    ticket.assignee_id = new_id
    if target is not None and ticket.status == Status.new:
        ticket.status = Status.open


def note(desk: Desk, number: int, body: str, *, by: str) -> int:
    """An internal note: seen by operators only; never makes anyone's view stale."""
    body = validation.body(body, "note")
    with editing(desk, number, action="note", by=by) as edit:
        edit.bumps_version = False
        message_id = add_message(edit, MessageKind.note, body, MessageChannel.console)
        discard_own_draft(edit)
    return message_id


def set_status(
    desk: Desk,
    number: int,
    status: Status | str,
    *,
    by: str,
    reason: str | None = None,
    expected_version: int | None = None,
) -> None:
    """The moves an operator makes by hand: park, unpark, archive (with a reason),
    extract from the archive."""
    target = validation.status(status) if isinstance(status, str) else status
    action = {Status.archived: "archive", Status.open: "status"}.get(target, "status")
    with editing(desk, number, action=action, by=by, expected_version=expected_version) as edit:
        ticket = edit.ticket
        check_operator_move(number, ticket.status, target)
        if target == Status.archived:
            put_in_archive(edit, validation.reason(reason, "archiving a ticket"))
            edit.details["reason"] = ticket.archive_reason
        elif ticket.status == Status.archived:
            edit.action = "extract"
            reopen(edit)
        else:
            ticket.status = target
            reset_clock(edit)
            if reason:
                edit.details["reason"] = reason.strip()


def archive(
    desk: Desk, number: int, reason: str, *, by: str, expected_version: int | None = None
) -> None:
    set_status(
        desk, number, Status.archived, by=by, reason=reason, expected_version=expected_version
    )
