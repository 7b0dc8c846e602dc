"""The tables. Nothing is ever deleted: tickets end archived or expired, escalations
are cleared, block requests decided, audit events only appended."""

from datetime import UTC, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from models.enums import (
    Actor,
    BlockState,
    DraftKind,
    EscalationKind,
    Handover,
    Language,
    MessageChannel,
    MessageKind,
    NoticeChannel,
    NoticeKind,
    NoticeState,
    PresenceState,
    Role,
    Service,
    Status,
)

SQLModel.metadata.naming_convention = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICROSECOND = timedelta(microseconds=1)


class UTCDateTime(sa.TypeDecorator[datetime]):
    """Aware UTC datetimes in Python.

    PostgreSQL stores them as naive UTC timestamps. SQLite has no date type, and
    its text dates cost 27 bytes and a string comparison each; there they are
    whole microseconds since 1970 (an 8-byte integer): a million-ticket queue
    index stays small and compares fast. Either way ordering is exact.
    """

    impl = sa.DateTime
    cache_ok = True

    def load_dialect_impl(self, dialect: sa.Dialect) -> sa.types.TypeEngine:
        if dialect.name == "sqlite":
            return dialect.type_descriptor(sa.BigInteger())
        return dialect.type_descriptor(sa.DateTime())

    def process_bind_param(self, value: datetime | None, dialect: sa.Dialect) -> Any:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"naive datetime {value!r}: pass an aware UTC datetime")
        if dialect.name == "sqlite":
            return (value - _EPOCH) // _MICROSECOND
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: Any, dialect: sa.Dialect) -> datetime | None:
        if value is None:
            return None
        if dialect.name == "sqlite":
            return _EPOCH + value * _MICROSECOND
        return value.replace(tzinfo=UTC)


def enum_column(enum_cls: type, name: str) -> Any:
    """Stored as its value in a VARCHAR with a CHECK, the same on both backends."""
    return sa.Enum(
        enum_cls,
        name=name,
        native_enum=False,
        create_constraint=True,
        length=max(len(m.value) for m in enum_cls),
        values_callable=lambda members: [m.value for m in members],
        validate_strings=True,
    )


def _utcnow() -> datetime:
    return datetime.now(UTC)


def _stamp() -> Any:
    return Field(default_factory=_utcnow, sa_type=UTCDateTime)


def _maybe_stamp() -> Any:
    return Field(default=None, sa_type=UTCDateTime)


