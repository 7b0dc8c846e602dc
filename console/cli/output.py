"""Every shape the command line prints, in one place: the JSON scripts read and
the text lines people read. The queue, a ticket and the stats as text are the
screens' own (`console.formatting`).

Shapes read attributes of what the reads and operations return; nothing here
imports them, so that building the commands stays light (see `console.cli`).
Customer text in a line goes through `one_line`; JSON is made terminal-safe as a
whole by `print_json`."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

import click

from console.json_values import json_value
from console.untrusted import json_safe, one_line


def print_json(value: Any) -> None:
    import json  # here: --help and the text output never need it

    click.echo(json_safe(json.dumps(json_value(value), ensure_ascii=False, indent=2)))


@dataclass(frozen=True)
class Listing:
    """How a list command prints one item: as JSON, and as a line (or a few)."""

    json: Callable[[Any], dict[str, Any]]
    text: Callable[[Any], str]

    def echo(self, items: Iterable[Any], *, as_json: bool) -> None:
        if as_json:
            print_json([self.json(item) for item in items])
            return
        for item in items:
            click.echo(self.text(item))


# The queue and one ticket ---------------------------------------------------------


def queue_row_json(row: Any, sla: Any, now: datetime) -> dict[str, Any]:
    left = None
    if row.due_at is not None:
        left = int(sla.time_left(row.due_at, now, kinds=row.escalations).total_seconds())
    return {
        "number": row.number,
        "service": row.service.value,
        "status": row.status.value,
        "escalations": [kind.value for kind in row.escalations],
        "wmid": row.customer_wmid,
        "email": row.customer_email,
        "subject": row.subject,
        "assignee": row.assignee,
        "created_at": row.created_at.isoformat(),
        "due_at": row.due_at.isoformat() if row.due_at else None,
        "sla_left_seconds": left,
        "version": row.version,
    }


def ticket_json(detail: Any, sla: Any, now: datetime) -> dict[str, Any]:
    """`ticket N --json`: the detail's fields, then the open escalation kinds as
    `escalations` with every escalation raised as `escalation_history`, the
    customer's `wmid` and `email` as the queue names them, and the SLA time left.
    An audit entry's operator is its actor when no operator did it."""
    fields = detail.as_json()
    history = fields.pop("escalations")
    return {
        **fields,
        "audit": [
            {**entry, "operator": entry["operator"] or entry["actor"]} for entry in fields["audit"]
        ],
        "escalations": detail.escalation_kinds,
        "escalation_history": history,
        "wmid": detail.customer_wmid,
        "email": detail.customer_email,
        "sla_left_seconds": detail.sla_left_seconds(sla, now),
    }


def created_ticket_json(created: Any) -> dict[str, Any]:
    return {
        "number": created.number,
        "status": created.status.value,
        "confirm_token": created.confirm_token,
    }


def call_logged_json(logged: Any) -> dict[str, Any]:
    return {
        "number": logged.number,
        "message_id": logged.message_id,
        "opened": logged.opened,
        "escalations": [kind.value for kind in logged.escalations],
    }


# The lists ------------------------------------------------------------------------


def _block_line(r: Any) -> str:
    return (
        f"{r.id:>6}  {r.state:<9} WMID {r.wmid}  ticket {r.number}  by {r.requested_by}  "
        f"{r.requested_at:%Y-%m-%d %H:%M}  {one_line(r.reason)}"
    )


BLOCK_REQUESTS = Listing(json=lambda request: request.as_json(), text=_block_line)


def _template_json(t: Any) -> dict[str, Any]:
    return {
        "id": t.id,
        "service": t.service.value if t.service else None,
        "language": t.language.value,
        "title": t.title,
        "body": t.body,
        "active": t.active,
        "updated_at": t.updated_at,
    }


def _template_line(t: Any) -> str:
    state = "" if t.active else "  (withdrawn)"
    where = t.service.value if t.service else "every service"
    return f"{t.id:>5}  {where:<14} {t.language.value}  {one_line(t.title)}{state}"


TEMPLATES = Listing(json=_template_json, text=_template_line)


def _value(member: Any) -> str | None:
    return member.value if member is not None else None


def _macro_json(m: Any) -> dict[str, Any]:
    return {
        **_template_json(m),
        "status": _value(m.status),
        "escalate": _value(m.escalate),
        "clear_escalation": _value(m.clear_escalation),
        "note": m.note,
        "handover": _value(m.handover),
        "handover_to": m.handover_to,
    }


def _macro_line(m: Any) -> str:
    does = [
        m.status and m.status.value.replace("_", " "),
        m.escalate and f"+{m.escalate.value}",
        m.clear_escalation and f"-{m.clear_escalation.value}",
        m.note and "note",
        m.handover and (m.handover_to or m.handover.value),
    ]
    also = ", ".join(part for part in does if part)
    return _template_line(m) + (f"  → {also}" if also else "")


MACROS = Listing(json=_macro_json, text=_macro_line)


