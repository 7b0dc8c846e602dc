"""The desk at a glance: the numbers behind the supervisor's dashboard and
`wmconsole stats` (JSON for scripts, Prometheus text for a node exporter).

Everything here is read from small or indexed places, so a refresh stays well
under a second at a million tickets: the ticket tally for open work and load,
the due-time index for SLA, the audit log's time index for inflow, answers
and who did what today.
"""

from __future__ import annotations

import statistics
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import sqlalchemy as sa

from console.desk import Desk
from console.json_values import json_value
from console.reads.blocks import BlockRequestView, list_block_requests
from console.reads.live_work import live_total, live_work
from console.rules.queue_order import flags_of, kinds_of
from console.rules.tally import tally_cells
from console.rules.tally_key import UNASSIGNED
from models import (
    ACTIVE_STATUSES,
    AuditEvent,
    EscalationKind,
    Operator,
    Service,
    Status,
    Ticket,
)

HOUR = timedelta(hours=1)
DAY = timedelta(days=1)
OLDEST_SHOWN = 10


@dataclass(frozen=True)
class OperatorLoad:
    login: str
    name: str
    role: str
    active: bool
    held: int
    answered_today: int
    median_first_answer_seconds: float | None
    last_action_at: datetime | None
    oldest_held_waiting_since: datetime | None
    # As the queue's held-too-long flag counts: from the later of the take and
    # the customer's unanswered message, for the longest-held of their tickets.
    held_longest_since: datetime | None


@dataclass(frozen=True)
class WaitingTicket:
    number: int
    subject: str
    service: str
    status: str
    assignee: str | None
    waiting_since: datetime
    due_at: datetime | None
    escalations: list[str]


@dataclass(frozen=True)
class Bucket:
    start: datetime
    created: int
    answered: int


@dataclass(frozen=True)
class DeskStats:
    at: datetime
    open_work: dict[str, dict[str, int]]
    breached: dict[str, int]
    breaching_soon: dict[str, int]
    block_requests: list[BlockRequestView]
    escalations: dict[str, int]
    operators: list[OperatorLoad]
    hourly: list[Bucket]
    daily: list[Bucket]
    oldest_waiting: list[WaitingTicket] = field(default_factory=list)

    @property
    def open_total(self) -> int:
        return live_total(self.open_work)

    @property
    def waiting_total(self) -> int:
        """The work waiting for the desk: new, open and on hold (not answered)."""
        return self.open_total - self.answered_total

    @property
    def answered_total(self) -> int:
        """Answered, the customer's turn."""
        return sum(row.get(Status.answered.value, 0) for row in self.open_work.values())

    def as_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["block_requests"] = [request.as_json() for request in self.block_requests]
        data["open_total"] = self.open_total
        data["breached_total"] = sum(self.breached.values())
        data["breaching_soon_total"] = sum(self.breaching_soon.values())
        return json_value(data)


@dataclass(frozen=True)
class Holder:
    """Someone who may be given tickets, with how many live ones they hold now."""

    login: str
    name: str
    role: str
    held: int


def holders(desk: Desk) -> list[Holder]:
    """Active people, least loaded first: whom a supervisor may give tickets to.
    Read from the tally, so it costs the same at a million tickets."""
    active = {status.value for status in ACTIVE_STATUSES}
    with desk.db.connect() as connection:
        held: Counter[int] = Counter()
        for status, _service, assignee_id, _flags, tickets in tally_cells(connection):
            if status in active and assignee_id != UNASSIGNED:
                held[assignee_id] += tickets
        people = connection.execute(
            sa.select(Operator.id, Operator.login, Operator.name, Operator.role).where(
                Operator.active
            )
        ).all()
    found = [Holder(login, name, role.value, held[id_]) for id_, login, name, role in people]
    return sorted(found, key=lambda holder: (holder.held, holder.login))


