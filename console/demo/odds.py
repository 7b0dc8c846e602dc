"""How the demo desk is made up: the mix of services and statuses, the odds of
what happens to a ticket and how long it takes. The generator draws from these
tables; the rules (statuses, due times, the queue's order) are the domain's."""

from __future__ import annotations

from models import EscalationKind, Role, Service, Status

DEMO_OPERATORS: list[tuple[str, str, Role]] = [
    ("olga", "Ольга Смирнова", Role.operator),
    ("ivan", "Иван Петров", Role.operator),
    ("anna", "Anna Kowalski", Role.operator),
    ("dmitry", "Дмитрий Волков", Role.operator),
    ("maria", "Мария Соколова", Role.operator),
    ("pavel", "Павел Новиков", Role.operator),
    ("sergey", "Сергей Кузнецов", Role.supervisor),
    ("elena", "Елена Морозова", Role.supervisor),
    ("irina", "Ирина Васильева", Role.security),
    ("boris", "Борис Фёдоров", Role.security),
]

SERVICE_WEIGHTS = {
    Service.keeper: 18,
    Service.enum: 10,
    Service.check: 3,
    Service.attestation: 8,
    Service.merchant: 4,
    Service.transfers: 20,
    Service.exchange: 4,
    Service.credit: 2,
    Service.debt: 2,
    Service.cards: 5,
    Service.arbitration: 4,
    Service.contracts: 1,
    Service.personal_data: 6,
    Service.security: 8,
    Service.other: 5,
}

# Status odds by age in days (up to the first limit it is younger than): the
# desk answers most tickets within days, and the archive holds nearly
# everything older than a month.
STATUS_BY_AGE: list[tuple[float, dict[Status, float]]] = [
    (
        1,
        {
            Status.new: 40,
            Status.open: 25,
            Status.answered: 25,
            Status.on_hold: 5,
            Status.archived: 5,
        },
    ),
    (
        14,
        {
            Status.new: 4,
            Status.open: 14,
            Status.answered: 40,
            Status.on_hold: 6,
            Status.archived: 36,
        },
    ),
    (30, {Status.on_hold: 2, Status.answered: 3, Status.archived: 95}),
    (float("inf"), {Status.archived: 100}),
]
# Statuses of a ticket someone has worked on: it has a thread beyond the first message.
WORKED = frozenset({Status.open, Status.answered, Status.on_hold, Status.archived})

# Chances, each of one thing happening to one ticket.
CONFIRMED_WITHOUT_WMID = 0.85
STILL_UNCONFIRMED = 0.5
# An unconfirmed ticket past the expiry: expired by the system, else archived by the customer.
EXPIRED_UNCONFIRMED = 0.6
KEEPER_NOTICES = 0.6
FORM_WITHOUT_WMID = 0.6
OPEN_BUT_UNASSIGNED = 0.1
HELD_BY_AN_OFFICER = 0.1
ANOTHER_ROUND = (0.2, 0.05)
NOTE_IN_A_ROUND = 0.06
LAST_ROUND_UNANSWERED = 0.5
CLEARED_EARLY = 0.15
ATTACHMENT = 0.04

# How long things take, in seconds: (shortest, longest).
CONFIRMED_AFTER = (60, 7200)
REPLIED_AFTER = (300, 36000)
FOLLOWED_UP_AFTER = (1800, 120000)
ESCALATED_AFTER = (60, 5400)
CLEARED_AFTER = (3600, 172800)
# As the audit trail's take says.
TAKEN_AFTER = 60

# Archived this many days after the last word: at once (spam, a duplicate), the
# next day, or by the system after lifecycle.answered_archive_days (None).
ARCHIVED_AFTER_DAYS = (0, 1, None, None, None)
# {days}: lifecycle.answered_archive_days, as the system's own archiving says.
ARCHIVE_REASONS = (
    "no word from the customer in {days} days",
    "archived by the customer",
    "spam",
    "duplicate",
    "resolved",
)
# Notices and the audit trail are generated for the last month only.
RECENT_DAYS = 30

ESCALATION_ODDS = {
    EscalationKind.fraud: 0.03,
    EscalationKind.wmid_block: 0.006,
    EscalationKind.hacking: 0.012,
    EscalationKind.arbitration: 0.01,
    EscalationKind.hotline: 0.02,
}
# Some services see some escalations this many times as often.
ESCALATION_BOOST = {
    Service.security: {
        EscalationKind.fraud: 6,
        EscalationKind.hacking: 8,
        EscalationKind.wmid_block: 6,
        EscalationKind.hotline: 3,
    },
    Service.cards: {EscalationKind.fraud: 4, EscalationKind.hacking: 3},
    Service.transfers: {EscalationKind.fraud: 2, EscalationKind.wmid_block: 2},
    Service.arbitration: {EscalationKind.arbitration: 20, EscalationKind.fraud: 2},
}
# A block request is decided within a day; anything else within weeks.
SETTLED_WITHIN_DAYS = {EscalationKind.wmid_block: 1}
SETTLED_WITHIN_DAYS_OTHERWISE = 20
BLOCK_DECISIONS = ("approved", "approved", "rejected")

# Tiny real files, so "save a copy" has something to save.
BLOBS = [
    (
        "screenshot.png",
        "image/png",
        bytes.fromhex(
            "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
            "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082"
        ),
    ),
    ("statement.pdf", "application/pdf", b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"),
    (
        "passport.jpg",
        "image/jpeg",
        b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 32 + b"\xff\xd9",
    ),
    ("payment.txt", "text/plain", "Операция 1234567890, 15.11, 250 WMZ\n".encode()),
]
