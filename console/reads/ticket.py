"""Everything about one ticket, read in one short session: the detail pane, the
full-screen view and `wmconsole ticket N` all show this."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, select

from console.database import Database
from console.errors import NotFound
from console.json_values import json_value
from console.reads.blocks import BlockRequestView
from console.rules.audit import ACTION_LABELS, describe
from console.rules.queue_order import kinds_of
from console.rules.sla import SlaPolicy
from models import (
    Attachment,
    AuditEvent,
    BlockRequest,
    BlockState,
    Escalation,
    EscalationKind,
    Message,
    Operator,
    Ticket,
)

OTHER_TICKETS_SHOWN = 50


@dataclass(frozen=True)
class ThreadMessage:
    id: int
    kind: str
    author: str | None
    channel: str
    body: str
    created_at: datetime
    email_message_id: str | None


@dataclass(frozen=True)
class AttachmentInfo:
    id: int
    message_id: int | None
    filename: str
    content_type: str
    size: int
    kept: bool
    refused_reason: str | None


@dataclass(frozen=True)
class EscalationInfo:
    id: int
    kind: str
    reason: str
    set_by: str | None
    set_at: datetime
    cleared_by: str | None
    cleared_at: datetime | None
    clear_reason: str | None


@dataclass(frozen=True)
class AuditEntry:
    id: int
    action: str
    label: str
    operator: str | None
    actor: str
    at: datetime
    before: dict[str, Any] | None
    after: dict[str, Any] | None
    details: str


@dataclass(frozen=True)
class OtherTicket:
    number: int
    subject: str
    status: str
    service: str
    created_at: datetime


@dataclass(frozen=True)
class TicketDetail:
    id: int
    number: int
    service: str
    subject: str
    status: str
    version: int
    customer_wmid: str | None
    customer_purse: str | None
    customer_email: str | None
    customer_name: str | None
    customer_phone: str | None
    notice_channel: str
    language: str
    source: str
    assignee: str | None
    created_at: datetime
    updated_at: datetime
    confirmed_at: datetime | None
    first_answer_due_at: datetime | None
    due_at: datetime | None
    archived_at: datetime | None
    archive_reason: str | None
    escalation_kinds: list[str]
    messages: list[ThreadMessage] = field(default_factory=list)
    attachments: list[AttachmentInfo] = field(default_factory=list)
    escalations: list[EscalationInfo] = field(default_factory=list)
    blocks: list[BlockRequestView] = field(default_factory=list)
    other_tickets: list[OtherTicket] = field(default_factory=list)
    audit: list[AuditEntry] = field(default_factory=list)

    @property
    def confirmed(self) -> bool:
        return self.confirmed_at is not None

    @property
    def open_escalations(self) -> list[EscalationInfo]:
        return [e for e in self.escalations if e.cleared_at is None]

    @property
    def pending_blocks(self) -> list[BlockRequestView]:
        return [b for b in self.blocks if b.state == BlockState.requested]

    def sla_left_seconds(self, policy: SlaPolicy, now: datetime) -> int | None:
        if self.due_at is None:
            return None
        kinds = [EscalationKind(kind) for kind in self.escalation_kinds]
        return int(policy.time_left(self.due_at, now, kinds=kinds).total_seconds())

    def as_json(self) -> dict[str, Any]:
        data = json_value(asdict(self))
        # Inside its ticket a block request does not repeat the ticket's number.
        data["blocks"] = [
            {key: value for key, value in block.as_json().items() if key != "number"}
            for block in self.blocks
        ]
        return data


def logins_by_id(session: Session) -> dict[int, str]:
    return {id_: login for id_, login in session.execute(sa.select(Operator.id, Operator.login))}


def load_ticket(db: Database, number: int) -> TicketDetail:
    with db.read() as session:
        ticket = session.exec(select(Ticket).where(Ticket.number == number)).first()
        if ticket is None:
            raise NotFound(f"no ticket {number}")
        logins = logins_by_id(session)
        return TicketDetail(
            id=ticket.id,
            number=ticket.number,
            service=ticket.service.value,
            subject=ticket.subject,
            status=ticket.status.value,
            version=ticket.version,
            customer_wmid=ticket.customer_wmid,
            customer_purse=ticket.customer_purse,
            customer_email=ticket.customer_email,
            customer_name=ticket.customer_name,
            customer_phone=ticket.customer_phone,
            notice_channel=ticket.notice_channel.value,
            language=ticket.language.value,
            source=ticket.source.value,
            assignee=logins.get(ticket.assignee_id),
            created_at=ticket.created_at,
            updated_at=ticket.updated_at,
            confirmed_at=ticket.confirmed_at,
            first_answer_due_at=ticket.first_answer_due_at,
            due_at=ticket.due_at,
            archived_at=ticket.archived_at,
            archive_reason=ticket.archive_reason,
            escalation_kinds=[kind.value for kind in kinds_of(ticket.escalation_flags)],
            messages=thread_messages(session, ticket.id, logins),
            attachments=_attachments(session, ticket.id),
            escalations=_escalations(session, ticket.id, logins),
            blocks=_blocks(session, ticket, logins),
            other_tickets=_other_tickets(session, ticket),
            audit=audit_entries(session, ticket.id, logins),
        )


def thread_messages(
    session: Session, ticket_id: int, logins: dict[int, str], *, after_id: int = 0
) -> list[ThreadMessage]:
    """The ticket's messages in order (those after message `after_id`)."""
    rows = session.exec(
        select(Message)
        .where(Message.ticket_id == ticket_id, Message.id > after_id)
        .order_by(Message.id)
    ).all()
    return [message_view(m, logins) for m in rows]


