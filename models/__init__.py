"""The schema: SQLModel tables and the enums they store. Imports nothing of ours."""

from typing import Any

from models.enums import (
    ACTIVE_STATUSES,
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

__all__ = [
    "ACTIVE_STATUSES",
    "Actor",
    "Attachment",
    "AttachmentContent",
    "AuditEvent",
    "BlockRequest",
    "BlockState",
    "ChangeLog",
    "Counter",
    "Draft",
    "DraftKind",
    "Escalation",
    "EscalationKind",
    "Handover",
    "Language",
    "Macro",
    "Message",
    "MessageChannel",
    "MessageKind",
    "Notice",
    "NoticeChannel",
    "NoticeKind",
    "NoticeState",
    "Operator",
    "OperatorPreference",
    "Presence",
    "PresenceState",
    "QuarantinedMail",
    "Role",
    "ScamMarker",
    "Service",
    "Status",
    "Template",
    "Ticket",
    "TicketTally",
    "UTCDateTime",
]


# The tables load SQLAlchemy and SQLModel (most of a second): only on first use
# (PEP 562), so what needs only the enums starts without the ORM.
_TABLES = frozenset(
    {
        "Attachment",
        "AttachmentContent",
        "AuditEvent",
        "BlockRequest",
        "ChangeLog",
        "Counter",
        "Draft",
        "Escalation",
        "Macro",
        "Message",
        "Notice",
        "Operator",
        "OperatorPreference",
        "Presence",
        "QuarantinedMail",
        "ScamMarker",
        "Template",
        "Ticket",
        "TicketTally",
        "UTCDateTime",
    }
)


def __getattr__(name: str) -> Any:
    if name in _TABLES:
        from models import tables

        return getattr(tables, name)
    raise AttributeError(f"module 'models' has no attribute {name!r}")