def desk_stats(desk: Desk) -> DeskStats:
    now = desk.now()
    today = _day_start(now)
    with desk.db.connect() as connection:
        open_work, escalations, held = live_work(tally_cells(connection))
        breached, soon = _sla_by_service(connection, desk, now)
        loads = _operator_loads(connection, held, today)
        hourly = _buckets(
            connection, desk, first=_hour_start(now) - 23 * HOUR, width=HOUR, count=24
        )
        daily = _buckets(connection, desk, first=today - 6 * DAY, width=DAY, count=7)
        oldest = _oldest_waiting(connection, limit=OLDEST_SHOWN)
    return DeskStats(
        at=now,
        open_work=open_work,
        breached=breached,
        breaching_soon=soon,
        block_requests=list_block_requests(desk.db, pending_only=True),
        escalations={kind.value: escalations[kind.value] for kind in EscalationKind},
        operators=loads,
        hourly=hourly,
        daily=daily,
        oldest_waiting=oldest,
    )


def _operator_loads(
    connection: sa.Connection, held: Counter[int], today: datetime
) -> list[OperatorLoad]:
    """Everyone, busiest first: what they hold, answered today and how fast,
    when they last acted, and how long their longest-held ticket has waited."""
    operators = connection.execute(
        sa.select(Operator.id, Operator.login, Operator.name, Operator.role, Operator.active)
    ).all()
    activity = _operator_activity(connection, since=today - 6 * DAY, today=today)
    first_answers = _first_answers_today(connection, today)
    oldest_held = _oldest_held(connection)
    loads = [
        OperatorLoad(
            login=login,
            name=name,
            role=role.value,
            active=active_flag,
            held=held[operator_id],
            answered_today=activity.get(operator_id, (None, 0))[1],
            median_first_answer_seconds=(
                statistics.median(first_answers[operator_id])
                if first_answers.get(operator_id)
                else None
            ),
            last_action_at=activity.get(operator_id, (None, 0))[0],
            oldest_held_waiting_since=oldest_held.get(operator_id, (None, None))[0],
            held_longest_since=oldest_held.get(operator_id, (None, None))[1],
        )
        for operator_id, login, name, role, active_flag in operators
    ]
    return sorted(loads, key=lambda load: (-load.held, load.login))


def _hour_start(moment: datetime) -> datetime:
    return moment.astimezone(UTC).replace(minute=0, second=0, microsecond=0)


def _day_start(moment: datetime) -> datetime:
    return moment.astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0)


def _bucket_start(desk: Desk, column: sa.ColumnElement, width: timedelta) -> sa.ColumnElement:
    """Seconds since 1970 at the start of the hour or day `column` falls in."""
    seconds = int(width.total_seconds())
    if desk.db.is_sqlite:
        # models.UTCDateTime keeps SQLite times as integer microseconds.
        micros = sa.type_coerce(column, sa.BigInteger)
        return micros // (seconds * 1_000_000) * seconds
    return sa.cast(sa.func.floor(sa.extract("epoch", column) / seconds) * seconds, sa.BigInteger)


def _buckets(
    connection: sa.Connection, desk: Desk, *, first: datetime, width: timedelta, count: int
) -> list[Bucket]:
    """Tickets opened and answers sent per hour or day, oldest bucket first."""
    start = _bucket_start(desk, AuditEvent.at, width)
    rows = connection.execute(
        sa.select(start, AuditEvent.action, sa.func.count())
        .where(AuditEvent.at >= first, AuditEvent.action.in_(("create", "reply")))
        .group_by(start, AuditEvent.action)
    ).all()
    created: Counter[int] = Counter()
    answered: Counter[int] = Counter()
    for epoch, action, tickets in rows:
        (created if action == "create" else answered)[int(epoch)] += tickets
    buckets = []
    for i in range(count):
        moment = first + i * width
        epoch = int(moment.timestamp())
        buckets.append(Bucket(moment, created[epoch], answered[epoch]))
    return buckets