def message_view(m: Message, logins: dict[int, str]) -> ThreadMessage:
    return ThreadMessage(
        id=m.id,
        kind=m.kind.value,
        author=logins.get(m.author_id),
        channel=m.channel.value,
        body=m.body,
        created_at=m.created_at,
        email_message_id=m.email_message_id,
    )


def _attachments(session: Session, ticket_id: int) -> list[AttachmentInfo]:
    rows = session.exec(
        select(Attachment).where(Attachment.ticket_id == ticket_id).order_by(Attachment.id)
    ).all()
    return [
        AttachmentInfo(
            id=a.id,
            message_id=a.message_id,
            filename=a.filename,
            content_type=a.content_type,
            size=a.size,
            kept=a.sha256 is not None,
            refused_reason=a.refused_reason,
        )
        for a in rows
    ]


def _escalations(session: Session, ticket_id: int, logins: dict[int, str]) -> list[EscalationInfo]:
    rows = session.exec(
        select(Escalation).where(Escalation.ticket_id == ticket_id).order_by(Escalation.id)
    ).all()
    return [
        EscalationInfo(
            id=e.id,
            kind=e.kind.value,
            reason=e.reason,
            set_by=logins.get(e.set_by_id),
            set_at=e.set_at,
            cleared_by=logins.get(e.cleared_by_id),
            cleared_at=e.cleared_at,
            clear_reason=e.clear_reason,
        )
        for e in rows
    ]


def _blocks(session: Session, ticket: Ticket, logins: dict[int, str]) -> list[BlockRequestView]:
    rows = session.exec(
        select(BlockRequest).where(BlockRequest.ticket_id == ticket.id).order_by(BlockRequest.id)
    ).all()
    return [
        BlockRequestView(
            id=b.id,
            number=ticket.number,
            wmid=b.wmid,
            reason=b.reason,
            state=b.state.value,
            requested_by=logins.get(b.requested_by_id, "?"),
            requested_at=b.requested_at,
            decided_by=logins.get(b.decided_by_id),
            decided_at=b.decided_at,
            decision_reason=b.decision_reason,
        )
        for b in rows
    ]


def current_versions(db: Database, numbers: list[int]) -> dict[int, int]:
    """Each ticket's version now, by number (a selection to act on again)."""
    if not numbers:
        return {}
    with db.read() as session:
        rows = session.execute(
            sa.select(Ticket.number, Ticket.version).where(Ticket.number.in_(numbers))
        ).all()
    return dict(rows)


def other_tickets(db: Database, number: int) -> list[OtherTicket]:
    """The customer's other tickets, newest first, for a ticket by its number."""
    with db.read() as session:
        ticket = session.exec(select(Ticket).where(Ticket.number == number)).first()
        if ticket is None:
            raise NotFound(f"no ticket {number}")
        return _other_tickets(session, ticket)


def _other_tickets(session: Session, ticket: Ticket) -> list[OtherTicket]:
    """The same customer's other tickets: same WMID, e-mail or phone."""
    same_customer = []
    if ticket.customer_wmid:
        same_customer.append(Ticket.customer_wmid == ticket.customer_wmid)
    if ticket.customer_email:
        same_customer.append(Ticket.customer_email == ticket.customer_email)
    if ticket.customer_phone:
        same_customer.append(Ticket.customer_phone == ticket.customer_phone)
    if not same_customer:
        return []
    rows = session.execute(
        sa.select(Ticket.number, Ticket.subject, Ticket.status, Ticket.service, Ticket.created_at)
        .where(sa.or_(*same_customer), Ticket.id != ticket.id)
        .order_by(Ticket.created_at.desc())
        .limit(OTHER_TICKETS_SHOWN)
    ).all()
    return [
        OtherTicket(number, subject, status.value, service.value, created_at)
        for number, subject, status, service, created_at in rows
    ]


def audit_entries(
    session: Session, ticket_id: int, logins: dict[int, str], *since: sa.ColumnElement[bool]
) -> list[AuditEntry]:
    """The ticket's audit trail in order (the events `since` picks)."""
    query = select(AuditEvent).where(AuditEvent.ticket_id == ticket_id, *since)
    rows = session.exec(query.order_by(AuditEvent.id)).all()
    return [
        AuditEntry(
            id=e.id,
            action=e.action,
            label=ACTION_LABELS.get(e.action, e.action),
            operator=logins.get(e.operator_id),
            actor=e.actor.value,
            at=e.at,
            before=e.before,
            after=e.after,
            details=describe(e.before, e.after),
        )
        for e in rows
    ]
