"""The people and the desk's own material: operators, templates, scam markers,
drafts and each operator's saved preferences."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, select

from console.desk import Desk
from console.errors import InvalidInput, NotFound, TransitionRefused
from console.operations.editing import acting, find_operator, record_change
from console.rules import validation
from console.rules.roles import Permission
from models import (
    Actor,
    AuditEvent,
    Draft,
    DraftKind,
    Language,
    Macro,
    Operator,
    OperatorPreference,
    Role,
    ScamMarker,
    Service,
    Template,
    Ticket,
)


def audit_staff(
    session: Session,
    desk: Desk,
    *,
    action: str,
    operator: Operator | None,
    before: dict[str, Any] | None,
    after: dict[str, Any] | None,
    topic: str,
) -> None:
    session.add(
        AuditEvent(
            operator_id=operator.id if operator else None,
            actor=Actor.operator if operator else Actor.system,
            action=action,
            before=before,
            after=after,
            at=desk.now(),
        )
    )
    record_change(session, desk, topic, None)


def role(value: Role | str) -> Role:
    if isinstance(value, Role):
        return value
    try:
        return Role(value.strip().lower())
    except ValueError:
        names = ", ".join(r.value for r in Role)
        raise InvalidInput(f"unknown role {value!r}: one of {names}") from None


def list_operators(desk: Desk) -> list[Operator]:
    with desk.db.read() as session:
        return list(session.exec(select(Operator).order_by(Operator.login)).all())


def get_operator(desk: Desk, login: str) -> Operator:
    with desk.db.read() as session:
        return find_operator(session, login)


# Templates -----------------------------------------------------------------

PLACEHOLDERS = ("ticket", "wmid", "name")
_PLACEHOLDER = re.compile(r"\{(\w+)\}")


def list_templates(
    desk: Desk,
    *,
    service: Service | None = None,
    language: Language | None = None,
    include_inactive: bool = False,
) -> list[Template]:
    """Templates for a service (plus the ones for every service), in a language;
    withdrawn ones only when asked (the editor shows them, the reply editor not)."""
    with desk.db.read() as session:
        query = select(Template).order_by(
            Template.service.is_not(None), Template.service, Template.language, Template.title
        )
        if service is not None:
            query = query.where(sa.or_(Template.service == service, Template.service.is_(None)))
        if language is not None:
            query = query.where(Template.language == language)
        if not include_inactive:
            query = query.where(Template.active)
        return list(session.exec(query).all())


def get_template(desk: Desk, template_id: int) -> Template:
    with desk.db.read() as session:
        template = session.get(Template, template_id)
        if template is None:
            raise NotFound(f"no template {template_id}")
        return template


def fill_template(body: str, *, ticket: int, wmid: str | None, name: str | None) -> str:
    """Fill {ticket}, {wmid} and {name}; unknown braces are left as written."""
    values = {"ticket": str(ticket), "wmid": wmid or "", "name": name or ""}
    return _PLACEHOLDER.sub(lambda m: values.get(m.group(1), m.group(0)), body)


def check_placeholders(body: str) -> None:
    unknown = sorted(set(_PLACEHOLDER.findall(body)) - set(PLACEHOLDERS))
    if unknown:
        raise InvalidInput(
            f"unknown placeholder {{{unknown[0]}}}: use "
            + ", ".join(f"{{{name}}}" for name in PLACEHOLDERS)
        )


def check_template(title: str, body: str) -> tuple[str, str]:
    """A template's title and text as saved, or InvalidInput with what is expected."""
    title = validation.template_title(title)
    body = validation.body(body, "template")
    check_placeholders(body)
    return title, body


def _template_fields(template: Template) -> dict[str, Any]:
    """What the audit records of a template."""
    return {
        "title": template.title,
        "body": template.body,
        "service": template.service,
        "language": template.language,
    }