def _operator_activity(
    connection: sa.Connection, *, since: datetime, today: datetime
) -> dict[int, tuple[datetime, int]]:
    """Per operator: their last audited action this week and replies sent today."""
    replies_today = sa.func.sum(
        sa.case((sa.and_(AuditEvent.action == "reply", AuditEvent.at >= today), 1), else_=0)
    )
    rows = connection.execute(
        sa.select(AuditEvent.operator_id, sa.func.max(AuditEvent.at), replies_today)
        .where(AuditEvent.at >= since, AuditEvent.operator_id.is_not(None))
        .group_by(AuditEvent.operator_id)
    ).all()
    return {operator_id: (last, int(replies)) for operator_id, last, replies in rows}


def _sla_by_service(
    connection: sa.Connection, desk: Desk, now: datetime
) -> tuple[dict[str, int], dict[str, int]]:
    """Past due, and due within the next hour of the ticket's own clock: support
    time for most, wall time for the round-the-clock escalations."""
    round_the_clock = flags_of(desk.sla.round_the_clock)
    support_hour_later = desk.sla.hours.add(now, HOUR)
    service = sa.type_coerce(Ticket.service, sa.String)
    urgent = Ticket.escalation_flags.op("&")(round_the_clock) != 0
    # Grouped by status first: that leads SQLite to the covering due-time index
    # (a range of the few tickets near or past due) rather than a full scan.
    status = sa.type_coerce(Ticket.status, sa.String)
    rows = connection.execute(
        sa.select(
            status,
            service,
            sa.func.sum(sa.case((Ticket.due_at < now, 1), else_=0)),
            sa.func.sum(
                sa.case(
                    (
                        sa.and_(
                            Ticket.due_at >= now,
                            sa.or_(
                                sa.and_(urgent, Ticket.due_at < now + HOUR),
                                sa.and_(~urgent, Ticket.due_at < support_hour_later),
                            ),
                        ),
                        1,
                    ),
                    else_=0,
                )
            ),
        )
        .where(Ticket.due_at < max(support_hour_later, now + HOUR))
        .group_by(status, service)
    ).all()
    breached: Counter[str] = Counter()
    soon: Counter[str] = Counter()
    for _status, name, late, close in rows:
        breached[name] += late
        soon[name] += close
    breached, soon = (
        {name: count for name, count in sorted(counter.items()) if count}
        for counter in (breached, soon)
    )
    return breached, soon


def _first_answers_today(connection: sa.Connection, today: datetime) -> dict[int, list[float]]:
    """Seconds from confirmation to first answer, for tickets first answered
    today, credited to whoever sent that answer."""
    first_reply: dict[int, int | None] = {}
    for ticket_id, operator_id in connection.execute(
        sa.select(AuditEvent.ticket_id, AuditEvent.operator_id)
        .where(AuditEvent.action == "reply", AuditEvent.at >= today)
        .order_by(AuditEvent.at)
    ):
        first_reply.setdefault(ticket_id, operator_id)
    if not first_reply:
        return {}
    rows = connection.execute(
        sa.select(
            Ticket.id, Ticket.first_answered_at, Ticket.confirmed_at, Ticket.created_at
        ).where(Ticket.id.in_(list(first_reply)), Ticket.first_answered_at >= today)
    ).all()
    waits: dict[int, list[float]] = defaultdict(list)
    for ticket_id, answered_at, confirmed_at, created_at in rows:
        operator_id = first_reply[ticket_id]
        if operator_id is not None:
            waits[operator_id].append((answered_at - (confirmed_at or created_at)).total_seconds())
    return waits


def _oldest_waiting(connection: sa.Connection, *, limit: int) -> list[WaitingTicket]:
    rows = connection.execute(
        sa.select(
            Ticket.number,
            Ticket.subject,
            sa.type_coerce(Ticket.service, sa.String),
            sa.type_coerce(Ticket.status, sa.String),
            Operator.login,
            Ticket.waiting_since,
            Ticket.due_at,
            Ticket.escalation_flags,
        )
        .outerjoin(Operator, Operator.id == Ticket.assignee_id)
        # Only tickets whose clock runs have waiting_since: a small partial index.
        .where(Ticket.waiting_since.is_not(None))
        .order_by(Ticket.waiting_since, Ticket.id)
        .limit(limit)
    ).all()
    return [
        WaitingTicket(
            number,
            subject,
            service,
            status,
            login,
            since,
            due,
            [kind.value for kind in kinds_of(flags)],
        )
        for number, subject, service, status, login, since, due, flags in rows
    ]


