"""The operator at a console: who they are, and what they keep between
sessions (the queue's filter and columns). The console's first paint reads both
with the DB-API (console.reads.quick, from these very statements)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

from models import Operator, OperatorPreference

if TYPE_CHECKING:
    from console.desk import Desk

OPERATOR_CARD = sa.select(
    Operator.id, Operator.login, Operator.name, Operator.role, Operator.active
).where(Operator.login == sa.bindparam("login"))

PREFERENCE_OF = (
    sa.select(OperatorPreference.value)
    .join(Operator, Operator.id == OperatorPreference.operator_id)
    .where(Operator.login == sa.bindparam("login"), OperatorPreference.key == sa.bindparam("key"))
)


def load_preference(desk: Desk, key: str, *, by: str) -> dict[str, Any] | None:
    with desk.db.read(as_=by) as session:
        row = session.execute(PREFERENCE_OF, {"login": by, "key": key}).first()
    return row[0] if row else None
