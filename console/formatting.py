"""Words and figures as the desk reads them: ages, SLA time left, badges, text cut
to a column, and the CLI's plain-text queue and ticket. Customer text goes
through untrusted.visible."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

# Cell widths as Textual draws them (Rich comes with it; this module is ~8 ms
# of an import that costs the CLI ~0.8 s anyway): the CLI's columns and the
# screens' columns measure text the same way.
from rich.cells import cell_len, set_cell_size

from console.rules.labels import SERVICE_LABELS, STATUS_LABELS, label, plural
from console.rules.sla import SlaPolicy
from console.untrusted import one_line, visible
from models import EscalationKind, MessageChannel, Role, Service, Status

if TYPE_CHECKING:
    from console.reads.queue_row import QueueRow
    from console.reads.stats import DeskStats
    from console.reads.ticket import TicketDetail

BADGES = {
    EscalationKind.wmid_block: "BLOCK",
    EscalationKind.fraud: "FRAUD",
    EscalationKind.hacking: "HACK",
    EscalationKind.arbitration: "ARB",
    EscalationKind.hotline: "TEL",
}
SOON = timedelta(hours=1)


def short_duration(delta: timedelta) -> str:
    """'45s', '12m', '3h05m', '2d04h' — the two largest units, no sign."""
    seconds = int(abs(delta).total_seconds())
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, seconds = divmod(rest, 60)
    if days:
        return f"{days}d{hours:02d}h"
    if hours:
        return f"{hours}h{minutes:02d}m"
    if minutes:
        return f"{minutes}m"
    return f"{seconds}s"


def age_text(created_at: datetime, now: datetime) -> str:
    return short_duration(now - created_at)


def sla_left(
    policy: SlaPolicy, due_at: datetime | None, now: datetime, kinds: Sequence[EscalationKind]
) -> timedelta | None:
    return None if due_at is None else policy.time_left(due_at, now, kinds=kinds)


def sla_text(left: timedelta | None) -> str:
    if left is None:
        return "—"
    return f"-{short_duration(left)}" if left < timedelta(0) else short_duration(left)


def sla_state(left: timedelta | None) -> str:
    """'breached', 'soon' (within the hour) or 'fine'; 'stopped' while the clock is."""
    if left is None:
        return "stopped"
    if left < timedelta(0):
        return "breached"
    if left <= SOON:
        return "soon"
    return "fine"


def badges_text(kinds: Sequence[EscalationKind]) -> str:
    return " ".join(BADGES[kind] for kind in kinds)


def clip(text: str, width: int) -> str:
    """At most `width` terminal cells, cut with an ellipsis when longer. Cells, not
    characters: a CJK character or an emoji takes two, a combining mark none."""
    if width <= 0:
        return ""
    if cell_len(text) <= width:
        return text
    return set_cell_size(text, width - 1) + "…"


def fit(text: str, width: int, *, align_right: bool = False) -> str:
    """Exactly `width` cells: clipped, or padded."""
    text = clip(text, width)
    padding = " " * (width - cell_len(text)) if width > 0 else ""
    return padding + text if align_right else text + padding


def queue_table(rows: Sequence[QueueRow], policy: SlaPolicy, now: datetime) -> str:
    header = (
        f"{'NUMBER':>7}  {'AGE':>6}  {'SLA':>7}  {'SERVICE':<13} {'STATUS':<11} "
        f"{'ESC':<11} {'WMID':<12}  {'ASSIGNEE':<10} SUBJECT"
    )
    lines = [header]
    for row in rows:
        left = sla_left(policy, row.due_at, now, row.escalations)
        lines.append(
            f"{row.number:>7}  {age_text(row.created_at, now):>6}  {sla_text(left):>7}  "
            f"{SERVICE_LABELS[row.service]:<13} {STATUS_LABELS[row.status]:<11} "
            f"{fit(badges_text(row.escalations), 11)} {row.customer_wmid or '—':<12}  "
            f"{fit(row.assignee or '—', 10)} {clip(one_line(row.subject), 60)}"
        )
    if not rows:
        lines.append("(no tickets match)")
    return "\n".join(lines)


def _when(value: datetime | None) -> str:
    return "—" if value is None else value.strftime("%Y-%m-%d %H:%M UTC")


def ticket_text(detail: TicketDetail, policy: SlaPolicy, now: datetime) -> str:
    kinds = [EscalationKind(kind) for kind in detail.escalation_kinds]
    left = sla_left(policy, detail.due_at, now, kinds)
    lines = [
        f"Ticket {detail.number}: {one_line(detail.subject)}",
        f"  service {label(detail.service, Service)}  status {label(detail.status, Status)}  "
        f"version {detail.version}  assignee {detail.assignee or '—'}",
        f"  created {_when(detail.created_at)}  due {_when(detail.due_at)}  "
        f"SLA left {sla_text(left)}",
        f"  customer {one_line(detail.customer_name) or '—'}  WMID {detail.customer_wmid or '—'}  "
        f"purse {detail.customer_purse or '—'}  e-mail {one_line(detail.customer_email) or '—'}"
        + (f"  phone {detail.customer_phone}" if detail.customer_phone else ""),
        f"  notices by {detail.notice_channel}  language {detail.language}  "
        f"{'confirmed ' + _when(detail.confirmed_at) if detail.confirmed else 'NOT CONFIRMED'}",
    ]
    if detail.archive_reason:
        lines.append(f"  archived {_when(detail.archived_at)}: {one_line(detail.archive_reason)}")
    if detail.escalations:
        lines.append("Escalations:")
        for e in detail.escalations:
            state = f"cleared by {e.cleared_by} {_when(e.cleared_at)}" if e.cleared_at else "OPEN"
            kind = label(e.kind, EscalationKind)
            lines.append(
                f"  {kind:<12} by {e.set_by or 'system'} {_when(e.set_at)}: "
                f"{one_line(e.reason)}  [{state}]"
            )
    if detail.blocks:
        lines.append("Block requests:")
        for b in detail.blocks:
            lines.append(
                f"  #{b.id} WMID {b.wmid} {b.state} (requested by {b.requested_by}"
                f"{', decided by ' + b.decided_by if b.decided_by else ''})"
            )
    lines.append("Thread:")
    for m in detail.messages:
        who = {"customer": "customer", "system": "system"}.get(m.kind, m.author or "?")
        kind = "CALL " if m.channel == "phone" else "NOTE " if m.kind == "note" else ""
        lines.append(
            f"  --- {kind}{who} via {label(m.channel, MessageChannel)}, {_when(m.created_at)}"
        )
        lines.extend(f"  {line}" for line in visible(m.body).splitlines() or [""])
    if detail.attachments:
        lines.append("Attachments:")
        for a in detail.attachments:
            kept = "" if a.kept else f"  NOT KEPT: {one_line(a.refused_reason)}"
            lines.append(f"  [{a.id}] {one_line(a.filename)} ({a.content_type}, {a.size} B){kept}")
    if detail.other_tickets:
        lines.append("The customer's other tickets:")
        for o in detail.other_tickets:
            lines.append(
                f"  {o.number} {label(o.status, Status):<11} {label(o.service, Service):<13} "
                f"{one_line(o.subject)}"
            )
    lines.append("Audit:")
    for entry in detail.audit:
        who = entry.operator or entry.actor
        lines.append(f"  {_when(entry.at)}  {who:<10} {entry.action:<16} {entry.details}")
    return "\n".join(lines)


def stats_text(stats: DeskStats) -> str:
    lines = [
        f"Desk at {_when(stats.at)}: {plural(stats.waiting_total, 'ticket')} waiting "
        f"(new, open, on hold), {stats.answered_total} answered"
    ]
    breached, soon = sum(stats.breached.values()), sum(stats.breaching_soon.values())
    lines.append(f"SLA: {breached} breached, {soon} due within the hour")
    lines.append(f"WMID block requests waiting: {len(stats.block_requests)}")
    for request in stats.block_requests:
        waited = short_duration(stats.at - request.requested_at)
        lines.append(
            f"  #{request.id} WMID {request.wmid} ticket {request.number} "
            f"by {request.requested_by}, waiting {waited}"
        )
    lines.append(
        "Escalations: "
        + ", ".join(
            f"{label(kind, EscalationKind)} {count}" for kind, count in stats.escalations.items()
        )
    )
    lines.append(f"{'OPERATOR':<12} {'ROLE':<16} {'HELD':>5} {'TODAY':>6}  LAST ACTION")
    for load in stats.operators:
        last = _when(load.last_action_at)
        lines.append(
            f"{load.login:<12} {label(load.role, Role):<16} {load.held:>5} "
            f"{load.answered_today:>6}  {last}"
        )
    return "\n".join(lines)
