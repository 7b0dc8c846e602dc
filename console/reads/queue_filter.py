"""What the queue shows: the filter bar's choices as one value, saved with an
operator's preferences.

A search looks through the whole desk unless the operator keeps it within the
view (`search_in_view`); a search that names a ticket (its number, a WMID,
purse or e-mail) always looks through the whole desk."""

from __future__ import annotations

from dataclasses import dataclass, replace
from enum import StrEnum
from typing import Any

from console.rules.queue_order import SortOrder
from console.rules.word_forms import names_a_ticket
from models import ACTIVE_STATUSES, EscalationKind, Role, Service, Status


class Assignee(StrEnum):
    """Whose tickets to show; any other value is an operator's login, or several
    scopes and logins joined by commas (either's tickets)."""

    mine_or_unassigned = "mine+unassigned"
    mine = "mine"
    unassigned = "unassigned"
    anyone = "anyone"


ASSIGNEE_SCOPES = tuple(Assignee)


@dataclass(frozen=True)
class QueueFilter:
    """What the filter bar says, and the order. Empty sets mean "any"; the
    default is what a new operator's console opens on: their own work and the
    unassigned queue, without unconfirmed, archived and expired tickets.
    `answered_today`: only tickets the viewer answered since 00:00 GMT."""

    services: frozenset[Service] = frozenset()
    statuses: frozenset[Status] = ACTIVE_STATUSES
    escalations: frozenset[EscalationKind] = frozenset()
    assignee: str = Assignee.mine_or_unassigned
    breached: bool = False
    search: str = ""
    answered_today: bool = False
    search_in_view: bool = False
    order: SortOrder = SortOrder.sla

    def with_(self, **changes: Any) -> QueueFilter:
        return replace(self, **changes)

    @property
    def whole_desk(self) -> bool:
        """A search that looks past the view's other filters."""
        if not self.search.strip():
            return False
        return not self.search_in_view or names_a_ticket(self.search)

    def applied(self) -> QueueFilter:
        """What the database is asked: the whole desk for such a search, and
        relevance only while searching."""
        searching = bool(self.search.strip())
        order = SortOrder.sla if self.order == SortOrder.relevance and not searching else self.order
        if self.whole_desk:
            return QueueFilter(
                statuses=frozenset(Status),
                assignee=Assignee.anyone,
                search=self.search,
                order=order,
            )
        return self if order == self.order else self.with_(order=order)

    def as_json(self) -> dict[str, Any]:
        return {
            "services": sorted(s.value for s in self.services),
            "statuses": sorted(s.value for s in self.statuses),
            "escalations": sorted(k.value for k in self.escalations),
            "assignee": str(self.assignee),
            "breached": self.breached,
            "search": self.search,
            "answered_today": self.answered_today,
            "search_in_view": self.search_in_view,
            "order": self.order.value,
        }

    @classmethod
    def from_json(cls, data: Any) -> QueueFilter:
        """Tolerant of values that no longer exist, and of any shape at all (the
        row is only JSON): a saved filter never breaks start-up."""
        if not isinstance(data, dict):
            return cls()

        def members(enum: type, values: Any) -> frozenset:
            values = values if isinstance(values, list) else []
            return frozenset(enum(v) for v in values if _named(v, enum))

        def flag(name: str) -> bool:
            return data.get(name) is True

        assignee, search, order = data.get("assignee"), data.get("search"), data.get("order")
        if not isinstance(assignee, str) or not assignee:
            assignee = Assignee.mine_or_unassigned
        return cls(
            services=members(Service, data.get("services")),
            statuses=members(Status, data.get("statuses")) or ACTIVE_STATUSES,
            escalations=members(EscalationKind, data.get("escalations")),
            assignee=assignee,
            breached=flag("breached"),
            search=search if isinstance(search, str) else "",
            answered_today=flag("answered_today"),
            search_in_view=flag("search_in_view"),
            order=SortOrder(order) if _named(order, SortOrder) else SortOrder.sla,
        )


def _named(value: Any, enum: type) -> bool:
    return isinstance(value, str) and value in enum._value2member_map_


# What a security officer's console opens on: the work that is theirs.
SECURITY_VIEW = QueueFilter(
    escalations=frozenset(
        {EscalationKind.fraud, EscalationKind.hacking, EscalationKind.wmid_block}
    ),
    assignee=Assignee.anyone,
)


def opening_view(role: Role) -> QueueFilter:
    """What a console opens on (and 0 goes back to): an operator's own work and
    the unassigned queue; a security officer's fraud, hacking and block requests."""
    return SECURITY_VIEW if role == Role.security else QueueFilter()