def _oldest_held(connection: sa.Connection) -> dict[int, tuple[datetime, datetime]]:
    """Per operator: since when their longest-waiting held ticket has waited, and
    since when the longest-held one has been held with its customer waiting."""
    # Grouped by an expression so the planner reads the small partial index
    # of running clocks instead of walking every assigned ticket.
    holder = sa.func.coalesce(Ticket.assignee_id, 0)
    held_since = sa.case(
        (Ticket.assigned_at > Ticket.waiting_since, Ticket.assigned_at),
        else_=Ticket.waiting_since,
    )
    rows = connection.execute(
        sa.select(holder, sa.func.min(Ticket.waiting_since), sa.func.min(held_since))
        .where(Ticket.waiting_since.is_not(None), Ticket.assignee_id.is_not(None))
        .group_by(holder)
    ).all()
    return {operator_id: (waiting, held) for operator_id, waiting, held in rows}


def _label(value: str) -> str:
    return value.replace("\\", "\\\\").replace("\n", "\\n").replace('"', '\\"')


Samples = list[tuple[dict[str, str], float]]


def _open_tickets(stats: DeskStats) -> Samples:
    return [
        (
            {"service": service.value, "status": status.value},
            stats.open_work.get(service.value, {}).get(status.value, 0),
        )
        for service in Service
        for status in sorted(ACTIVE_STATUSES)
    ]


def _by_service(counts: dict[str, int]) -> Samples:
    return [({"service": service.value}, counts.get(service.value, 0)) for service in Service]


def _oldest_block_wait(stats: DeskStats) -> Samples:
    oldest = min((r.requested_at for r in stats.block_requests), default=None)
    return [({}, (stats.at - oldest).total_seconds() if oldest else 0)]


# Each gauge: its name after wmconsole_, its help text and its samples.
_GAUGES: tuple[tuple[str, str, Callable[[DeskStats], Samples]], ...] = (
    ("open_tickets", "Tickets in live statuses, by service and status.", _open_tickets),
    (
        "sla_breached",
        "Tickets past their SLA due time, by service.",
        lambda stats: _by_service(stats.breached),
    ),
    (
        "sla_breaching_soon",
        "Tickets due within the next hour of their clock, by service.",
        lambda stats: _by_service(stats.breaching_soon),
    ),
    (
        "escalations_open",
        "Live tickets carrying an open escalation, by kind.",
        lambda stats: [({"kind": kind}, count) for kind, count in stats.escalations.items()],
    ),
    (
        "block_requests_waiting",
        "WMID block requests waiting for a second person.",
        lambda stats: [({}, len(stats.block_requests))],
    ),
    (
        "block_request_oldest_wait_seconds",
        "How long the oldest waiting WMID block request has waited.",
        _oldest_block_wait,
    ),
    (
        "operator_tickets_held",
        "Live tickets each operator holds.",
        lambda stats: [({"operator": o.login}, o.held) for o in stats.operators],
    ),
    (
        "operator_answered_today",
        "Replies each operator sent since 00:00 GMT.",
        lambda stats: [({"operator": o.login}, o.answered_today) for o in stats.operators],
    ),
)


def prometheus_text(stats: DeskStats) -> str:
    """The Prometheus text exposition format, for a node exporter's textfile collector."""
    lines: list[str] = []
    for name, help_text, samples in _GAUGES:
        lines.append(f"# HELP wmconsole_{name} {help_text}")
        lines.append(f"# TYPE wmconsole_{name} gauge")
        for labels, value in samples(stats):
            rendered = ",".join(f'{key}="{_label(str(val))}"' for key, val in labels.items())
            suffix = f"{{{rendered}}}" if rendered else ""
            lines.append(f"wmconsole_{name}{suffix} {value:g}")
    return "\n".join(lines) + "\n"
