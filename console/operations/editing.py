"""The one path every state change takes.

Open a write transaction (IMMEDIATE on SQLite), load the caller and check
their role, lock the ticket row (FOR UPDATE on PostgreSQL), check the version
the caller saw, apply the change, re-derive the queue's sort keys, bump the
version, write the audit event and a change-log row (plus NOTIFY on
PostgreSQL), and commit — or write nothing at all.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, select

from console.desk import Desk
from console.errors import ChangeSummary, Conflict, NotFound
from console.queue_order import kinds_of, queue_due, queue_rank
from console.roles import Permission, require
from console.tally import TallyKey, move, tally_key
from models import Actor, AuditEvent, ChangeLog, Counter, Operator, Ticket

CHANGE_CHANNEL = "wmconsole_changes"
_ISO_STAMP = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d[^ ]*")
TICKET_COUNTER = "ticket"

ACTION_LABELS = {
    "create": "opened it",
    "confirm": "confirmed it",
    "take": "took it",
    "assign": "assigned it",
    "reply": "replied",
    "note": "added a note",
    "status": "changed its status",
    "archive": "archived it",
    "extract": "took it out of the archive",
    "customer_message": "wrote",
    "customer_archive": "archived it",
    "escalate": "escalated it",
    "clear_escalation": "cleared an escalation",
    "block_request": "requested a WMID block",
    "block_approve": "approved a WMID block",
    "block_reject": "rejected a WMID block",
    "expire": "expired it",
    "auto_archive": "archived it",
    "automatic_mail": "received an automatic mail",
    "notice_retry": "put a failed notice back in the outbox",
}


def find_operator(session: Session, login: str) -> Operator:
    operator = session.exec(select(Operator).where(Operator.login == login)).first()
    if operator is None:
        raise NotFound(
            f"no operator {login!r}: add one with "
            f"`wmconsole operator add {login} --name 'Full Name' --role operator`"
        )
    return operator


def operator_login(session: Session, operator_id: int | None) -> str | None:
    if operator_id is None:
        return None
    operator = session.get(Operator, operator_id)
    return operator.login if operator else None


def lock_ticket(session: Session, number: int) -> Ticket:
    ticket = session.exec(select(Ticket).where(Ticket.number == number).with_for_update()).first()
    if ticket is None:
        raise NotFound(f"no ticket {number}")
    return ticket


def _stamp(value: datetime | None) -> str | None:
    return None if value is None else value.isoformat()


def snapshot(session: Session, ticket: Ticket) -> dict[str, Any]:
    """The fields an audit event records when they change."""
    return {
        "status": ticket.status.value,
        "assignee": operator_login(session, ticket.assignee_id),
        "escalations": [kind.value for kind in kinds_of(ticket.escalation_flags)],
        "due_at": _stamp(ticket.due_at),
        "service": ticket.service.value,
        "notice_channel": ticket.notice_channel.value,
        "customer_wmid": ticket.customer_wmid,
        "archive_reason": ticket.archive_reason,
    }


def refresh_queue_keys(ticket: Ticket) -> None:
    ticket.queue_rank = queue_rank(ticket.status, ticket.escalation_flags)
    ticket.queue_due = queue_due(ticket.due_at)


def record_change(session: Session, desk: Desk, topic: str, ticket_id: int | None) -> None:
    change = ChangeLog(ticket_id=ticket_id, topic=topic, at=desk.now())
    session.add(change)
    session.flush()
    if desk.db.is_postgres:
        # Delivered at commit, never on rollback.
        session.execute(
            sa.text("SELECT pg_notify(:channel, :payload)"),
            {"channel": CHANGE_CHANNEL, "payload": f"{change.id} {topic} {ticket_id or ''}"},
        )


def next_ticket_number(session: Session) -> int:
    return session.execute(
        sa.update(Counter)
        .where(Counter.name == TICKET_COUNTER)
        .values(value=Counter.value + 1)
        .returning(Counter.value)
    ).scalar_one()


def describe(before: dict[str, Any] | None, after: dict[str, Any] | None) -> str:
    """'status open → answered; assignee — → ivanov' for the fields that changed."""
    before, after = before or {}, after or {}
    parts = []
    for key in sorted(before.keys() & after.keys()):
        parts.append(f"{key} {_shown(before[key])} → {_shown(after[key])}")
    return "; ".join(parts)


def _shown(value: Any) -> str:
    if isinstance(value, list):
        return ", ".join(value) or "none"
    if value is None or value == "":
        return "—"
    text = str(value)
    if _ISO_STAMP.fullmatch(text):
        return f"{text[:10]} {text[11:16]}"
    return text


def audit_actor_name(session: Session, event: AuditEvent) -> str:
    return operator_login(session, event.operator_id) or f"the {event.actor.value}"


def conflict(session: Session, ticket: Ticket, expected_version: int) -> Conflict:
    events = session.exec(
        select(AuditEvent)
        .where(AuditEvent.ticket_id == ticket.id, AuditEvent.ticket_version > expected_version)
        .order_by(AuditEvent.id)
    ).all()
    changes = [
        ChangeSummary(
            operator=audit_actor_name(session, event),
            action=ACTION_LABELS.get(event.action, event.action),
            at=event.at,
            details=describe(event.before, event.after),
        )
        for event in events
    ]
    return Conflict(
        number=ticket.number,
        expected_version=expected_version,
        actual_version=ticket.version,
        changes=changes,
    )


@dataclass
class TicketEdit:
    """What an operation works on inside the transaction."""

    session: Session
    desk: Desk
    ticket: Ticket
    operator: Operator | None
    actor: Actor
    action: str
    now: datetime
    details: dict[str, Any] = field(default_factory=dict)
    # Additive changes (a note) never make someone else's view stale.
    bumps_version: bool = True
    # Set when, under the lock, there turned out to be nothing to do: no audit, no version.
    nothing_changed: bool = False
    # The ticket as it was before the change; empty for a ticket being created.
    before: dict[str, Any] = field(default_factory=dict)
    tally_before: TallyKey | None = None

    @property
    def operator_id(self) -> int | None:
        return self.operator.id if self.operator else None


def write_audit(edit: TicketEdit, before: dict[str, Any], after: dict[str, Any]) -> None:
    if before:
        changed = [key for key in after if before.get(key) != after[key]]
    else:
        changed = [key for key in after if after[key] not in (None, [])]
    edit.session.add(
        AuditEvent(
            ticket_id=edit.ticket.id,
            operator_id=edit.operator_id,
            actor=edit.actor,
            action=edit.action,
            before={key: before[key] for key in changed} if before and changed else None,
            after={**{key: after[key] for key in changed}, **edit.details} or None,
            ticket_version=edit.ticket.version,
            at=edit.now,
        )
    )


def begin_edit(
    session: Session,
    desk: Desk,
    ticket: Ticket,
    operator: Operator | None,
    *,
    action: str,
    actor: Actor | None = None,
) -> TicketEdit:
    return TicketEdit(
        session=session,
        desk=desk,
        ticket=ticket,
        operator=operator,
        actor=actor or (Actor.operator if operator else Actor.system),
        action=action,
        now=desk.now(),
        before=snapshot(session, ticket),
        tally_before=tally_key(ticket),
    )


def finish(edit: TicketEdit) -> None:
    if edit.nothing_changed:
        return
    ticket = edit.ticket
    refresh_queue_keys(ticket)
    if edit.bumps_version:
        ticket.version += 1
    ticket.updated_at = edit.now
    edit.session.add(ticket)
    edit.session.flush()
    move(edit.session, edit.tally_before, tally_key(ticket))
    write_audit(edit, edit.before, snapshot(edit.session, ticket))
    record_change(edit.session, edit.desk, "ticket", ticket.id)


@contextmanager
def editing(
    desk: Desk,
    number: int,
    *,
    action: str,
    by: str | None,
    permission: Permission = Permission.work_tickets,
    expected_version: int | None = None,
    actor: Actor | None = None,
) -> Iterator[TicketEdit]:
    """One audited change to one ticket; `by` is an operator login, or None for
    the customer or the system (then `actor` says which)."""
    with desk.db.write() as session:
        operator = find_operator(session, by) if by is not None else None
        if operator is not None:
            require(operator, permission)
        ticket = lock_ticket(session, number)
        if expected_version is not None and ticket.version != expected_version:
            raise conflict(session, ticket, expected_version)
        edit = begin_edit(session, desk, ticket, operator, action=action, actor=actor)
        yield edit
        finish(edit)


@contextmanager
def acting(desk: Desk, *, by: str, permission: Permission) -> Iterator[tuple[Session, Operator]]:
    """A write transaction for changes that are not to one ticket (templates, operators)."""
    with desk.db.write() as session:
        operator = find_operator(session, by)
        require(operator, permission)
        yield session, operator
