"""`wmconsole demo`: a realistic support desk, reproducible for a seed.

Operators of every role, templates per service and language, scam markers,
and tickets in Russian and English across every service, status and
escalation, with threads, notes, attachments, block requests and audit
trails. Tickets are generated in time order and bulk-loaded (executemany on
SQLite, COPY on PostgreSQL): a million in well under two minutes.
"""

from __future__ import annotations

import hashlib
import json
import multiprocessing
import random
import time
from bisect import bisect
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from itertools import accumulate
from queue import Empty
from typing import Any

import sqlalchemy as sa

from console.demo import texts
from console.desk import Desk
from console.operations.editing import TICKET_COUNTER, record_change
from console.rules.lifecycle import CLOCK_RUNS, answer_due
from console.rules.queue_order import FAR_FUTURE, escalation_bit, queue_rank
from console.rules.tally import rebuild as rebuild_tally
from console.settings import Settings
from models import (
    EscalationKind,
    Operator,
    Role,
    ScamMarker,
    Service,
    Status,
    Template,
)

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

CHUNK = 20_000
ProgressCallback = Callable[[int, int], None]

_SERVICE_WEIGHTS = {
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
# Status odds by age in days: the desk answers most tickets within days, and
# the archive holds nearly everything older than a month.
_STATUS_BY_AGE: list[tuple[float, dict[Status, float]]] = [
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
_ARCHIVE_REASONS = (
    "no word from the customer in 14 days",
    "archived by the customer",
    "spam",
    "duplicate",
    "resolved",
)
_ESCALATION_ODDS = {
    EscalationKind.fraud: 0.03,
    EscalationKind.wmid_block: 0.006,
    EscalationKind.hacking: 0.012,
    EscalationKind.arbitration: 0.01,
    EscalationKind.hotline: 0.02,
}
_ESCALATION_BOOST = {
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
# Tiny real files, so "save a copy" has something to save.
_BLOBS = [
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


def _cumulative(weights: dict[Any, float]) -> tuple[list, list[float]]:
    return list(weights), list(accumulate(weights.values()))


@dataclass
class DemoResult:
    tickets: int = 0
    messages: int = 0
    seconds: float = 0.0
    operators: list[tuple[str, str]] = field(default_factory=list)


@dataclass
class _Batch:
    """Rows for each table, as tuples in the column order of _COLUMNS."""

    ticket: list[tuple] = field(default_factory=list)
    message: list[tuple] = field(default_factory=list)
    escalation: list[tuple] = field(default_factory=list)
    blockrequest: list[tuple] = field(default_factory=list)
    attachment: list[tuple] = field(default_factory=list)
    notice: list[tuple] = field(default_factory=list)
    auditevent: list[tuple] = field(default_factory=list)


_COLUMNS: dict[str, tuple[str, ...]] = {
    "ticket": (
        "id",
        "number",
        "service",
        "subject",
        "status",
        "customer_wmid",
        "customer_purse",
        "customer_email",
        "customer_name",
        "notice_channel",
        "language",
        "source",
        "assignee_id",
        "assigned_at",
        "created_at",
        "updated_at",
        "first_answer_due_at",
        "first_answered_at",
        "due_at",
        "last_customer_at",
        "waiting_since",
        "answered_at",
        "escalation_flags",
        "queue_rank",
        "queue_due",
        "confirm_token",
        "confirmed_at",
        "archived_at",
        "archive_reason",
        "version",
    ),
    "message": (
        "id",
        "ticket_id",
        "kind",
        "author_id",
        "channel",
        "body",
        "email_message_id",
        "created_at",
    ),
    "escalation": (
        "ticket_id",
        "kind",
        "reason",
        "set_by_id",
        "set_at",
        "cleared_by_id",
        "cleared_at",
        "clear_reason",
    ),
    "blockrequest": (
        "ticket_id",
        "wmid",
        "reason",
        "requested_by_id",
        "requested_at",
        "state",
        "decided_by_id",
        "decided_at",
        "decision_reason",
    ),
    "attachment": (
        "ticket_id",
        "message_id",
        "filename",
        "content_type",
        "size",
        "sha256",
        "refused_reason",
        "created_at",
    ),
    "notice": (
        "ticket_id",
        "message_id",
        "channel",
        "recipient",
        "kind",
        "state",
        "attempts",
        "next_attempt_at",
        "created_at",
        "sent_at",
    ),
    "auditevent": (
        "ticket_id",
        "operator_id",
        "actor",
        "action",
        "before",
        "after",
        "ticket_version",
        "at",
    ),
}


_EPOCH = datetime(1970, 1, 1)
_DAY = 86400.0


@dataclass(frozen=True)
class _Spec:
    """Everything the generator needs, picklable for the generating process."""

    seed: int
    total: int
    now: datetime
    settings: Settings
    sqlite: bool
    staff: dict[str, list[int]]
    logins: dict[int, str]
    first_id: int
    first_number: int
    first_message_id: int


@dataclass(frozen=True)
class _Customer:
    name: str
    email: str
    wmid: str | None
    purse: str | None
    lang: str


class _Generator:
    """Rows ready for the backend, generated from precomputed pools: a per-ticket
    cost of a few dozen random draws keeps a million tickets within the budget."""

    def __init__(self, spec: _Spec) -> None:
        self.rng = random.Random(spec.seed)
        self.sla = spec.settings.sla
        self.sqlite = spec.sqlite
        self.now = (spec.now.astimezone(UTC).replace(tzinfo=None) - _EPOCH).total_seconds()
        total = self.total = spec.total
        staff, first_id, first_message_id = spec.staff, spec.first_id, spec.first_message_id
        self.span = max(14, min(730, total // 1500)) * _DAY
        self.operators = staff["operator"]
        self.officers = staff["supervisor"] + staff["security"]
        self.everyone = self.operators + self.officers
        self.logins = spec.logins
        self._json_cache: dict[tuple, str] = {}
        self.first_id = self.next_id = first_id
        self.next_number = spec.first_number
        self.first_message_id = self.next_message_id = first_message_id
        self.services = _cumulative(_SERVICE_WEIGHTS)
        self.status_weights = [(limit, _cumulative(weights)) for limit, weights in _STATUS_BY_AGE]
        self.blob_digests = [hashlib.sha256(blob).hexdigest() for _, _, blob in _BLOBS]
        # Customers come back: about six tickets each over the demo's span.
        self.customers = [self._customer() for _ in range(max(200, total // 6))]
        self.first_messages = {
            (service, lang): [self._customer_text(service, lang) for _ in range(24)]
            for service in Service
            for lang in ("ru", "en")
        }
        self.follow_ups = {
            lang: [self._fill(t) for t in texts.FOLLOW_UPS[lang] * 4] for lang in ("ru", "en")
        }
        self.replies = {
            lang: [self._fill(t) for t in texts.OPERATOR_REPLIES[lang] * 4] for lang in ("ru", "en")
        }
        self.notes = [self._fill(t) for t in texts.NOTES * 4]
        self.reasons = {
            kind: [self._fill(t) for t in texts.ESCALATION_REASONS[kind.value] * 3]
            for kind in EscalationKind
        }

    # -- pools ---------------------------------------------------------------------

    def _digits(self, n: int) -> str:
        return f"{self.rng.randrange(10**n):0{n}d}"

    def _fill(self, text: str) -> str:
        if "{" not in text:
            return text
        rng = self.rng
        return text.format(
            amount=rng.choice((15, 50, 120, 250, 700, 1500, 4200)),
            purse=rng.choice("ZREUB") + self._digits(12),
            op=self._digits(10),
            name="",
        )

    def _pick(self, cumulative: tuple[list, list[float]]) -> Any:
        population, weights = cumulative
        return population[bisect(weights, self.rng.random() * weights[-1])]

    def _customer(self) -> _Customer:
        rng = self.rng
        lang = "ru" if rng.random() < 0.75 else "en"
        first, last = rng.choice(texts.FIRST_NAMES[lang]), rng.choice(texts.LAST_NAMES[lang])
        mailbox = f"{first}.{last}".lower().translate(texts.TRANSLIT)
        return _Customer(
            name=f"{first} {last}",
            email=f"{mailbox}{rng.randrange(1, 999)}@{rng.choice(texts.MAIL_DOMAINS)}",
            wmid=self._digits(12) if rng.random() < 0.7 else None,
            purse=rng.choice("ZREUB") + self._digits(12) if rng.random() < 0.5 else None,
            lang=lang,
        )

    def _customer_text(self, service: Service, lang: str) -> str:
        rng = self.rng
        problems = texts.PROBLEMS.get(service, {}).get(lang) or texts.GENERIC_PROBLEMS[lang]
        parts = [rng.choice(texts.OPENINGS[lang]), self._fill(rng.choice(problems))]
        if rng.random() < 0.4:
            parts.append(rng.choice(texts.GENERIC_PROBLEMS[lang]))
        parts.append(self._fill(rng.choice(texts.SIGNATURES[lang])))
        return "\n\n".join(parts)

    # -- values for the backend ---------------------------------------------------

    def stamp(self, seconds: float | None) -> Any:
        """A time as the backend stores it (see models.UTCDateTime)."""
        if seconds is None:
            return None
        if self.sqlite:
            return round(seconds * 1_000_000)
        return _EPOCH + timedelta(seconds=seconds)

    def _aware(self, seconds: float) -> datetime:
        return (_EPOCH + timedelta(seconds=seconds)).replace(tzinfo=UTC)

    def _seconds(self, moment: datetime | None) -> float | None:
        return None if moment is None else (moment.replace(tzinfo=None) - _EPOCH).total_seconds()

    def _json(self, **fields: Any) -> str:
        """Audit payloads repeat: each distinct one is encoded once."""
        key = tuple(fields.items())
        encoded = self._json_cache.get(key)
        if encoded is None:
            encoded = self._json_cache[key] = json.dumps(
                {k: list(v) if isinstance(v, tuple) else v for k, v in fields.items()},
                ensure_ascii=False,
            )
        return encoded

    # -- one ticket ---------------------------------------------------------------

    def _status_for(self, age_days: float, confirmed: bool) -> Status:
        rng = self.rng
        if not confirmed:
            if age_days >= 7:
                return Status.expired if rng.random() < 0.6 else Status.archived
            if rng.random() < 0.5:
                return Status.unconfirmed
        for limit, weights in self.status_weights:
            if age_days < limit:
                return self._pick(weights)
        raise AssertionError("the last age band has no limit")

    def ticket(self, created: float, batch: _Batch, hostile_subject: str | None) -> int:
        rng = self.rng
        now = self.now
        stamp = self.stamp
        ticket_id, number = self.next_id, self.next_number
        self.next_id += 1
        self.next_number += 1
        customer = rng.choice(self.customers)
        lang, wmid = customer.lang, customer.wmid
        service = self._pick(self.services)
        confirmed = wmid is not None or rng.random() < 0.85
        status = self._status_for((now - created) / _DAY, confirmed)
        if status == Status.unconfirmed:
            confirmed = False
        channel = "keeper" if wmid and rng.random() < 0.6 else "email"
        source = "form" if wmid or rng.random() < 0.6 else "email"
        subject = hostile_subject or rng.choice(texts.SUBJECTS[service][lang])
        confirmed_at = None
        if confirmed:
            confirmed_at = created if wmid else min(now, created + rng.uniform(60, 7200))
        worked = confirmed and status not in (Status.unconfirmed, Status.expired, Status.new)
        assignee = None
        if worked and not (status == Status.open and rng.random() < 0.1):
            assignee = rng.choice(self.everyone if rng.random() < 0.1 else self.operators)

        # The thread: the customer writes, an operator answers, maybe more rounds.
        t = created
        thread: list[tuple[str, int | None, float, str]] = [
            ("customer", None, t, rng.choice(self.first_messages[service, lang]))
        ]
        answered_at = first_answered_at = None
        waiting_since = confirmed_at
        # Most tickets are one question and one answer; some go back and forth.
        rounds = 0 if not worked else 1 + (rng.random() < 0.2) + (rng.random() < 0.05)
        for round_no in range(rounds):
            last_round = round_no == rounds - 1
            # Nothing in the thread happens after now: a later answer is still to come.
            reply_at = t + rng.uniform(300, 36000)
            if reply_at > now:
                break
            t = reply_at
            if rng.random() < 0.06:
                thread.append(("note", assignee, t, rng.choice(self.notes)))
            if last_round and status in (Status.open, Status.on_hold) and rng.random() < 0.5:
                break
            thread.append(
                (
                    "operator",
                    assignee or rng.choice(self.operators),
                    t,
                    rng.choice(self.replies[lang]),
                )
            )
            answered_at = t
            first_answered_at = first_answered_at or t
            waiting_since = None
            if not last_round or status in (Status.open, Status.on_hold):
                follow_up_at = t + rng.uniform(1800, 120000)
                if follow_up_at > now:
                    if status in (Status.open, Status.on_hold):
                        status = Status.answered
                    break
                t = follow_up_at
                thread.append(("customer", None, t, rng.choice(self.follow_ups[lang])))
                waiting_since = t
        if status == Status.answered and answered_at is None:
            status = Status.open
        if status not in CLOCK_RUNS:
            waiting_since = None
        elif waiting_since is None:
            waiting_since = confirmed_at or created

        # Escalations: rare, likelier for some services; cleared once archived.
        escalations: list[tuple[EscalationKind, float, bool]] = []
        boost = _ESCALATION_BOOST.get(service)
        for kind, odds in _ESCALATION_ODDS.items():
            if rng.random() < odds * (boost.get(kind, 1) if boost else 1):
                set_at = min(now, created + rng.uniform(60, 5400))
                # A block request is decided within hours; anything else within weeks.
                settled = (now - set_at) > (
                    _DAY if kind == EscalationKind.wmid_block else 20 * _DAY
                )
                cleared = (
                    settled or status in (Status.archived, Status.expired) or rng.random() < 0.15
                )
                escalations.append((kind, set_at, cleared))
        flags = 0
        for kind, _, cleared in escalations:
            if not cleared:
                flags |= escalation_bit(kind)

        due_at = first_answer_due = None
        if status in (Status.new, Status.open, Status.on_hold):
            due_at = self._seconds(
                answer_due(
                    self.sla,
                    status=status,
                    waiting_since=self._aware(waiting_since),
                    first_answered=first_answered_at is not None,
                    escalations=[
                        (k, self._aware(s)) for k, s, cleared in escalations if not cleared
                    ],
                )
            )
        if confirmed_at is not None and (status in (Status.new, Status.open) or first_answered_at):
            first_answer_due = self._seconds(
                self.sla.answer_due(self._aware(confirmed_at), first=True)
            )
        archived_at = archive_reason = None
        if status == Status.archived:
            archived_at = min(now, t + rng.choice((0, 1, 14, 14, 14)) * _DAY)
            archive_reason = rng.choice(_ARCHIVE_REASONS)
        last_customer = max(m[2] for m in thread if m[0] == "customer")
        token = None if confirmed else hashlib.sha256(f"{number}".encode()).hexdigest()[:32]
        batch.ticket.append(
            (
                ticket_id,
                number,
                service.value,
                subject,
                status.value,
                wmid,
                customer.purse,
                customer.email,
                customer.name,
                channel,
                lang,
                source,
                assignee,
                # As the audit trail's take says.
                stamp(min(created + 60, now)) if assignee is not None else None,
                stamp(created),
                stamp(t),
                stamp(first_answer_due),
                stamp(first_answered_at),
                stamp(due_at),
                stamp(last_customer),
                stamp(waiting_since),
                stamp(answered_at),
                flags,
                queue_rank(status, flags),
                stamp(due_at) if due_at else self.far_future,
                token,
                stamp(confirmed_at),
                stamp(archived_at),
                archive_reason,
                1 + len(thread) + len(escalations),
            )
        )

        recent = now - created < 30 * _DAY
        for kind, author, at, body in thread:
            message_id = self.next_message_id
            self.next_message_id += 1
            at_value = stamp(at)
            batch.message.append(
                (
                    message_id,
                    ticket_id,
                    kind,
                    author,
                    source if kind == "customer" else "console",
                    body,
                    None,
                    at_value,
                )
            )
            if kind == "customer" and rng.random() < 0.04:
                index = rng.randrange(len(_BLOBS))
                filename, content_type, blob = _BLOBS[index]
                batch.attachment.append(
                    (
                        ticket_id,
                        message_id,
                        filename,
                        content_type,
                        len(blob),
                        self.blob_digests[index],
                        None,
                        at_value,
                    )
                )
            if kind == "operator" and recent:
                recipient = wmid if channel == "keeper" else customer.email
                batch.notice.append(
                    (
                        ticket_id,
                        message_id,
                        channel,
                        recipient,
                        "answer",
                        "sent",
                        1,
                        at_value,
                        at_value,
                        at_value,
                    )
                )
        escalated_by = []
        for kind, set_at, cleared in escalations:
            reason = rng.choice(self.reasons[kind])
            setter = assignee or rng.choice(self.operators)
            escalated_by.append((kind, setter, set_at))
            cleared_at = min(now, set_at + rng.uniform(3600, 172800)) if cleared else None
            batch.escalation.append(
                (
                    ticket_id,
                    kind.value,
                    reason,
                    setter,
                    stamp(set_at),
                    rng.choice(self.officers) if cleared else None,
                    stamp(cleared_at),
                    "resolved" if cleared else None,
                )
            )
            if kind == EscalationKind.wmid_block:
                state = rng.choice(("approved", "approved", "rejected")) if cleared else "requested"
                decider = rng.choice([o for o in self.officers if o != setter]) if cleared else None
                batch.blockrequest.append(
                    (
                        ticket_id,
                        self._digits(12),
                        reason,
                        setter,
                        stamp(set_at),
                        state,
                        decider,
                        stamp(cleared_at),
                        None,
                    )
                )
        if recent:
            self._audit(
                batch,
                ticket_id,
                status,
                assignee,
                created,
                [(author, at) for kind, author, at, _ in thread if kind == "operator"],
                escalated_by,
                channel,
                service,
            )
        return len(thread)

    def _audit(
        self,
        batch: _Batch,
        ticket_id: int,
        status: Status,
        assignee: int | None,
        created: float,
        replies: list[tuple[int, float]],
        escalations: list[tuple[EscalationKind, int, float]],
        channel: str,
        service: Service,
    ) -> None:
        first_status = "new" if status != Status.unconfirmed else "unconfirmed"
        json_of = self._json
        events = [
            (
                None,
                "customer",
                "create",
                None,
                json_of(status=first_status, service=service.value, notice_channel=channel),
                created,
            )
        ]
        if assignee is not None:
            events.append(
                (
                    assignee,
                    "operator",
                    "take",
                    json_of(status="new", assignee=None),
                    json_of(status="open", assignee=self.logins[assignee]),
                    created + 60,
                )
            )
        for author, at in replies:
            events.append(
                (
                    author,
                    "operator",
                    "reply",
                    json_of(status="open"),
                    json_of(status="answered"),
                    at,
                )
            )
        for kind, setter, set_at in escalations:
            events.append(
                (
                    setter,
                    "operator",
                    "escalate",
                    json_of(escalations=()),
                    json_of(escalations=(kind.value,)),
                    set_at,
                )
            )
        events.sort(key=lambda event: event[-1])
        for version, (operator, actor, action, before, after, at) in enumerate(events, start=1):
            batch.auditevent.append(
                (ticket_id, operator, actor, action, before, after, version, self.stamp(at))
            )

    @property
    def far_future(self) -> Any:
        # Exact integer arithmetic: a float of the year 9999 in microseconds is not.
        moment = FAR_FUTURE.replace(tzinfo=None)
        return (moment - _EPOCH) // timedelta(microseconds=1) if self.sqlite else moment

    def batches(self) -> Iterator[tuple[_Batch, int]]:
        """Tickets in time order, oldest first, in batches of CHUNK."""
        rng = self.rng
        offsets = sorted(rng.random() * self.span for _ in range(self.total))
        start = self.now - self.span
        hostile_at = {
            self.total - 1 - i: subject
            for i, subject in enumerate(texts.HOSTILE_SUBJECTS)
            if self.total > 50
        }
        done = 0
        while done < self.total:
            batch = _Batch()
            messages = 0
            for i in range(done, min(done + CHUNK, self.total)):
                messages += self.ticket(start + offsets[i], batch, hostile_at.get(i))
            done += len(batch.ticket)
            yield batch, messages


def _produce(spec: _Spec, queue: multiprocessing.Queue) -> None:
    try:
        for item in _Generator(spec).batches():
            queue.put(item)
        queue.put(None)
    except BaseException as error:
        queue.put(error)
        raise


def _next_batch(queue: multiprocessing.Queue, process: multiprocessing.Process) -> Any:
    """The next batch, or an error if the generating process died without a word."""
    while True:
        try:
            return queue.get(timeout=1.0)
        except Empty:
            if not process.is_alive():
                raise RuntimeError(
                    f"the demo generator stopped unexpectedly (exit code {process.exitcode})"
                ) from None


def _batches(spec: _Spec) -> Iterator[tuple[_Batch, int]]:
    """Generated in a second process when the load is big: the two cores then
    generate and insert at once."""
    if spec.total <= 2 * CHUNK:
        yield from _Generator(spec).batches()
        return
    context = multiprocessing.get_context("spawn")
    queue = context.Queue(maxsize=3)
    process = context.Process(target=_produce, args=(spec, queue), daemon=True)
    process.start()
    try:
        while (item := _next_batch(queue, process)) is not None:
            if isinstance(item, BaseException):
                raise item
            yield item
        process.join()
    finally:
        if process.is_alive():
            process.terminate()


def _ensure_staff(desk: Desk) -> tuple[dict[str, list[int]], dict[int, str]]:
    with desk.db.write() as session:
        existing = {o.login: o for o in session.execute(sa.select(Operator)).scalars()}
        for login, name, role in DEMO_OPERATORS:
            if login not in existing:
                operator = Operator(login=login, name=name, role=role, created_at=desk.now())
                session.add(operator)
                existing[login] = operator
        session.flush()
        staff: dict[str, list[int]] = {role.value: [] for role in Role}
        for login, _, role in DEMO_OPERATORS:
            staff[role.value].append(existing[login].id)
        record_change(session, desk, "operator", None)
        return staff, {operator.id: login for login, operator in existing.items()}


def _ensure_material(desk: Desk, supervisor_id: int) -> None:
    with desk.db.write() as session:
        titles = set(session.execute(sa.select(Template.title)).scalars())
        for service, language, title, body in texts.TEMPLATES:
            if title not in titles:
                session.add(
                    Template(
                        service=service,
                        language=language,
                        title=title,
                        body=body,
                        updated_by_id=supervisor_id,
                        updated_at=desk.now(),
                    )
                )
        patterns = set(session.execute(sa.select(ScamMarker.pattern)).scalars())
        for pattern, is_regex, description in texts.SCAM_MARKERS:
            if pattern not in patterns:
                session.add(
                    ScamMarker(
                        pattern=pattern,
                        is_regex=is_regex,
                        description=description,
                        created_by_id=supervisor_id,
                        created_at=desk.now(),
                    )
                )
        for _, _, blob in _BLOBS:
            digest = hashlib.sha256(blob).hexdigest()
            exists = session.execute(
                sa.text("SELECT 1 FROM attachmentcontent WHERE sha256 = :d"), {"d": digest}
            ).first()
            if not exists:
                session.execute(
                    sa.text(
                        "INSERT INTO attachmentcontent (sha256, size, data) VALUES (:d, :s, :b)"
                    ),
                    {"d": digest, "s": len(blob), "b": blob},
                )
        record_change(session, desk, "template", None)


def _insert_rows(raw, table: str, rows: list[tuple]) -> None:
    columns = _COLUMNS[table]
    statement = (
        f"INSERT INTO {table} ({', '.join(columns)}) "  # noqa: S608  (fixed names)
        f"VALUES ({', '.join('?' * len(columns))})"
    )
    raw.executemany(statement, rows)


def _copy_rows(raw, table: str, rows: list[tuple]) -> None:
    with (
        raw.cursor() as cursor,
        cursor.copy(f"COPY {table} ({', '.join(_COLUMNS[table])}) FROM STDIN") as copy,
    ):
        for row in rows:
            copy.write_row(row)


def _secondary_structures(raw, sqlite: bool, *, indexes: bool) -> list[tuple[str, str]]:
    """(name, DDL) of what slows a bulk load: the search triggers on SQLite and,
    for a load larger than what is there, the ticket and message indexes,
    which are faster rebuilt in one sort than grown row by row."""
    if sqlite:
        kinds = "('trigger', 'index')" if indexes else "('trigger')"
        rows = raw.execute(
            f"SELECT type || ' ' || name, sql FROM sqlite_master WHERE type IN {kinds} "  # noqa: S608
            "AND tbl_name IN ('ticket', 'message') AND sql IS NOT NULL "
            "AND name NOT LIKE '%search_update'"
        ).fetchall()
        return [(name, sql) for name, sql in rows]
    if not indexes:
        return []
    with raw.cursor() as cursor:
        cursor.execute(
            "SELECT 'index ' || indexname, indexdef FROM pg_indexes "
            "WHERE tablename IN ('ticket', 'message') AND indexname NOT LIKE 'pk_%' "
            "AND indexname NOT LIKE 'uq_%'"
        )
        return list(cursor.fetchall())


def _index_for_search(raw, batch: _Batch) -> None:
    raw.execute(
        "INSERT INTO ticket_search(rowid, subject, customer_name, customer_email, "
        "customer_wmid, customer_purse) SELECT id, subject, customer_name, "
        "customer_email, customer_wmid, customer_purse FROM ticket WHERE id BETWEEN ? AND ?",
        (batch.ticket[0][0], batch.ticket[-1][0]),
    )
    raw.execute(
        "INSERT INTO message_search(rowid, body) SELECT id, body FROM message "
        "WHERE id BETWEEN ? AND ?",
        (batch.message[0][0], batch.message[-1][0]),
    )


def _bulk_load(
    desk: Desk,
    spec: _Spec,
    result: DemoResult,
    progress: ProgressCallback | None,
    rebuild_indexes: bool,
) -> None:
    """The whole load is one transaction: a killed load leaves nothing behind,
    not even a dropped index."""
    sqlite = desk.db.is_sqlite
    raw = desk.db.engine.raw_connection()
    try:
        if sqlite:
            # The generated rows are valid by construction; checking every enum
            # CHECK and foreign key would double the load time.
            raw.execute("PRAGMA cache_size = -262144")
            raw.execute("PRAGMA foreign_keys = OFF")
            raw.execute("PRAGMA ignore_check_constraints = ON")
            raw.execute("BEGIN IMMEDIATE")
        structures = _secondary_structures(raw, sqlite, indexes=rebuild_indexes)
        for name, _ in structures:
            kind, _, bare = name.partition(" ")
            raw.execute(f"DROP {kind.upper()} {bare}")
        insert = _insert_rows if sqlite else _copy_rows
        for batch, messages in _batches(spec):
            for table in _COLUMNS:
                rows = getattr(batch, table)
                if rows:
                    insert(raw, table, rows)
            if sqlite:
                # While this indexes, the other process generates the next batch.
                _index_for_search(raw, batch)
            result.tickets += len(batch.ticket)
            result.messages += messages
            if progress:
                progress(result.tickets, spec.total)
        if not sqlite and structures:
            # Index builds sort in memory when they may: far faster than spilling.
            raw.execute("SET LOCAL maintenance_work_mem = '512MB'")
        for _, ddl in structures:
            raw.execute(ddl)
        if sqlite:
            # A bulk load leaves the search indexes in thousands of small segments,
            # and every later write would pay to merge them: merge them now.
            for index in ("ticket_search", "message_search"):
                raw.execute(f"INSERT INTO {index}({index}) VALUES ('optimize')")  # noqa: S608
        raw.commit()
    except BaseException:
        raw.rollback()
        raise
    finally:
        if sqlite:
            raw.execute("PRAGMA foreign_keys = ON")
            raw.execute("PRAGMA ignore_check_constraints = OFF")
        raw.close()


def _start_ids(desk: Desk) -> tuple[int, int, int, int]:
    with desk.db.read() as session:
        ticket_id, existing = session.execute(
            sa.text("SELECT coalesce(max(id), 0) + 1, count(*) FROM ticket")
        ).one()
        message_id = session.execute(
            sa.text("SELECT coalesce(max(id), 0) + 1 FROM message")
        ).scalar()
        number = session.execute(
            sa.text("SELECT value + 1 FROM counter WHERE name = :n"), {"n": TICKET_COUNTER}
        ).scalar()
    return ticket_id, number, message_id, existing


def load_demo(
    desk: Desk, *, tickets: int, seed: int, progress: ProgressCallback | None = None
) -> DemoResult:
    started = time.perf_counter()
    staff, logins = _ensure_staff(desk)
    _ensure_material(desk, staff["supervisor"][0])
    first_id, first_number, first_message_id, existing = _start_ids(desk)
    spec = _Spec(
        seed=seed,
        total=tickets,
        now=desk.now(),
        settings=desk.settings,
        sqlite=desk.db.is_sqlite,
        staff=staff,
        logins=logins,
        first_id=first_id,
        first_number=first_number,
        first_message_id=first_message_id,
    )
    result = DemoResult(operators=[(login, role.value) for login, _, role in DEMO_OPERATORS])
    if tickets:
        _bulk_load(desk, spec, result, progress, rebuild_indexes=tickets > existing)
    with desk.db.write_connection() as connection:
        connection.execute(
            sa.text("UPDATE counter SET value = value + :n WHERE name = :name"),
            {"n": result.tickets, "name": TICKET_COUNTER},
        )
        if desk.db.is_postgres:
            for table in ("ticket", "message"):
                connection.execute(
                    sa.text(
                        f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "  # noqa: S608
                        f"(SELECT coalesce(max(id), 1) FROM {table}))"
                    )
                )
        rebuild_tally(connection)
    with desk.db.write() as session:
        record_change(session, desk, "demo", None)
    with desk.db.engine.connect() as connection:
        if desk.db.is_postgres:
            connection = connection.execution_options(isolation_level="AUTOCOMMIT")
        if desk.db.is_sqlite:
            # Statistics from a sample: exact ones over a million rows cost seconds.
            connection.exec_driver_sql("PRAGMA analysis_limit = 2000")
        connection.exec_driver_sql("ANALYZE")
        connection.commit()
    result.seconds = time.perf_counter() - started
    return result
