"""Scam markers, the list supervisors keep, checked against each mail the intake
takes: a match flags the ticket and suggests a fraud escalation, nothing more."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from functools import lru_cache

import regex
import sqlalchemy as sa
from sqlmodel import Session

from console.mail.parsing import IncomingMail
from console.operations.editing import TicketEdit
from console.operations.thread import system_message
from models import ScamMarker

_ACTIVE_MARKERS = (
    sa.select(ScamMarker.id, ScamMarker.pattern, ScamMarker.is_regex, ScamMarker.description)
    .where(ScamMarker.active)
    .order_by(ScamMarker.id)
)


# A supervisor's regular expression meets text anyone can send: a pattern that
# backtracks catastrophically (say "(a|aa)+$") is cut off at this, not left to
# stall the intake on one mail.
MARKER_SECONDS = 0.1


@lru_cache(maxsize=256)
def _compiled(pattern: str) -> regex.Pattern[str] | None:
    try:
        return regex.compile(pattern)
    except regex.error:
        return None


@dataclass(frozen=True)
class MarkerCheck:
    matched: list[sa.Row]
    timed_out: list[sa.Row]


def _folded(text: str) -> str:
    return unicodedata.normalize("NFKC", text).casefold()


def matching_markers(session: Session, mail: IncomingMail) -> MarkerCheck:
    # Read once per transaction: a batch of mail is checked against one list.
    markers = session.info.get("scam_markers")
    if markers is None:
        markers = session.info["scam_markers"] = session.connection().execute(_ACTIVE_MARKERS).all()
    text = "\n".join(
        part for part in (mail.sender_name, mail.sender, mail.subject, mail.body) if part
    )
    folded = _folded(text)
    check = MarkerCheck([], [])
    for marker in markers:
        if not marker.is_regex:
            if _folded(marker.pattern) in folded:
                check.matched.append(marker)
            continue
        compiled = _compiled(marker.pattern)
        if compiled is None:
            continue
        try:
            if compiled.search(text, timeout=MARKER_SECONDS) is not None:
                check.matched.append(marker)
        except TimeoutError:
            check.timed_out.append(marker)
    return check


def flag_scam(edit: TicketEdit, check: MarkerCheck) -> None:
    """Flag, do not escalate: an operator reads the thread and decides."""
    if check.matched:
        described = "; ".join(
            f"«{marker.pattern}»" + (f" ({marker.description})" if marker.description else "")
            for marker in check.matched
        )
        system_message(
            edit,
            f"This mail matches scam markers: {described}. "
            "Suggested escalation: fraud. Read the thread and escalate if it is.",
        )
        edit.details.update(
            scam_markers=[marker.id for marker in check.matched], suggested_escalation="fraud"
        )
    if check.timed_out:
        slow = "; ".join(f"«{marker.pattern}» (marker {marker.id})" for marker in check.timed_out)
        system_message(
            edit,
            f"Scam markers could not be checked on this mail in time: {slow}. Read it with "
            "them in mind, and ask a supervisor to simplify them.",
        )
        edit.details["scam_markers_timed_out"] = [marker.id for marker in check.timed_out]
