"""Escalations and the four-eyes WMID block: one person requests, a different
supervisor or security officer decides."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import select

from console.desk import Desk
from console.errors import Forbidden, InvalidInput, NotFound, TransitionRefused
from console.operations.editing import TicketEdit, editing, operator_login
from console.operations.moves import reset_clock
from console.operations.thread import system_message
from console.rules import validation
from console.rules.lifecycle import check_workable
from console.rules.queue_order import escalation_bit
from console.rules.roles import URGENT_ESCALATIONS, Permission, require
from models import BlockRequest, BlockState, Escalation, EscalationKind, Status, Ticket


def escalation_kind(value: EscalationKind | str) -> EscalationKind:
    if isinstance(value, EscalationKind):
        return value
    try:
        return EscalationKind(value.strip().lower())
    except ValueError:
        names = ", ".join(kind.value for kind in EscalationKind)
        raise InvalidInput(f"unknown escalation {value!r}: one of {names}") from None


def open_escalation(edit: TicketEdit, kind: EscalationKind) -> Escalation | None:
    return edit.session.exec(
        select(Escalation).where(
            Escalation.ticket_id == edit.ticket.id,
            Escalation.kind == kind,
            Escalation.cleared_at.is_(None),
        )
    ).first()


def raise_flag(edit: TicketEdit, kind: EscalationKind, reason: str) -> Escalation:
    existing = open_escalation(edit, kind)
    if existing is not None:
        who = operator_login(edit.session, existing.set_by_id) or "the system"
        raise TransitionRefused(
            f"ticket {edit.ticket.number} is already escalated as {kind.value} "
            f"by {who} at {existing.set_at:%Y-%m-%d %H:%M} UTC"
        )
    escalation = Escalation(
        ticket_id=edit.ticket.id,
        kind=kind,
        reason=reason,
        set_by_id=edit.operator_id,
        set_at=edit.now,
    )
    edit.session.add(escalation)
    edit.session.flush()
    edit.ticket.escalation_flags |= escalation_bit(kind)
    edit.details.update(kind=kind.value, reason=reason)
    reset_clock(edit)
    return escalation


def _lower_flag(edit: TicketEdit, escalation: Escalation, reason: str) -> None:
    escalation.cleared_at = edit.now
    escalation.cleared_by_id = edit.operator_id
    escalation.clear_reason = reason
    edit.session.add(escalation)
    edit.session.flush()
    edit.ticket.escalation_flags &= ~escalation_bit(escalation.kind)
    edit.details.update(kind=escalation.kind.value, reason=reason)
    reset_clock(edit)


def escalate(
    desk: Desk,
    number: int,
    kind: EscalationKind | str,
    reason: str,
    *,
    by: str,
    expected_version: int | None = None,
) -> int:
    kind = escalation_kind(kind)
    reason = validation.reason(reason, f"escalating as {kind.value}")
    with editing(desk, number, action="escalate", by=by, expected_version=expected_version) as edit:
        if edit.ticket.status == Status.expired:
            raise TransitionRefused(f"ticket {number} expired unconfirmed and cannot be escalated")
        escalation = raise_flag(edit, kind, reason)
    return escalation.id


def clear_escalation(
    desk: Desk,
    number: int,
    kind: EscalationKind | str,
    reason: str,
    *,
    by: str,
    expected_version: int | None = None,
) -> None:
    kind = escalation_kind(kind)
    reason = validation.reason(reason, f"clearing the {kind.value} escalation")
    with editing(
        desk, number, action="clear_escalation", by=by, expected_version=expected_version
    ) as edit:
        if kind in URGENT_ESCALATIONS:
            require(edit.operator, Permission.clear_urgent_escalation)
        escalation = open_escalation(edit, kind)
        if escalation is None:
            raise TransitionRefused(f"ticket {number} has no open {kind.value} escalation")
        if kind == EscalationKind.wmid_block and _pending_blocks(edit):
            raise TransitionRefused(
                f"ticket {number} has a WMID block request waiting for a decision; "
                "approve or reject it first"
            )
        _lower_flag(edit, escalation, reason)


def _pending_blocks(edit: TicketEdit) -> list[BlockRequest]:
    return list(
        edit.session.exec(
            select(BlockRequest).where(
                BlockRequest.ticket_id == edit.ticket.id,
                BlockRequest.state == BlockState.requested,
            )
        ).all()
    )


def request_block(
    desk: Desk,
    number: int,
    wmid: str,
    reason: str,
    *,
    by: str,
    expected_version: int | None = None,
) -> int:
    """Ask for a fraudster's WMID to be blocked; the ticket is escalated as
    wmid_block (the most urgent work there is) until a second person decides."""
    wmid = validation.wmid(wmid)
    reason = validation.reason(reason, "a WMID block request")
    with editing(
        desk, number, action="block_request", by=by, expected_version=expected_version
    ) as edit:
        check_workable(number, edit.ticket.status, "request a block on")
        pending = edit.session.exec(
            select(BlockRequest).where(
                BlockRequest.wmid == wmid, BlockRequest.state == BlockState.requested
            )
        ).first()
        if pending is not None:
            who = operator_login(edit.session, pending.requested_by_id)
            raise TransitionRefused(
                f"a block of WMID {wmid} is already requested (request {pending.id}, by {who} "
                f"at {pending.requested_at:%Y-%m-%d %H:%M} UTC)"
            )
        request = BlockRequest(
            ticket_id=edit.ticket.id,
            wmid=wmid,
            reason=reason,
            requested_by_id=edit.operator_id,
            requested_at=edit.now,
        )
        edit.session.add(request)
        edit.session.flush()
        if open_escalation(edit, EscalationKind.wmid_block) is None:
            raise_flag(edit, EscalationKind.wmid_block, reason)
        edit.details.update(request_id=request.id, wmid=wmid, reason=reason)
        system_message(edit, f"Block of WMID {wmid} requested by {edit.operator.login}: {reason}")
    return request.id


@dataclass(frozen=True)
class BlockDecision:
    request_id: int
    number: int
    wmid: str
    state: BlockState


def four_eyes_refusal(login: str, request_id: int) -> Forbidden:
    """Why the requester of a block may not decide it, in the words every
    screen and script shows (a screen asks before it offers the decision)."""
    return Forbidden(
        f"four-eyes: {login} requested block {request_id} and cannot "
        "decide it; another supervisor or security officer must"
    )


def _decide(
    desk: Desk, request_id: int, *, by: str, approve: bool, reason: str | None
) -> BlockDecision:
    with desk.db.read() as session:
        number = session.exec(
            select(Ticket.number)
            .join(BlockRequest, BlockRequest.ticket_id == Ticket.id)
            .where(BlockRequest.id == request_id)
        ).first()
    if number is None:
        raise NotFound(f"no block request {request_id}")
    action = "block_approve" if approve else "block_reject"
    with editing(desk, number, action=action, by=by, permission=Permission.decide_block) as edit:
        request = edit.session.get(BlockRequest, request_id)
        if request.state != BlockState.requested:
            who = operator_login(edit.session, request.decided_by_id)
            raise TransitionRefused(
                f"block request {request_id} was already {request.state.value} by {who} "
                f"at {request.decided_at:%Y-%m-%d %H:%M} UTC"
            )
        if request.requested_by_id == edit.operator_id:
            raise four_eyes_refusal(edit.operator.login, request_id)
        request.state = BlockState.approved if approve else BlockState.rejected
        request.decided_by_id = edit.operator_id
        request.decided_at = edit.now
        request.decision_reason = reason
        edit.session.add(request)
        edit.session.flush()
        verdict = "approved" if approve else "rejected"
        tail = f": {reason}" if reason else ""
        system_message(
            edit, f"Block of WMID {request.wmid} {verdict} by {edit.operator.login}{tail}"
        )
        if not _pending_blocks(edit):
            escalation = open_escalation(edit, EscalationKind.wmid_block)
            if escalation is not None:
                _lower_flag(edit, escalation, f"block request {request.id} {verdict}")
        edit.details = {"request_id": request.id, "wmid": request.wmid, "decision": verdict}
        if reason:
            edit.details["reason"] = reason
        return BlockDecision(request.id, number, request.wmid, request.state)


def approve_block(
    desk: Desk, request_id: int, *, by: str, reason: str | None = None
) -> BlockDecision:
    return _decide(desk, request_id, by=by, approve=True, reason=(reason or "").strip() or None)


def reject_block(desk: Desk, request_id: int, reason: str, *, by: str) -> BlockDecision:
    reason = validation.reason(reason, "rejecting a block request")
    return _decide(desk, request_id, by=by, approve=False, reason=reason)
