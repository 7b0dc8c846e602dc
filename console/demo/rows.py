"""A generated ticket as rows for the backend: the ticket with what the domain's
rules derive from it (the answer clock, escalation flags, the queue's order),
its messages with the odd attachment and the answer notices, its escalations
and block requests, and the audit trail the operations would have written."""

from __future__ import annotations

import hashlib
import json
import random
from dataclasses import dataclass, field, fields
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlmodel import SQLModel

import models.tables  # noqa: F401  (registers the tables on SQLModel.metadata)
from console.demo import odds
from console.demo.pools import Customer, Pools, digits
from console.rules.lifecycle import answer_due
from console.rules.queue_order import flags_of, queue_due, queue_rank
from models import EscalationKind, Service, Status

if TYPE_CHECKING:
    from console.demo.tickets import Spec

_EPOCH = datetime(1970, 1, 1)
_EPOCH_UTC = _EPOCH.replace(tzinfo=UTC)
_MICROSECOND = timedelta(microseconds=1)
DAY = 86400.0
# The generator numbers tickets and messages itself (other rows point at them);
# the database numbers the rest.
_NUMBERED_HERE = frozenset({"ticket", "message"})

# (kind, author id, at, body)
Entry = tuple[str, int | None, float, str]


@dataclass
class Batch:
    """Rows for each table, as tuples in the table's column order (COLUMNS)."""

    ticket: list[tuple] = field(default_factory=list)
    message: list[tuple] = field(default_factory=list)
    escalation: list[tuple] = field(default_factory=list)
    blockrequest: list[tuple] = field(default_factory=list)
    attachment: list[tuple] = field(default_factory=list)
    notice: list[tuple] = field(default_factory=list)
    auditevent: list[tuple] = field(default_factory=list)


def _columns(table: str) -> tuple[str, ...]:
    return tuple(
        column.key
        for column in SQLModel.metadata.tables[table].c
        if column.key != "id" or table in _NUMBERED_HERE
    )


# The tables in the order they are loaded (each row's references first), with
# the columns the generated rows fill: the model's own, in its order.
COLUMNS: dict[str, tuple[str, ...]] = {table.name: _columns(table.name) for table in fields(Batch)}


@dataclass(slots=True)
class Story:
    """One ticket as it is generated; times are seconds since 1970."""

    ticket_id: int
    number: int
    created: float
    customer: Customer
    service: Service
    status: Status
    confirmed: bool
    confirmed_at: float | None
    worked: bool
    channel: str
    source: str
    subject: str
    assignee: int | None
    thread: list[Entry]
    # The last thing that happened; the customer's earliest unanswered message.
    last_at: float = 0.0
    waiting_since: float | None = None
    answered_at: float | None = None
    first_answered_at: float | None = None
    # (kind, set at, cleared)
    escalations: list[tuple[EscalationKind, float, bool]] = field(default_factory=list)


def moment(seconds: float | None) -> datetime | None:
    """Seconds since 1970 as the moment the domain's rules take."""
    return None if seconds is None else _EPOCH_UTC + timedelta(seconds=seconds)


