"""Macros: named answers, per service and language like templates, that do more
than the text — a status after the answer, an escalation raised or cleared, an
internal note, who holds the ticket. Supervisors write, withdraw and restore
them (audited; a save that changes nothing records nothing); everyone answers
with them, through answers.reply, in one transaction."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import select

from console.desk import Desk
from console.errors import InvalidInput, NotFound, TransitionRefused
from console.operations.answers import FollowUp, reply
from console.operations.editing import acting, find_operator
from console.operations.staff import (
    audit_staff,
    check_placeholders,
    fill_template,
    refuse_same_title,
    set_kept_active,
)
from console.rules import validation
from console.rules.lifecycle import AFTER_ANSWER
from console.rules.roles import Permission
from models import EscalationKind, Handover, Language, Macro, Operator, Service, Status, Ticket


@dataclass(frozen=True)
class MacroInfo:
    """A macro as screens and commands read it (who it hands the ticket to, by login)."""

    id: int
    service: Service | None
    language: Language
    title: str
    body: str
    status: Status | None
    escalate: EscalationKind | None
    clear_escalation: EscalationKind | None
    note: str | None
    handover: Handover | None
    handover_to: str | None
    active: bool
    updated_at: datetime

    def as_text(self) -> MacroText:
        """As a supervisor would write it again."""
        return MacroText(
            title=self.title,
            body=self.body,
            language=self.language,
            service=self.service,
            status=self.status,
            escalate=self.escalate,
            clear_escalation=self.clear_escalation,
            note=self.note,
            handover=self.handover,
            handover_to=self.handover_to,
        )

    def written_as(self, text: MacroText) -> bool:
        """Whether `text` says what the macro already says (saving it changes nothing)."""
        try:
            same = check_macro(text) == check_macro(self.as_text())
        except InvalidInput:
            return False
        return same and (text.handover_to or None) == self.handover_to

    def follow_up(self, *, ticket: int, wmid: str | None, name: str | None) -> FollowUp:
        """What its answer does besides the text, placeholders filled in the note."""
        note = self.note and fill_template(self.note, ticket=ticket, wmid=wmid, name=name)
        return FollowUp(
            status=self.status,
            archive_reason=f"resolved: {self.title}",
            escalate=self.escalate,
            clear_escalation=self.clear_escalation,
            why=f"macro {self.title}",
            note=note or None,
            handover=self.handover,
            handover_to=self.handover_to,
            macro=self.title,
        )


_FIELDS = (
    "service",
    "language",
    "title",
    "body",
    "status",
    "escalate",
    "clear_escalation",
    "note",
    "handover",
    "handover_to_id",
)


def list_macros(
    desk: Desk,
    *,
    service: Service | None = None,
    language: Language | None = None,
    include_inactive: bool = False,
) -> list[MacroInfo]:
    """A service's macros (with those for every service), in a language, by title;
    withdrawn ones only when asked."""
    with desk.db.read() as session:
        query = (
            sa.select(Macro, Operator.login)
            .outerjoin(Operator, Operator.id == Macro.handover_to_id)
            .order_by(Macro.service.is_not(None), Macro.service, Macro.language, Macro.title)
        )
        if service is not None:
            query = query.where(sa.or_(Macro.service == service, Macro.service.is_(None)))
        if language is not None:
            query = query.where(Macro.language == language)
        if not include_inactive:
            query = query.where(Macro.active)
        return [_info(macro, login) for macro, login in session.execute(query).all()]


def get_macro(desk: Desk, macro_id: int) -> MacroInfo:
    with desk.db.read() as session:
        macro = session.get(Macro, macro_id)
        if macro is None:
            raise NotFound(f"no macro {macro_id}")
        to = session.get(Operator, macro.handover_to_id) if macro.handover_to_id else None
        return _info(macro, to.login if to else None)


def _info(macro: Macro, handover_to: str | None) -> MacroInfo:
    return MacroInfo(
        id=macro.id,
        service=macro.service,
        language=macro.language,
        title=macro.title,
        body=macro.body,
        status=macro.status,
        escalate=macro.escalate,
        clear_escalation=macro.clear_escalation,
        note=macro.note,
        handover=macro.handover,
        handover_to=handover_to,
        active=macro.active,
        updated_at=macro.updated_at,
    )


@dataclass(frozen=True)
class MacroText:
    """What a supervisor writes: the macro's words and what its answer does."""

    title: str
    body: str
    language: Language | str
    service: Service | str | None = None
    status: Status | str | None = None
    escalate: EscalationKind | str | None = None
    clear_escalation: EscalationKind | str | None = None
    note: str | None = None
    handover: Handover | str | None = None
    handover_to: str | None = None