def _marker_json(m: Any) -> dict[str, Any]:
    return {
        "id": m.id,
        "pattern": m.pattern,
        "is_regex": m.is_regex,
        "description": m.description,
        "active": m.active,
        "created_at": m.created_at,
    }


def _marker_line(m: Any) -> str:
    kind = "regex" if m.is_regex else "text"
    state = "" if m.active else "  (disabled)"
    note = f"  — {one_line(m.description)}" if m.description else ""
    return f"{m.id:>5}  {kind:<5}  {one_line(m.pattern)}{note}{state}"


MARKERS = Listing(json=_marker_json, text=_marker_line)


def _operator_json(p: Any) -> dict[str, Any]:
    data = {"login": p.login, "name": p.name, "role": p.role.value, "active": p.active}
    if p.has_role is not None:
        data["database_role"] = {
            "exists": p.has_role,
            "can_login": p.can_login,
            "groups": list(p.groups),
        }
        data["mismatch"] = p.mismatch
    return data


def _database_side(p: Any) -> str:
    """On PostgreSQL, the person's login role beside their row, and ! where they disagree."""
    if p.has_role is None:
        return ""
    side = "  [no role]"
    if p.has_role:
        login = "LOGIN" if p.can_login else "NOLOGIN"
        side = f"  [{login} {', '.join(p.groups) or 'no group'}]"
    return side + (f"  ! {p.mismatch}" if p.mismatch else "")


def _operator_line(p: Any) -> str:
    state = "" if p.active else "  (deactivated)"
    return f"{p.login:<16} {p.role.value:<10} {p.name}{state}{_database_side(p)}"


OPERATORS = Listing(json=_operator_json, text=_operator_line)


def _quarantine_json(row: Any) -> dict[str, Any]:
    return {
        "id": row.id,
        "path": row.path,
        "reason": row.reason,
        "size": row.size,
        "message_id": row.email_message_id,
        "sender": row.sender,
        "subject": row.subject,
        "received_at": row.received_at,
        "resolved_at": row.resolved_at,
    }


def _quarantine_lines(row: Any) -> str:
    state = " resolved" if row.resolved_at else ""
    return (
        f"{row.id:>6}  {row.received_at:%Y-%m-%d %H:%M}{state}  "
        f"{one_line(row.sender) or '-'}  {one_line(row.subject) or '-'}\n"
        f"        {one_line(row.reason)}\n        {one_line(row.path)}"
    )


QUARANTINE = Listing(json=_quarantine_json, text=_quarantine_lines)


def _notice_lines(row: Any) -> str:
    when = (
        f"sent {row.sent_at:%Y-%m-%d %H:%M}"
        if row.sent_at
        else f"next {row.next_attempt_at:%Y-%m-%d %H:%M}"
    )
    error = f"\n        {one_line(row.last_error)}" if row.last_error else ""
    return (
        f"{row.id:>6}  {row.state:<7} {row.kind:<8} ticket {row.number}  "
        f"{row.channel}:{one_line(row.recipient)}  attempts {row.attempts}  {when}{error}"
    )


NOTICES = Listing(json=asdict, text=_notice_lines)


def _caller_line(t: Any) -> str:
    holder = t.assignee or "—"
    return (
        f"{t.number:>7}  {t.created_at:%Y-%m-%d}  {t.status:<11} {t.service:<13} "
        f"{holder:<10} {one_line(t.subject)}"
    )


CALLER_TICKETS = Listing(json=lambda t: t.as_json(), text=_caller_line)


# What the intake and the outbox did, one line each ----------------------------------


def mail_line(result: Any) -> str:
    where = f" {result.number}" if result.number else ""
    who = f" from {one_line(result.sender)}" if result.sender else ""
    what = f": {one_line(result.subject)}" if result.subject else ""
    detail = f" ({one_line(result.detail)})" if result.detail else ""
    return f"{result.fate.value}{where}{who}{what}{detail}"


def delivery_line(delivery: Any) -> str:
    state = delivery.state.value if delivery.state else "taken over by another sender"
    error = f": {one_line(delivery.error)}" if delivery.error else ""
    outgoing = delivery.outgoing
    what = (
        f" (ticket {outgoing.number}) by {outgoing.channel.value} to {one_line(outgoing.recipient)}"
        if outgoing
        else ""
    )
    return f"{state} notice {delivery.notice_id}{what}{error}"


@contextmanager
def progress(total: int, label: str) -> Iterator[Callable[[int, int], None]]:
    """A progress bar on a terminal, plain log lines (every tenth) when not."""
    if sys.stderr.isatty():
        with click.progressbar(length=total, label=label, file=sys.stderr) as bar:
            shown = 0

            def advance(done: int, _total: int) -> None:
                nonlocal shown
                bar.update(done - shown)
                shown = done

            yield advance
        return
    reported = -1

    def log(done: int, total_: int) -> None:
        nonlocal reported
        tenth = done * 10 // max(total_, 1)
        if tenth != reported:
            reported = tenth
            click.echo(f"{label}: {done}/{total_}", err=True)

    yield log
