"""What the queue shows: the filter bar's choices as one value, saved with an
operator's preferences."""

from __future__ import annotations

import shlex
from collections.abc import Iterable
from dataclasses import dataclass, replace
from enum import StrEnum
from typing import Any

from console.rules.queue_order import SortOrder
from models import ACTIVE_STATUSES, EscalationKind, Service, Status


def search_words(text: str) -> list[str]:
    """Words, with "quoted phrases" kept whole; unbalanced quotes are taken literally."""
    try:
        words = shlex.split(text)
    except ValueError:
        words = text.split()
    return [word for word in (w.strip() for w in words) if word]


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
    order: SortOrder = SortOrder.sla

    def with_(self, **changes: Any) -> QueueFilter:
        return replace(self, **changes)

    def as_json(self) -> dict[str, Any]:
        return {
            "services": sorted(s.value for s in self.services),
            "statuses": sorted(s.value for s in self.statuses),
            "escalations": sorted(k.value for k in self.escalations),
            "assignee": str(self.assignee),
            "breached": self.breached,
            "search": self.search,
            "answered_today": self.answered_today,
            "order": self.order.value,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> QueueFilter:
        """Tolerant of values that no longer exist: a saved filter never breaks start-up."""

        def members(enum: type, values: Iterable[str]) -> frozenset:
            return frozenset(enum(v) for v in values if v in enum._value2member_map_)

        return cls(
            services=members(Service, data.get("services", [])),
            statuses=members(Status, data.get("statuses", [])) or ACTIVE_STATUSES,
            escalations=members(EscalationKind, data.get("escalations", [])),
            assignee=str(data.get("assignee") or Assignee.mine_or_unassigned),
            breached=bool(data.get("breached", False)),
            search=str(data.get("search", "")),
            answered_today=bool(data.get("answered_today", False)),
            order=SortOrder(data.get("order", "sla"))
            if data.get("order") in SortOrder._value2member_map_
            else SortOrder.sla,
        )
