"""The queue's pages as SQL: the columns of a row, what each order sorts by
and the keys a page starts after (and one ticket's key), and the selects that
read a page in order or merge several parts' first rows (console/reads/queue.py
builds them)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa

from console.reads.queue_filter import QueueFilter
from console.reads.queue_row import QueueKey
from console.reads.search import relevance
from console.rules.queue_order import SortOrder
from models import Operator, Ticket

ROW_COLUMNS = (
    Ticket.id,
    Ticket.number,
    Ticket.service,
    Ticket.status,
    Ticket.subject,
    Ticket.customer_wmid,
    Ticket.customer_email,
    Operator.login,
    Ticket.created_at,
    Ticket.due_at,
    Ticket.escalation_flags,
    Ticket.queue_rank,
    Ticket.queue_due,
    Ticket.version,
    Ticket.waiting_since,
    Ticket.assigned_at,
    Ticket.last_customer_at,
    Ticket.updated_at,
)


LIMIT = sa.bindparam("limit", type_=sa.Integer)
OFFSET = sa.bindparam("offset", type_=sa.Integer)
RELEVANCE_KEY = sa.bindparam("key_relevance", type_=sa.Integer)


def sort_columns(f: QueueFilter, dialect: str) -> list[sa.ColumnElement]:
    """What a filter sorts by: its order's columns, after minus the relevance
    when sorted by best match."""
    columns = list(f.order.columns)
    if f.order == SortOrder.relevance:
        return [-relevance(f.search, dialect), *columns]
    return columns


def ordered(
    conditions: list[sa.ColumnElement[bool]],
    sort: list[sa.ColumnElement],
    key: sa.Tuple | None,
    *,
    backwards: bool,
) -> sa.Select:
    """The queue's rows that meet `conditions`, in `sort` order (reversed
    `backwards`), after `key` (before it, backwards)."""
    if key is not None:
        position = sa.tuple_(*sort)
        conditions = [*conditions, position < key if backwards else position > key]
    return (
        sa.select(*ROW_COLUMNS)
        .select_from(Ticket)
        .outerjoin(Operator, Operator.id == Ticket.assignee_id)
        .where(*conditions)
        .order_by(*(column.desc() if backwards else column for column in sort))
    )


def merged(parts: list[sa.Select], sort: list[sa.ColumnElement], backwards: bool) -> sa.Select:
    """Each part's first rows, merged in `sort` order: each part walks its
    index and stops after a page, instead of the database sorting every match."""
    reach = OFFSET + LIMIT
    merged = sa.union_all(*(sa.select(part.limit(reach).subquery()) for part in parts)).subquery()
    keys = [merged.c[column.key] for column in sort]
    return (
        sa.select(merged)
        .order_by(*(key.desc() if backwards else key for key in keys))
        .offset(OFFSET)
        .limit(LIMIT)
    )


def sort_key(f: QueueFilter) -> sa.Tuple:
    """The bound key the sort columns are compared with."""
    bound = queue_key(f).clauses
    return sa.tuple_(RELEVANCE_KEY, *bound) if f.order == SortOrder.relevance else sa.tuple_(*bound)


def queue_key(f: QueueFilter) -> sa.Tuple:
    """The bound key the order's own columns are compared with."""
    return sa.tuple_(
        *(sa.bindparam(f"key_{column.key}", type_=column.type) for column in f.order.columns)
    )


def key_parameters(order: SortOrder, key: QueueKey) -> dict[str, Any]:
    columns = order.columns
    parameters = {
        f"key_{column.key}": value
        for column, value in zip(columns, key[-len(columns) :], strict=True)
    }
    if len(key) > len(columns):
        parameters["key_relevance"] = key[0]
    return parameters


def sort_key_of(
    connection: sa.Connection,
    ticket_id: int,
    columns: Sequence[sa.ColumnElement],
    *conditions: sa.ColumnElement[bool],
) -> QueueKey | None:
    """The ticket's values of `columns`, if it meets `conditions`."""
    query = sa.select(*columns).where(Ticket.id == ticket_id, *conditions)
    row = connection.execute(query).first()
    return None if row is None else tuple(row)
