"""The desk's values as a person reads them: `on hold`, not `on_hold`; `WMID
block`, not `wmid_block`; `personal data`, not `personal_data` — one table for
the screens and the command line's text alike. JSON keeps the values.
And counts with their noun, in the right number: `1 ticket`, `2 tickets`."""

from __future__ import annotations

from enum import Enum

from models import (
    EscalationKind,
    Language,
    MessageChannel,
    NoticeChannel,
    Role,
    Service,
    Status,
)

STATUS_LABELS = {
    Status.unconfirmed: "unconfirmed",
    Status.new: "new",
    Status.open: "open",
    Status.answered: "answered",
    Status.on_hold: "on hold",
    Status.archived: "archived",
    Status.expired: "expired",
}

SERVICE_LABELS = {
    Service.keeper: "Keeper",
    Service.enum: "E-NUM",
    Service.check: "Check",
    Service.attestation: "attestation",
    Service.merchant: "Merchant",
    Service.transfers: "transfers",
    Service.exchange: "exchange",
    Service.credit: "credit",
    Service.debt: "debt",
    Service.cards: "cards",
    Service.arbitration: "arbitration",
    Service.contracts: "contracts",
    Service.personal_data: "personal data",
    Service.security: "security",
    Service.other: "other",
}

ESCALATION_LABELS = {
    EscalationKind.wmid_block: "WMID block",
    EscalationKind.fraud: "fraud",
    EscalationKind.hacking: "hacking",
    EscalationKind.arbitration: "arbitration",
    EscalationKind.hotline: "hotline",
}

ROLE_LABELS = {
    Role.operator: "operator",
    Role.supervisor: "supervisor",
    Role.security: "security officer",
}

CHANNEL_LABELS = {
    MessageChannel.form: "the form",
    MessageChannel.email: "e-mail",
    MessageChannel.keeper: "WM Keeper",
    MessageChannel.console: "the console",
    MessageChannel.system: "the system",
    MessageChannel.phone: "phone",
}

NOTICE_LABELS = {NoticeChannel.keeper: "WM Keeper", NoticeChannel.email: "e-mail"}

LANGUAGE_LABELS = {Language.ru: "Russian", Language.en: "English"}

_TABLES: dict[type[Enum], dict] = {
    Status: STATUS_LABELS,
    Service: SERVICE_LABELS,
    EscalationKind: ESCALATION_LABELS,
    Role: ROLE_LABELS,
    MessageChannel: CHANNEL_LABELS,
    NoticeChannel: NOTICE_LABELS,
    Language: LANGUAGE_LABELS,
}


def label(value: Enum | str, kind: type[Enum] | None = None) -> str:
    """How a person reads a value: an enum member, or a stored value of `kind`
    (the reads hand the screens plain strings). Unknown text is shown as it is."""
    if isinstance(value, Enum):
        kind = type(value)
    elif kind is not None and value in kind._value2member_map_:
        value = kind(value)
    table = _TABLES.get(kind) if kind is not None else None
    return table.get(value, str(value)) if table else str(value)


def plural(count: int, one: str, many: str | None = None) -> str:
    """`1 ticket`, `2 tickets`, `1,234 tickets`: the count, then its noun."""
    noun = one if count == 1 else (many or f"{one}s")
    return f"{count:,} {noun}"
