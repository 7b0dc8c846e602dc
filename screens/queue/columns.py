"""The queue's columns: fixed widths, chosen for the width there is.

DESIGN.md section 3 names them and their order: number, age, SLA left,
service, status, escalation badges, WMID, subject, assignee. The subject
takes what the others leave; when the screen is narrow the least needed
columns go first (WMID, then age, then service), so 80 columns still show
what matters for picking the next ticket.
"""

from __future__ import annotations

from datetime import timedelta

from console.formatting import BADGES, fit, short_duration, sla_text
from models import EscalationKind
from screens.widgets.columns import Column, fit_columns

URGENT_BADGES = frozenset({EscalationKind.wmid_block, EscalationKind.fraud})
MARK = "●"
# Before the holder's login when they have held it too long with the customer waiting.
HELD_TOO_LONG = "!"


# One cell more than the number: the mark of a ticket picked for a bulk reassign.
NUMBER = Column("number", "NUMBER", 8, align_right=True)
AGE = Column("age", "AGE", 6, align_right=True)
SLA = Column("sla", "SLA", 7, align_right=True)
SERVICE = Column("service", "SERVICE", 13)
STATUS = Column("status", "STATUS", 11)
BADGE_COLUMN = Column("badges", "ESC", 11)
WMID = Column("wmid", "WMID", 12)
SUBJECT = Column("subject", "SUBJECT")
ASSIGNEE = Column("assignee", "HOLDER", 8)

_ORDER = (NUMBER, AGE, SLA, SERVICE, STATUS, BADGE_COLUMN, WMID, SUBJECT, ASSIGNEE)
# What goes first when there is no room.
_DROP_ORDER = ("wmid", "age", "service")
MIN_SUBJECT = 24
GAP = 1
# What an operator may hide (c): every column but the number and the subject.
# The columns an operator may hide (c), in the queue's order, as the chooser names them.
CHOOSABLE = {
    "age": "age",
    "sla": "SLA",
    "service": "service",
    "status": "status",
    "badges": "escalations",
    "wmid": "WMID",
    "assignee": "holder",
}


def layout(width: int, hidden: frozenset[str] = frozenset()) -> list[Column]:
    """The columns for a line `width` cells wide, without the ones the operator
    hid, the subject sized to fill it."""
    shown = [column for column in _ORDER if column.name not in hidden]
    return fit_columns(shown, width, gap=GAP, least=4, wanted=MIN_SUBJECT, drop=_DROP_ORDER)


def span_text(delta: timedelta) -> str:
    """Like short_duration, but whole days from ten days on: the column stays narrow,
    and hours stop mattering at that age."""
    days = abs(delta).days
    return f"{days}d" if days >= 10 else short_duration(delta)


def sla_cell(left: timedelta | None) -> str:
    if left is None or abs(left).days < 10:
        return sla_text(left)
    return ("-" if left < timedelta(0) else "") + span_text(left)


def badge_words(kinds: list[EscalationKind], width: int) -> list[tuple[EscalationKind | None, str]]:
    """As many badges as fit, most urgent first, then '+N' for the rest; each
    piece with its kind (None for the '+N' and the spaces between)."""
    for count in range(len(kinds), 0, -1):
        hidden = len(kinds) - count
        words = [BADGES[kind] for kind in kinds[:count]]
        length = sum(map(len, words)) + len(words) - 1 + (len(f" +{hidden}") if hidden else 0)
        if length <= width:
            pieces: list[tuple[EscalationKind | None, str]] = []
            for kind, word in zip(kinds, words, strict=False):
                if pieces:
                    pieces.append((None, " "))
                pieces.append((kind, word))
            if hidden:
                pieces.append((None, f" +{hidden}"))
            return pieces
    return [(kinds[0], fit(BADGES[kinds[0]], width))] if kinds else []