def save_template(
    desk: Desk,
    *,
    by: str,
    title: str,
    body: str,
    language: Language | str,
    service: Service | str | None = None,
    template_id: int | None = None,
) -> int:
    """Add a template, or change one; returns its id. Saving it as it was records nothing."""
    title, body = check_template(title, body)
    language = validation.language(language) if isinstance(language, str) else language
    service = validation.service(service) if isinstance(service, str) else service
    with acting(desk, by=by, permission=Permission.edit_templates) as (session, operator):
        refuse_same_title(session, Template, title, language, service, own_id=template_id)
        before = None
        if template_id is None:
            template = Template(service=service, language=language, title=title, body=body)
        else:
            template = session.get(Template, template_id)
            if template is None:
                raise NotFound(f"no template {template_id}")
            before = _template_fields(template)
            if before == {"title": title, "body": body, "service": service, "language": language}:
                return template_id
            template.service, template.language = service, language
            template.title, template.body = title, body
        template.updated_by_id = operator.id
        template.updated_at = desk.now()
        session.add(template)
        try:
            session.flush()
        except sa.exc.IntegrityError:
            raise _same_title(Template, title, language, service) from None
        audit_staff(
            session,
            desk,
            action="template_add" if before is None else "template_save",
            operator=operator,
            before=before,
            after={"id": template.id, **_template_fields(template)},
            topic="template",
        )
        return template.id


def refuse_same_title(
    session: Any,
    kept: type[Template] | type[Macro],
    title: str,
    language: Language,
    service: Service | None,
    *,
    own_id: int | None,
) -> None:
    """A template or macro is picked by its title: one per service and language.
    The unique constraint cannot see this for "every service" (NULLs differ)."""
    same = session.exec(
        select(kept.id).where(
            kept.service.is_(None) if service is None else kept.service == service,
            kept.language == language,
            kept.title == title,
        )
    ).first()
    if same is not None and same != own_id:
        raise _same_title(kept, title, language, service)


def _same_title(
    kept: type[Template] | type[Macro], title: str, language: Language, service: Service | None
) -> TransitionRefused:
    return TransitionRefused(
        f"a {language.value} {kept.__name__.lower()} titled {title!r} already exists for "
        f"{service.value if service else 'every service'}"
    )


def set_template_active(desk: Desk, template_id: int, active: bool, *, by: str) -> None:
    """Withdraw a template (kept, no longer offered when replying) or bring it back."""
    set_kept_active(desk, Template, template_id, active, by=by)


def set_kept_active(
    desk: Desk, table: type[Template] | type[Macro], item_id: int, active: bool, *, by: str
) -> None:
    """Withdraw a template or a macro (kept, no longer offered) or bring it back."""
    noun = table.__tablename__
    with acting(desk, by=by, permission=Permission.edit_templates) as (session, operator):
        item = session.get(table, item_id)
        if item is None:
            raise NotFound(f"no {noun} {item_id}")
        if item.active == active:
            state = "in use" if active else "withdrawn"
            raise TransitionRefused(f"{noun} {item_id} is already {state}")
        item.active = active
        item.updated_by_id = operator.id
        item.updated_at = desk.now()
        session.add(item)
        audit_staff(
            session,
            desk,
            action=f"{noun}_restore" if active else f"{noun}_withdraw",
            operator=operator,
            before={"id": item_id, "title": item.title, "active": not active},
            after={"id": item_id, "title": item.title, "active": active},
            topic=noun,
        )


# Scam markers ----------------------------------------------------------------


def list_markers(desk: Desk, *, include_inactive: bool = False) -> list[ScamMarker]:
    with desk.db.read() as session:
        query = select(ScamMarker).order_by(ScamMarker.id)
        if not include_inactive:
            query = query.where(ScamMarker.active)
        return list(session.exec(query).all())


def add_marker(
    desk: Desk, pattern: str, *, by: str, is_regex: bool = False, description: str = ""
) -> int:
    """A word or phrase (matched case-folded) or a regular expression (matched as
    written) that intake looks for in each mail; returns its id. The same marker,
    already in use, is not added again (and nothing is recorded)."""
    pattern = validation.marker_pattern(pattern, is_regex=is_regex)
    description = " ".join(description.split())
    if len(description) > validation.MAX_MARKER_PATTERN:
        raise InvalidInput(
            f"the description is {len(description)} characters; "
            f"at most {validation.MAX_MARKER_PATTERN}"
        )
    with acting(desk, by=by, permission=Permission.edit_markers) as (session, operator):
        same = session.exec(
            select(ScamMarker.id).where(
                ScamMarker.pattern == pattern,
                ScamMarker.is_regex == is_regex,
                ScamMarker.description == description,
                ScamMarker.active,
            )
        ).first()
        if same is not None:
            # Already flagging mail just so: adding it again changes nothing.
            return same
        marker = ScamMarker(
            pattern=pattern,
            is_regex=is_regex,
            description=description,
            created_by_id=operator.id,
            created_at=desk.now(),
        )
        session.add(marker)
        session.flush()
        audit_staff(
            session,
            desk,
            action="marker_add",
            operator=operator,
            before=None,
            after={"id": marker.id, "pattern": pattern, "is_regex": is_regex},
            topic="marker",
        )
        return marker.id