class Operator(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    login: str = Field(max_length=64, unique=True)
    name: str = Field(max_length=200)
    role: Role = Field(sa_type=enum_column(Role, "role"))
    active: bool = Field(default=True)
    created_at: datetime = _stamp()


class Counter(SQLModel, table=True):
    """Named sequences that work the same on both backends (ticket numbers)."""

    name: str = Field(primary_key=True, max_length=32)
    value: int


class Ticket(SQLModel, table=True):
    __table_args__ = (
        # The queue's order: escalation urgency, SLA due time, age.
        sa.Index("ix_ticket_queue", "queue_rank", "queue_due", "created_at", "id"),
        sa.Index(
            "ix_ticket_assignee_queue", "assignee_id", "queue_rank", "queue_due", "created_at", "id"
        ),
        sa.Index(
            "ix_ticket_service_queue", "service", "queue_rank", "queue_due", "created_at", "id"
        ),
        # SLA breaches: what is past due, countable by every filter from the index alone.
        sa.Index(
            "ix_ticket_due_at", "due_at", "status", "service", "assignee_id", "escalation_flags"
        ),
        sa.Index("ix_ticket_customer_wmid", "customer_wmid"),
        # Who has waited longest for an answer: only tickets whose clock runs.
        sa.Index(
            "ix_ticket_waiting",
            "waiting_since",
            "assignee_id",
            sqlite_where=sa.text("waiting_since IS NOT NULL"),
            postgresql_where=sa.text("waiting_since IS NOT NULL"),
        ),
        # The customer's other tickets; a purse is found through the search index.
        sa.Index("ix_ticket_customer_email", "customer_email"),
        sa.Index("ix_ticket_customer_purse", "customer_purse"),
        # A hotline caller's tickets.
        sa.Index("ix_ticket_customer_phone", "customer_phone"),
        # The other orders an operator may sort the queue by, one rank at a time
        # (the holder last: "mine and unassigned" is checked in the index).
        sa.Index("ix_ticket_age", "queue_rank", "created_at", "id", "assignee_id"),
        sa.Index("ix_ticket_last_customer", "queue_rank", "last_customer_at", "id", "assignee_id"),
        sa.Index("ix_ticket_updated", "queue_rank", "updated_at", "id", "assignee_id"),
        # "Answered by me today".
        sa.Index("ix_ticket_answered_at", "answered_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    number: int = Field(unique=True)
    service: Service = Field(sa_type=enum_column(Service, "service"))
    subject: str = Field(max_length=500)
    status: Status = Field(sa_type=enum_column(Status, "status"))
    customer_wmid: str | None = Field(default=None, max_length=12)
    customer_purse: str | None = Field(default=None, max_length=13)
    customer_email: str | None = Field(default=None, max_length=320)
    customer_name: str | None = Field(default=None, max_length=200)
    # E.164, as the hotline's caller ID gives it: + and up to 15 digits.
    customer_phone: str | None = Field(default=None, max_length=16)
    notice_channel: NoticeChannel = Field(sa_type=enum_column(NoticeChannel, "notice_channel"))
    language: Language = Field(default=Language.ru, sa_type=enum_column(Language, "language"))
    source: MessageChannel = Field(
        default=MessageChannel.form, sa_type=enum_column(MessageChannel, "source")
    )
    assignee_id: int | None = Field(default=None, foreign_key="operator.id")
    # Since when the holder holds it: a ticket held too long is flagged in the queue.
    assigned_at: datetime | None = _maybe_stamp()
    created_at: datetime = _stamp()
    updated_at: datetime = _stamp()
    # SLA: the first answer is due by first_answer_due_at; due_at is when the
    # next answer is due, empty while the clock is stopped.
    first_answer_due_at: datetime | None = _maybe_stamp()
    first_answered_at: datetime | None = _maybe_stamp()
    due_at: datetime | None = _maybe_stamp()
    last_customer_at: datetime | None = _maybe_stamp()
    # The earliest customer message not yet answered: the answer clock runs from it.
    waiting_since: datetime | None = _maybe_stamp()
    answered_at: datetime | None = _maybe_stamp()
    # Denormalised sort keys, kept by console.rules.queue_order in the same write as
    # the fields they derive from: queue_due is due_at or the far future.
    escalation_flags: int = Field(default=0)
    queue_rank: int
    queue_due: datetime = Field(sa_type=UTCDateTime)
    confirm_token: str | None = Field(default=None, max_length=64, unique=True)
    confirmed_at: datetime | None = _maybe_stamp()
    archived_at: datetime | None = _maybe_stamp()
    archive_reason: str | None = Field(default=None, max_length=500)
    version: int = Field(default=1)


class TicketTally(SQLModel, table=True):
    """How many tickets share each (status, service, assignee, escalations): the
    filter bar's counts read this small table instead of counting a million rows.
    Kept by console.rules.tally in the same transaction as every ticket change;
    assignee_id 0 stands for unassigned."""

    status: Status = Field(primary_key=True, sa_type=enum_column(Status, "tally_status"))
    service: Service = Field(primary_key=True, sa_type=enum_column(Service, "tally_service"))
    assignee_id: int = Field(primary_key=True)
    escalation_flags: int = Field(primary_key=True)
    tickets: int = Field(default=0)


class Message(SQLModel, table=True):
    __table_args__ = (sa.Index("ix_message_ticket", "ticket_id", "id"),)

    id: int | None = Field(default=None, primary_key=True)
    ticket_id: int = Field(foreign_key="ticket.id")
    kind: MessageKind = Field(sa_type=enum_column(MessageKind, "message_kind"))
    author_id: int | None = Field(default=None, foreign_key="operator.id")
    channel: MessageChannel = Field(sa_type=enum_column(MessageChannel, "message_channel"))
    body: str = Field(sa_type=sa.Text)
    email_message_id: str | None = Field(default=None, max_length=998, unique=True)
    created_at: datetime = _stamp()


class AttachmentContent(SQLModel, table=True):
    """Attachment bytes, content-addressed: every host sharing the database sees them."""

    sha256: str = Field(primary_key=True, max_length=64)
    size: int
    data: bytes = Field(sa_type=sa.LargeBinary)


class Attachment(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    ticket_id: int = Field(foreign_key="ticket.id", index=True)
    message_id: int | None = Field(default=None, foreign_key="message.id", index=True)
    filename: str = Field(max_length=255)
    content_type: str = Field(max_length=255)
    size: int
    # Empty when the content was refused (too large, say); refused_reason says why.
    sha256: str | None = Field(default=None, foreign_key="attachmentcontent.sha256")
    refused_reason: str | None = Field(default=None, max_length=500)
    created_at: datetime = _stamp()


class Escalation(SQLModel, table=True):
    __table_args__ = (sa.Index("ix_escalation_kind_open", "kind", "cleared_at", "ticket_id"),)

    id: int | None = Field(default=None, primary_key=True)
    ticket_id: int = Field(foreign_key="ticket.id", index=True)
    kind: EscalationKind = Field(sa_type=enum_column(EscalationKind, "escalation_kind"))
    reason: str = Field(sa_type=sa.Text)
    set_by_id: int | None = Field(default=None, foreign_key="operator.id")
    set_at: datetime = _stamp()
    cleared_by_id: int | None = Field(default=None, foreign_key="operator.id")
    cleared_at: datetime | None = _maybe_stamp()
    clear_reason: str | None = Field(default=None, sa_type=sa.Text)


class BlockRequest(SQLModel, table=True):
    __table_args__ = (sa.Index("ix_blockrequest_state", "state", "requested_at"),)

    id: int | None = Field(default=None, primary_key=True)
    ticket_id: int = Field(foreign_key="ticket.id", index=True)
    wmid: str = Field(max_length=12, index=True)
    reason: str = Field(sa_type=sa.Text)
    requested_by_id: int = Field(foreign_key="operator.id")
    requested_at: datetime = _stamp()
    state: BlockState = Field(
        default=BlockState.requested, sa_type=enum_column(BlockState, "block_state")
    )
    decided_by_id: int | None = Field(default=None, foreign_key="operator.id")
    decided_at: datetime | None = _maybe_stamp()
    decision_reason: str | None = Field(default=None, sa_type=sa.Text)


class Draft(SQLModel, table=True):
    __table_args__ = (sa.UniqueConstraint("ticket_id", "operator_id"),)

    id: int | None = Field(default=None, primary_key=True)
    ticket_id: int = Field(foreign_key="ticket.id")
    operator_id: int = Field(foreign_key="operator.id")
    kind: DraftKind = Field(default=DraftKind.reply, sa_type=enum_column(DraftKind, "draft_kind"))
    body: str = Field(sa_type=sa.Text)
    # The ticket version the author was looking at: the send-time check compares it.
    ticket_version: int
    # The last audit event on the ticket when the draft began: everything after it
    # (notes too, which never bump the version) is shown before the reply goes out.
    seen_event: int | None = None
    # The macro applied to the draft, whose other actions go with the reply. Not a
    # foreign key: a draft is scratch paper, and a macro is never deleted anyway.
    macro_id: int | None = None
    updated_at: datetime = _stamp()


class Template(SQLModel, table=True):
    __table_args__ = (sa.UniqueConstraint("service", "language", "title"),)

    id: int | None = Field(default=None, primary_key=True)
    # Empty service: offered for every service.
    service: Service | None = Field(default=None, sa_type=enum_column(Service, "template_service"))
    language: Language = Field(sa_type=enum_column(Language, "template_language"))
    title: str = Field(max_length=200)
    body: str = Field(sa_type=sa.Text)
    # Withdrawn templates are kept (nothing is deleted) but no longer offered.
    active: bool = Field(default=True)
    updated_by_id: int | None = Field(default=None, foreign_key="operator.id")
    updated_at: datetime = _stamp()


class Macro(SQLModel, table=True):
    """A named answer, per service and language like a template: its text, and
    what else happens in the same audited transaction when it is sent (a status
    after the answer, an escalation raised or cleared, an internal note, who
    holds the ticket). Withdrawn, not deleted."""

    __table_args__ = (sa.UniqueConstraint("service", "language", "title"),)

    id: int | None = Field(default=None, primary_key=True)
    service: Service | None = Field(default=None, sa_type=enum_column(Service, "macro_service"))
    language: Language = Field(sa_type=enum_column(Language, "macro_language"))
    title: str = Field(max_length=200)
    body: str = Field(sa_type=sa.Text)
    # After the answer: on_hold or archived (none: answered, as any reply).
    status: Status | None = Field(default=None, sa_type=enum_column(Status, "macro_status"))
    escalate: EscalationKind | None = Field(
        default=None, sa_type=enum_column(EscalationKind, "macro_escalate")
    )
    clear_escalation: EscalationKind | None = Field(
        default=None, sa_type=enum_column(EscalationKind, "macro_clear_escalation")
    )
    note: str | None = Field(default=None, sa_type=sa.Text)
    handover: Handover | None = Field(default=None, sa_type=enum_column(Handover, "macro_handover"))
    handover_to_id: int | None = Field(default=None, foreign_key="operator.id")
    active: bool = Field(default=True)
    updated_by_id: int | None = Field(default=None, foreign_key="operator.id")
    updated_at: datetime = _stamp()


class Notice(SQLModel, table=True):
    """The outbox: what the customer must be told, until it is delivered."""

    __table_args__ = (sa.Index("ix_notice_state_next", "state", "next_attempt_at"),)

    id: int | None = Field(default=None, primary_key=True)
    ticket_id: int = Field(foreign_key="ticket.id", index=True)
    message_id: int | None = Field(default=None, foreign_key="message.id")
    channel: NoticeChannel = Field(sa_type=enum_column(NoticeChannel, "notice_channel"))
    recipient: str = Field(max_length=320)
    kind: NoticeKind = Field(sa_type=enum_column(NoticeKind, "notice_kind"))
    state: NoticeState = Field(
        default=NoticeState.pending, sa_type=enum_column(NoticeState, "notice_state")
    )
    attempts: int = Field(default=0)
    next_attempt_at: datetime = _stamp()
    last_error: str | None = Field(default=None, sa_type=sa.Text)
    # Our own Message-ID for the e-mail, fixed before the first attempt so a
    # retry after a crash is recognisably the same message.
    email_message_id: str | None = Field(default=None, max_length=998, unique=True)
    created_at: datetime = _stamp()
    sent_at: datetime | None = _maybe_stamp()


class AuditEvent(SQLModel, table=True):
    """Append-only: who did what to which ticket, with the fields before and after."""

    __table_args__ = (
        sa.Index("ix_auditevent_ticket", "ticket_id", "id"),
        # The dashboard's inflow, answers and operator activity over recent days.
        sa.Index("ix_auditevent_activity", "at", "action", "operator_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    ticket_id: int | None = Field(default=None, foreign_key="ticket.id")
    operator_id: int | None = Field(default=None, foreign_key="operator.id")
    actor: Actor = Field(sa_type=enum_column(Actor, "actor"))
    action: str = Field(max_length=64)
    before: dict[str, Any] | None = Field(default=None, sa_type=sa.JSON)
    after: dict[str, Any] | None = Field(default=None, sa_type=sa.JSON)
    # The ticket's version after this change: a conflict names the events past yours.
    ticket_version: int | None = None
    at: datetime = _stamp()


class ChangeLog(SQLModel, table=True):
    """One row per committed change, written in the same transaction: consoles ask
    for what changed since the last id they saw. Ids are in commit order; the
    ticket is named without a foreign key (migration 0009 says why)."""

    id: int | None = Field(default=None, primary_key=True)
    ticket_id: int | None = None
    topic: str = Field(max_length=32)
    at: datetime = _stamp()


class Presence(SQLModel, table=True):
    """Which console has which ticket open, kept alive by heartbeats."""

    __table_args__ = (sa.Index("ix_presence_ticket_seen", "ticket_id", "seen_at"),)

    console_id: str = Field(primary_key=True, max_length=64)
    operator_id: int = Field(foreign_key="operator.id")
    ticket_id: int | None = Field(default=None, foreign_key="ticket.id")
    state: PresenceState = Field(
        default=PresenceState.viewing, sa_type=enum_column(PresenceState, "presence_state")
    )
    host: str = Field(default="", max_length=255)
    seen_at: datetime = _stamp()


class OperatorPreference(SQLModel, table=True):
    """Per-operator settings that follow them from host to host (the last filters)."""

    operator_id: int = Field(foreign_key="operator.id", primary_key=True)
    key: str = Field(primary_key=True, max_length=64)
    value: dict[str, Any] = Field(sa_type=sa.JSON)
    updated_at: datetime = _stamp()


class ScamMarker(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    pattern: str = Field(max_length=500)
    is_regex: bool = Field(default=False)
    description: str = Field(default="", max_length=500)
    active: bool = Field(default=True)
    created_by_id: int | None = Field(default=None, foreign_key="operator.id")
    created_at: datetime = _stamp()


class QuarantinedMail(SQLModel, table=True):
    """Mail intake could not take: kept, with why, for a supervisor to look at."""

    id: int | None = Field(default=None, primary_key=True)
    path: str = Field(max_length=1000)
    reason: str = Field(sa_type=sa.Text)
    sha256: str = Field(max_length=64, index=True)
    size: int
    email_message_id: str | None = Field(default=None, max_length=998)
    # The Message-ID, else "sha256:" and the content's hash: the same mail delivered
    # again is recognised and kept once. (Rows from before revision 0004 that
    # repeat an earlier one have none.)
    mail_key: str | None = Field(default=None, max_length=998, unique=True, index=True)
    sender: str | None = Field(default=None, max_length=998)
    subject: str | None = Field(default=None, sa_type=sa.Text)
    received_at: datetime = _stamp()
    resolved_at: datetime | None = _maybe_stamp()
