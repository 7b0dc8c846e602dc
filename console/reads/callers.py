"""A hotline caller's tickets: whoever is on the phone is found by their WMID,
a purse of theirs or the number they call from, newest ticket first."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from console.database import Database
from console.errors import InvalidInput
from console.json_values import json_value
from console.rules import validation
from models import Operator, Ticket

CALLER_TICKETS_SHOWN = 30


@dataclass(frozen=True)
class CallerTicket:
    number: int
    subject: str
    status: str
    service: str
    created_at: datetime
    assignee: str | None
    customer_name: str | None
    customer_wmid: str | None
    customer_phone: str | None

    def as_json(self) -> dict[str, Any]:
        return json_value(asdict(self))


def find_caller(db: Database, text: str) -> list[CallerTicket]:
    """The tickets of whoever `text` names: a WMID (12 digits), a purse (a letter
    and 12 digits) or a phone number (anything else)."""
    cleaned = text.strip().replace(" ", "")
    if validation.WMID_PATTERN.fullmatch(cleaned):
        return callers_tickets(db, wmid=cleaned)
    if validation.PURSE_PATTERN.fullmatch(cleaned.upper()):
        return callers_tickets(db, purse=cleaned)
    return callers_tickets(db, phone=text)


def callers_tickets(
    db: Database,
    *,
    wmid: str | None = None,
    purse: str | None = None,
    phone: str | None = None,
) -> list[CallerTicket]:
    """Tickets with this WMID, this purse or this phone number (any of those
    given, each checked as the desk writes it), newest first."""
    matches = []
    if wmid:
        matches.append(Ticket.customer_wmid == validation.wmid(wmid))
    if purse:
        matches.append(Ticket.customer_purse == validation.purse(purse))
    if phone:
        matches.append(Ticket.customer_phone == validation.phone(phone))
    if not matches:
        raise InvalidInput("give the caller's WMID, a purse of theirs or their phone number")
    query = (
        sa.select(
            Ticket.number,
            Ticket.subject,
            Ticket.status,
            Ticket.service,
            Ticket.created_at,
            Operator.login,
            Ticket.customer_name,
            Ticket.customer_wmid,
            Ticket.customer_phone,
        )
        .outerjoin(Operator, Operator.id == Ticket.assignee_id)
        .where(sa.or_(*matches))
        .order_by(Ticket.created_at.desc(), Ticket.id.desc())
        .limit(CALLER_TICKETS_SHOWN)
    )
    with db.connect() as connection:
        rows = connection.execute(query).all()
    return [
        CallerTicket(number, subject, status.value, service.value, *rest)
        for number, subject, status, service, *rest in rows
    ]
