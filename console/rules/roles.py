"""What each role may do. Checked in console/, so no screen or script can go around it."""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING

from console.errors import Forbidden
from models import EscalationKind, Role

if TYPE_CHECKING:
    from models import Operator


class Permission(StrEnum):
    work_tickets = "work tickets"
    assign = "assign tickets to others"
    decide_block = "approve or reject a WMID block"
    clear_urgent_escalation = "clear a fraud, hacking or WMID-block escalation"
    edit_templates = "edit templates"
    edit_markers = "edit scam markers"
    view_quarantine = "see quarantined mail"
    retry_notices = "put a failed notice back in the outbox"
    view_dashboard = "see the supervisor dashboard"


_EVERYONE = frozenset(Role)
_SUPERVISOR = frozenset({Role.supervisor})
_OFFICERS = frozenset({Role.supervisor, Role.security})

ALLOWED: dict[Permission, frozenset[Role]] = {
    Permission.work_tickets: _EVERYONE,
    Permission.assign: _SUPERVISOR,
    Permission.decide_block: _OFFICERS,
    Permission.clear_urgent_escalation: _OFFICERS,
    Permission.edit_templates: _SUPERVISOR,
    Permission.edit_markers: _OFFICERS,
    Permission.view_quarantine: _OFFICERS,
    Permission.retry_notices: _OFFICERS,
    Permission.view_dashboard: _OFFICERS,
}

URGENT_ESCALATIONS = frozenset(
    {EscalationKind.wmid_block, EscalationKind.fraud, EscalationKind.hacking}
)

_ROLE_NAMES = {
    Role.operator: "an operator",
    Role.supervisor: "a supervisor",
    Role.security: "a security officer",
}


def roles_for(permission: Permission) -> str:
    names = [_ROLE_NAMES[role] for role in Role if role in ALLOWED[permission]]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " or " + names[-1]


def may(operator: Operator, permission: Permission) -> bool:
    return operator.active and operator.role in ALLOWED[permission]


def require(operator: Operator, permission: Permission) -> None:
    if not operator.active:
        raise Forbidden(f"{operator.login} is deactivated and may not {permission.value}")
    if operator.role not in ALLOWED[permission]:
        raise Forbidden(
            f"{operator.login} is {_ROLE_NAMES[operator.role]}: "
            f"to {permission.value} takes {roles_for(permission)}"
        )
