"""The support desk's vocabulary (DESIGN.md section 2), stored by value."""

from enum import StrEnum


class Role(StrEnum):
    operator = "operator"
    supervisor = "supervisor"
    security = "security"


class Service(StrEnum):
    keeper = "keeper"
    enum = "enum"
    check = "check"
    attestation = "attestation"
    merchant = "merchant"
    transfers = "transfers"
    exchange = "exchange"
    credit = "credit"
    debt = "debt"
    cards = "cards"
    arbitration = "arbitration"
    contracts = "contracts"
    personal_data = "personal_data"
    security = "security"
    other = "other"


class Status(StrEnum):
    unconfirmed = "unconfirmed"
    new = "new"
    open = "open"
    answered = "answered"
    on_hold = "on_hold"
    archived = "archived"
    expired = "expired"


ACTIVE_STATUSES = frozenset({Status.new, Status.open, Status.answered, Status.on_hold})


class EscalationKind(StrEnum):
    """Declared from the most urgent down: the order is the queue's order."""

    wmid_block = "wmid_block"
    fraud = "fraud"
    hacking = "hacking"
    arbitration = "arbitration"
    hotline = "hotline"


class NoticeChannel(StrEnum):
    """How the customer wants to hear that there is an answer."""

    keeper = "keeper"
    email = "email"


class MessageKind(StrEnum):
    customer = "customer"
    operator = "operator"
    note = "note"
    system = "system"


class MessageChannel(StrEnum):
    """Where a message came from or went through."""

    form = "form"
    email = "email"
    keeper = "keeper"
    console = "console"
    system = "system"
    # A hotline call: the note of it in the thread, a ticket opened on it.
    phone = "phone"


class Language(StrEnum):
    ru = "ru"
    en = "en"


class BlockState(StrEnum):
    requested = "requested"
    approved = "approved"
    rejected = "rejected"


class NoticeKind(StrEnum):
    confirm = "confirm"
    answer = "answer"
    archived = "archived"
    reopened = "reopened"


class NoticeState(StrEnum):
    pending = "pending"
    sending = "sending"
    sent = "sent"
    failed = "failed"


class Actor(StrEnum):
    """Who caused an audited change: a logged-in operator, the customer, or the system."""

    operator = "operator"
    customer = "customer"
    system = "system"


class DraftKind(StrEnum):
    reply = "reply"
    note = "note"


class Handover(StrEnum):
    """Who holds the ticket after a macro's answer."""

    take = "take"  # whoever applies the macro
    queue = "queue"  # nobody: back to the queue
    person = "person"  # the operator the macro names


class PresenceState(StrEnum):
    viewing = "viewing"
    typing = "typing"