def set_marker_active(desk: Desk, marker_id: int, active: bool, *, by: str) -> None:
    with acting(desk, by=by, permission=Permission.edit_markers) as (session, operator):
        marker = session.get(ScamMarker, marker_id)
        if marker is None:
            raise NotFound(f"no scam marker {marker_id}")
        if marker.active == active:
            state = "enabled" if active else "disabled"
            raise TransitionRefused(f"scam marker {marker_id} is already {state}")
        marker.active = active
        session.add(marker)
        audit_staff(
            session,
            desk,
            action="marker_enable" if active else "marker_disable",
            operator=operator,
            before={"id": marker_id, "pattern": marker.pattern, "active": not active},
            after={"id": marker_id, "pattern": marker.pattern, "active": active},
            topic="marker",
        )


# Drafts ------------------------------------------------------------------------


@dataclass(frozen=True)
class SavedDraft:
    body: str
    kind: DraftKind
    ticket_version: int
    # The last audit event the author had seen when it began (None: an old draft).
    seen_event: int | None = None
    # The macro applied to it, whose other actions go with the reply.
    macro_id: int | None = None


def save_draft(
    desk: Desk,
    number: int,
    body: str,
    *,
    by: str,
    kind: DraftKind = DraftKind.reply,
    ticket_version: int,
    seen_event: int | None = None,
    macro_id: int | None = None,
) -> None:
    """Saved as the operator types: private, unaudited, never bumps the ticket."""
    with desk.db.write(as_=by) as session:
        operator = find_operator(session, by)
        ticket_id = session.exec(select(Ticket.id).where(Ticket.number == number)).first()
        if ticket_id is None:
            raise NotFound(f"no ticket {number}")
        draft = session.exec(
            select(Draft).where(Draft.ticket_id == ticket_id, Draft.operator_id == operator.id)
        ).first()
        if draft is None:
            draft = Draft(
                ticket_id=ticket_id,
                operator_id=operator.id,
                body=body,
                kind=kind,
                ticket_version=ticket_version,
            )
        draft.body, draft.kind, draft.ticket_version = body, kind, ticket_version
        draft.seen_event, draft.macro_id = seen_event, macro_id
        draft.updated_at = desk.now()
        session.add(draft)


def draft_for(desk: Desk, number: int, *, by: str) -> SavedDraft | None:
    with desk.db.read(as_=by) as session:
        row = session.execute(
            sa.select(
                Draft.body, Draft.kind, Draft.ticket_version, Draft.seen_event, Draft.macro_id
            )
            .join(Ticket, Ticket.id == Draft.ticket_id)
            .join(Operator, Operator.id == Draft.operator_id)
            .where(Ticket.number == number, Operator.login == by)
        ).first()
    return SavedDraft(*row) if row else None


def discard_draft(desk: Desk, number: int, *, by: str) -> None:
    with desk.db.write(as_=by) as session:
        operator = find_operator(session, by)
        ticket_id = session.exec(select(Ticket.id).where(Ticket.number == number)).first()
        session.execute(
            sa.delete(Draft).where(Draft.ticket_id == ticket_id, Draft.operator_id == operator.id)
        )


# Preferences ---------------------------------------------------------------------


def save_preference(desk: Desk, key: str, value: dict[str, Any], *, by: str) -> None:
    with desk.db.write(as_=by) as session:
        operator = find_operator(session, by)
        preference = session.get(OperatorPreference, (operator.id, key))
        if preference is None:
            preference = OperatorPreference(operator_id=operator.id, key=key, value=value)
        preference.value = value
        preference.updated_at = desk.now()
        session.add(preference)