class RowWriter:
    """Writes each story's rows into a batch, drawing what only the rows need
    (archiving, attachments, who cleared an escalation) from the generator's
    random source, after the story's own draws."""

    def __init__(self, rng: random.Random, pools: Pools, spec: Spec, now: float) -> None:
        self.rng, self.pools, self.now, self.sqlite = rng, pools, now, spec.sqlite
        self.sla = spec.settings.sla
        self.operators = spec.staff["operator"]
        self.officers = spec.staff["supervisor"] + spec.staff["security"]
        self.logins = spec.logins
        self.next_message_id = spec.first_message_id
        self.mail_domain = spec.settings.smtp_domain
        archive_days = spec.settings.lifecycle_answered_archive_days
        self.archived_after = [archive_days if d is None else d for d in odds.ARCHIVED_AFTER_DAYS]
        self.archive_reasons = [reason.format(days=archive_days) for reason in odds.ARCHIVE_REASONS]
        self.blob_digests = [hashlib.sha256(blob).hexdigest() for _, _, blob in odds.BLOBS]
        self._json_cache: dict[tuple, str] = {}
        # What a take, a reply and an escalation change, as the audit records it.
        self._before_take = self._json(status="new", assignee=None)
        self._before_reply = self._json(status="open")
        self._after_reply = self._json(status="answered")
        self._before_escalation = self._json(escalations=())

    def stamp(self, seconds: float | None) -> Any:
        """A time as the backend stores it (see models.UTCDateTime)."""
        if seconds is None:
            return None
        if self.sqlite:
            return round(seconds * 1_000_000)
        return _EPOCH + timedelta(seconds=seconds)

    def stamp_moment(self, at: datetime | None) -> Any:
        """A time the domain's rules gave (in UTC), as the backend stores it: in
        exact integer arithmetic, which a float of the far future is not."""
        if at is None:
            return None
        return (at - _EPOCH_UTC) // _MICROSECOND if self.sqlite else at.replace(tzinfo=None)

    def _json(self, **values: Any) -> str:
        """Audit payloads repeat: each distinct one is encoded once."""
        key = tuple(values.items())
        encoded = self._json_cache.get(key)
        if encoded is None:
            encoded = self._json_cache[key] = json.dumps(
                {k: list(v) if isinstance(v, tuple) else v for k, v in values.items()},
                ensure_ascii=False,
            )
        return encoded

    def write(self, story: Story, batch: Batch) -> None:
        batch.ticket.append(self._ticket(story))
        recent = self.now - story.created < odds.RECENT_DAYS * DAY
        self._thread(story, batch, notices=recent)
        escalated_by = self._escalations(story, batch)
        if recent:
            self._audit(story, escalated_by, batch)

    def _clock(
        self, story: Story, still_open: list[tuple[EscalationKind, float]]
    ) -> tuple[datetime | None, datetime | None]:
        """(first answer due, next answer due) by the SLA rules."""
        status = story.status
        due = None
        if story.waiting_since is not None:
            due = answer_due(
                self.sla,
                status=status,
                waiting_since=moment(story.waiting_since),
                first_answered=story.first_answered_at is not None,
                escalations=[(kind, moment(set_at)) for kind, set_at in still_open],
            )
        first_due = None
        if story.confirmed_at is not None and (
            status in (Status.new, Status.open) or story.first_answered_at
        ):
            first_due = self.sla.answer_due(moment(story.confirmed_at), first=True)
        return first_due, due

    def _ticket(self, story: Story) -> tuple:
        rng, now, stamp, status = self.rng, self.now, self.stamp, story.status
        still_open = [(kind, set_at) for kind, set_at, cleared in story.escalations if not cleared]
        flags = flags_of(kind for kind, _ in still_open)
        first_due, due = self._clock(story, still_open)
        archived_at = archive_reason = None
        if status == Status.archived:
            archived_at = min(now, story.last_at + rng.choice(self.archived_after) * DAY)
            archive_reason = rng.choice(self.archive_reasons)
        customer, assignee = story.customer, story.assignee
        token = None
        if not story.confirmed:
            token = hashlib.sha256(f"{story.number}".encode()).hexdigest()[:32]
        taken_at = min(story.created + odds.TAKEN_AFTER, now) if assignee is not None else None
        last_customer = max(at for kind, _, at, _ in story.thread if kind == "customer")
        return (
            story.ticket_id,
            story.number,
            story.service.value,
            story.subject,
            status.value,
            customer.wmid,
            customer.purse,
            customer.email,
            customer.name,
            customer.phone,
            story.channel,
            customer.lang,
            story.source,
            assignee,
            stamp(taken_at),
            stamp(story.created),
            stamp(story.last_at),
            self.stamp_moment(first_due),
            stamp(story.first_answered_at),
            self.stamp_moment(due),
            stamp(last_customer),
            stamp(story.waiting_since),
            stamp(story.answered_at),
            flags,
            queue_rank(status, flags),
            self.stamp_moment(queue_due(due)),
            token,
            stamp(story.confirmed_at),
            stamp(archived_at),
            archive_reason,
            1 + len(story.thread) + len(story.escalations),
        )

    def _thread(self, story: Story, batch: Batch, *, notices: bool) -> None:
        """The messages, a customer's attachment now and then, and (when asked)
        the answer notices that went out, sent as they were written."""
        rng, ticket_id, customer = self.rng, story.ticket_id, story.customer
        recipient = customer.wmid if story.channel == "keeper" else customer.email
        for kind, author, at, body in story.thread:
            message_id = self.next_message_id
            self.next_message_id += 1
            at_value = self.stamp(at)
            channel = story.source if kind == "customer" else "console"
            batch.message.append(
                (message_id, ticket_id, kind, author, channel, body, None, at_value)
            )
            if kind == "customer" and rng.random() < odds.ATTACHMENT:
                index = rng.randrange(len(odds.BLOBS))
                name, content_type, blob = odds.BLOBS[index]
                digest, size = self.blob_digests[index], len(blob)
                batch.attachment.append(
                    (ticket_id, message_id, name, content_type, size, digest, None, at_value)
                )
            if kind == "operator" and notices:
                sent = (1, at_value, None, self._notice_id(message_id), at_value, at_value)
                batch.notice.append(
                    (ticket_id, message_id, story.channel, recipient, "answer", "sent", *sent)
                )

    def _notice_id(self, message_id: int) -> str:
        """A sent notice's Message-ID, as the outbox fixes one: the same for the
        same seed (not drawn, so the other rows stay as they were)."""
        digest = hashlib.sha256(f"demo notice {message_id}".encode()).hexdigest()[:32]
        return f"<{digest}@{self.mail_domain}>"

    def _escalations(self, story: Story, batch: Batch) -> list[tuple[EscalationKind, int, float]]:
        """Each escalation with who set and cleared it, a WMID block with its
        request; returns (kind, set by, set at) for the audit trail."""
        rng, now, stamp, ticket_id = self.rng, self.now, self.stamp, story.ticket_id
        escalated_by = []
        for kind, set_at, cleared in story.escalations:
            reason = rng.choice(self.pools.reasons[kind])
            setter = story.assignee or rng.choice(self.operators)
            escalated_by.append((kind, setter, set_at))
            cleared_at = min(now, set_at + rng.uniform(*odds.CLEARED_AFTER)) if cleared else None
            cleared_by = rng.choice(self.officers) if cleared else None
            set_by = (ticket_id, kind.value, reason, setter, stamp(set_at))
            clear_reason = "resolved" if cleared else None
            batch.escalation.append((*set_by, cleared_by, stamp(cleared_at), clear_reason))
            if kind != EscalationKind.wmid_block:
                continue
            state, decider = "requested", None
            if cleared:
                state = rng.choice(odds.BLOCK_DECISIONS)
                decider = rng.choice([o for o in self.officers if o != setter])
            requested = (ticket_id, digits(rng, 12), reason, setter, stamp(set_at))
            batch.blockrequest.append((*requested, state, decider, stamp(cleared_at), None))
        return escalated_by

    def _audit(
        self, story: Story, escalated_by: list[tuple[EscalationKind, int, float]], batch: Batch
    ) -> None:
        """Created, taken, each reply and escalation, in time order."""
        first_status = "new" if story.status != Status.unconfirmed else "unconfirmed"
        created = self._json(
            status=first_status, service=story.service.value, notice_channel=story.channel
        )
        events = [(None, "customer", "create", None, created, story.created)]
        if story.assignee is not None:
            taken = self._json(status="open", assignee=self.logins[story.assignee])
            at = story.created + odds.TAKEN_AFTER
            events.append((story.assignee, "operator", "take", self._before_take, taken, at))
        events += [
            (author, "operator", "reply", self._before_reply, self._after_reply, at)
            for kind, author, at, _ in story.thread
            if kind == "operator"
        ]
        events += [
            (setter, "operator", "escalate", self._before_escalation, self._escalated(kind), at)
            for kind, setter, at in escalated_by
        ]
        events.sort(key=lambda event: event[-1])
        for version, (operator, actor, action, before, after, at) in enumerate(events, start=1):
            batch.auditevent.append(
                (story.ticket_id, operator, actor, action, before, after, version, self.stamp(at))
            )

    def _escalated(self, kind: EscalationKind) -> str:
        return self._json(escalations=(kind.value,))
