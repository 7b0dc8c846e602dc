"""One ticket as every reader shows it (the detail pane, the full-screen view,
`wmconsole ticket N`), and how a row of each table becomes part of it. Plain
values, importable without SQLAlchemy: the ORM path (console.reads.ticket)
and the command line's quick path (console.reads.quick) both build them here,
from ORM objects or from the DB-API's rows, whose enums are plain strings."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any

from console.json_values import json_value
from console.reads.block_view import BlockRequestView
from console.rules.audit import ACTION_LABELS, describe
from console.rules.queue_order import kinds_of
from console.rules.sla import SlaPolicy
from models import BlockState, EscalationKind

Fetch = Callable[[str, dict[str, Any]], Sequence[Any]]


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


def _text(value: Any) -> Any:
    """An enum's value (ORM objects), or the string itself (DB-API rows)."""
    return getattr(value, "value", value)


def thread_message(m: Any, logins: dict[int, str]) -> ThreadMessage:
    return ThreadMessage(
        id=m.id,
        kind=_text(m.kind),
        author=logins.get(m.author_id),
        channel=_text(m.channel),
        body=m.body,
        created_at=m.created_at,
        email_message_id=m.email_message_id,
    )


def attachment_info(a: Any) -> AttachmentInfo:
    return AttachmentInfo(
        id=a.id,
        message_id=a.message_id,
        filename=a.filename,
        content_type=a.content_type,
        size=a.size,
        kept=a.sha256 is not None,
        refused_reason=a.refused_reason,
    )


def escalation_info(e: Any, logins: dict[int, str]) -> EscalationInfo:
    return EscalationInfo(
        id=e.id,
        kind=_text(e.kind),
        reason=e.reason,
        set_by=logins.get(e.set_by_id),
        set_at=e.set_at,
        cleared_by=logins.get(e.cleared_by_id),
        cleared_at=e.cleared_at,
        clear_reason=e.clear_reason,
    )


def block_view(b: Any, number: int, logins: dict[int, str]) -> BlockRequestView:
    return BlockRequestView(
        id=b.id,
        number=number,
        wmid=b.wmid,
        reason=b.reason,
        state=_text(b.state),
        requested_by=logins.get(b.requested_by_id, "?"),
        requested_at=b.requested_at,
        decided_by=logins.get(b.decided_by_id),
        decided_at=b.decided_at,
        decision_reason=b.decision_reason,
    )


def other_ticket(row: Any) -> OtherTicket:
    number, subject, status, service, created_at = row
    return OtherTicket(number, subject, _text(status), _text(service), created_at)


def other_tickets_parameters(ticket: Any) -> dict[str, Any] | None:
    """OTHER_TICKETS' parameters for `ticket`, or None when it names no customer."""
    if not (ticket.customer_wmid or ticket.customer_email or ticket.customer_phone):
        return None
    return {
        "ticket_id": ticket.id,
        "wmid": ticket.customer_wmid or None,
        "email": ticket.customer_email or None,
        "phone": ticket.customer_phone or None,
    }


def audit_entry(e: Any, logins: dict[int, str]) -> AuditEntry:
    return AuditEntry(
        id=e.id,
        action=e.action,
        label=ACTION_LABELS.get(e.action, e.action),
        operator=logins.get(e.operator_id),
        actor=_text(e.actor),
        at=e.at,
        before=e.before,
        after=e.after,
        details=describe(e.before, e.after),
    )


def read_ticket(fetch: Fetch, number: int) -> TicketDetail | None:
    """The ticket `number` (None when there is none) from `fetch(name, parameters)`,
    which runs the statement of that name (console.reads.ticket.STATEMENTS, or
    their precompiled SQL) and returns its rows."""
    found = fetch("ticket_by_number", {"number": number})
    if not found:
        return None
    ticket = found[0]
    logins = dict(fetch("logins", {}))
    at = {"ticket_id": ticket.id}
    customer = other_tickets_parameters(ticket)
    others = [] if customer is None else fetch("other_tickets", customer)
    return TicketDetail(
        id=ticket.id,
        number=ticket.number,
        service=_text(ticket.service),
        subject=ticket.subject,
        status=_text(ticket.status),
        version=ticket.version,
        customer_wmid=ticket.customer_wmid,
        customer_purse=ticket.customer_purse,
        customer_email=ticket.customer_email,
        customer_name=ticket.customer_name,
        customer_phone=ticket.customer_phone,
        notice_channel=_text(ticket.notice_channel),
        language=_text(ticket.language),
        source=_text(ticket.source),
        assignee=logins.get(ticket.assignee_id),
        created_at=ticket.created_at,
        updated_at=ticket.updated_at,
        confirmed_at=ticket.confirmed_at,
        first_answer_due_at=ticket.first_answer_due_at,
        due_at=ticket.due_at,
        archived_at=ticket.archived_at,
        archive_reason=ticket.archive_reason,
        escalation_kinds=[kind.value for kind in kinds_of(ticket.escalation_flags)],
        messages=[thread_message(m, logins) for m in fetch("messages", at)],
        attachments=[attachment_info(a) for a in fetch("attachments", at)],
        escalations=[escalation_info(e, logins) for e in fetch("escalations", at)],
        blocks=[block_view(b, ticket.number, logins) for b in fetch("blocks", at)],
        other_tickets=[other_ticket(row) for row in others],
        audit=[audit_entry(e, logins) for e in fetch("audit", at)],
    )