def check_macro(text: MacroText) -> dict[str, Any]:
    """The macro's columns from what was written, each checked, or InvalidInput
    (a form checks as the supervisor types; who it hands to is checked on saving)."""
    status = _member(Status, text.status, "status")
    if status is not None and status not in AFTER_ANSWER:
        raise InvalidInput("a macro leaves the ticket on hold or archived, or answered as usual")
    escalate = _member(EscalationKind, text.escalate, "escalation")
    clear = _member(EscalationKind, text.clear_escalation, "escalation")
    if escalate is not None and escalate == clear:
        raise InvalidInput(f"a macro cannot both raise and clear {escalate.value}")
    handover = _member(Handover, text.handover, "handover")
    if (handover == Handover.person) != bool(text.handover_to):
        raise InvalidInput("a macro names someone to hand the ticket to exactly when it hands it")
    body = validation.body(text.body, "macro text")
    note = (text.note or "").strip() or None
    for words in (body, note or ""):
        check_placeholders(words)
    language = text.language
    service = text.service or None
    return {
        "title": validation.template_title(text.title, "macro"),
        "body": body,
        "language": validation.language(language) if isinstance(language, str) else language,
        "service": validation.service(service) if isinstance(service, str) else service,
        "status": status,
        "escalate": escalate,
        "clear_escalation": clear,
        "note": note,
        "handover": handover,
    }


def _member(enum: type, value: Any, what: str) -> Any:
    if value is None or value == "":
        return None
    if isinstance(value, enum):
        return value
    try:
        return enum(str(value).strip().lower())
    except ValueError:
        names = ", ".join(member.value for member in enum)
        raise InvalidInput(f"unknown {what} {value!r}: one of {names}") from None


def save_macro(desk: Desk, text: MacroText, *, by: str, macro_id: int | None = None) -> int:
    """Add a macro, or change one; returns its id. Saving it as it was records nothing."""
    values = check_macro(text)
    with acting(desk, by=by, permission=Permission.edit_templates) as (session, operator):
        to = find_operator(session, text.handover_to) if text.handover_to else None
        if to is not None and not to.active:
            raise TransitionRefused(f"{to.login} is deactivated and cannot hold tickets")
        values["handover_to_id"] = to.id if to else None
        refuse_same_title(
            session,
            Macro,
            values["title"],
            values["language"],
            values["service"],
            own_id=macro_id,
        )
        if macro_id is None:
            macro, before = Macro(**values), None
        else:
            macro = session.get(Macro, macro_id)
            if macro is None:
                raise NotFound(f"no macro {macro_id}")
            before = _audited(macro)
            if all(getattr(macro, name) == values[name] for name in _FIELDS):
                return macro_id
            for name in _FIELDS:
                setattr(macro, name, values[name])
        macro.updated_by_id = operator.id
        macro.updated_at = desk.now()
        session.add(macro)
        session.flush()
        audit_staff(
            session,
            desk,
            action="macro_add" if before is None else "macro_save",
            operator=operator,
            before=before,
            after={"id": macro.id, **_audited(macro)},
            topic="macro",
        )
        return macro.id


def _audited(macro: Macro) -> dict[str, Any]:
    return {name: getattr(macro, name) for name in _FIELDS}


def set_macro_active(desk: Desk, macro_id: int, active: bool, *, by: str) -> None:
    """Withdraw a macro (kept, no longer offered when answering) or bring it back."""
    set_kept_active(desk, Macro, macro_id, active, by=by)


def answer_with_macro(
    desk: Desk,
    number: int,
    macro_id: int,
    *,
    by: str,
    body: str | None = None,
    expected_version: int | None = None,
    override_hold: bool = False,
) -> int:
    """Answer with a macro: its text (or `body`, the text as edited) and all it
    does, in one transaction. Returns the reply's message id."""
    macro = get_macro(desk, macro_id)
    if not macro.active:
        raise TransitionRefused(f"macro {macro_id} is withdrawn; a supervisor can restore it")
    with desk.db.read() as session:
        ticket = session.exec(
            select(Ticket.customer_wmid, Ticket.customer_name).where(Ticket.number == number)
        ).first()
    if ticket is None:
        raise NotFound(f"no ticket {number}")
    wmid, name = ticket
    filled = fill_template(macro.body, ticket=number, wmid=wmid, name=name)
    return reply(
        desk,
        number,
        body if body is not None else filled,
        by=by,
        expected_version=expected_version,
        override_hold=override_hold,
        follow_up=macro.follow_up(ticket=number, wmid=wmid, name=name),
    )
