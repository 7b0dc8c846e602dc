"""How an audit event reads to a person: what each action is called, and what
changed, field by field. The conflict message, the ticket's audit trail and the
editor's "changed meanwhile" all say it the same way."""

from __future__ import annotations

import re
from typing import Any

_ISO_STAMP = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d[^ ]*")

ACTION_LABELS = {
    "create": "opened it",
    "confirm": "confirmed it",
    "take": "took it",
    "assign": "assigned it",
    "reply": "replied",
    "note": "added a note",
    "status": "changed its status",
    "archive": "archived it",
    "extract": "took it out of the archive",
    "customer_message": "wrote",
    "customer_archive": "archived it",
    "escalate": "escalated it",
    "clear_escalation": "cleared an escalation",
    "block_request": "requested a WMID block",
    "block_approve": "approved a WMID block",
    "block_reject": "rejected a WMID block",
    "expire": "expired it",
    "auto_archive": "archived it",
    "automatic_mail": "received an automatic mail",
    "third_party_mail": "received a third party's mail",
    "notice_retry": "put a failed notice back in the outbox",
    "call": "logged a hotline call",
}


# What an event's details say of how it was done.
_HOW = {
    "macro": "with the macro {!r}",
    "over_hold_of": "over {}'s hold",
    "undo": "putting back a reassign",
}


def describe(before: dict[str, Any] | None, after: dict[str, Any] | None) -> str:
    """'status open → answered; assignee — → ivanov' for the fields that changed,
    then how ('with the macro …', 'over olga's hold')."""
    before, after = before or {}, after or {}
    parts = []
    for key in sorted(before.keys() & after.keys()):
        parts.append(f"{key} {_shown(before[key])} → {_shown(after[key])}")
    parts.extend(how.format(after[key]) for key, how in _HOW.items() if after.get(key))
    return "; ".join(parts)


def _shown(value: Any) -> str:
    if isinstance(value, list):
        return ", ".join(value) or "none"
    if value is None or value == "":
        return "—"
    text = str(value)
    if _ISO_STAMP.fullmatch(text):
        return f"{text[:10]} {text[11:16]}"
    return text
