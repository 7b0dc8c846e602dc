"""The queue: filtered pages of tickets in queue order, and the filter bar's counts.

Never loads the table. Pages come by keyset (the rows after or before a key
on the indexed sort columns of the filter's order) or, for a jump, by offset;
counts come from the ticket tally, or from an indexed count when a search, the
SLA filter or "answered by me today" narrows the set. Rows are Core tuples,
not ORM objects: this is the hot path.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa

from console.database import Database
from console.errors import InvalidInput, NotFound
from console.reads import queue_sql
from console.reads.facet_counts import Cell, Facets, facets_from_cells
from console.reads.facets import NOW, TODAY, count_cells, read_parameters
from console.reads.queue_filter import ASSIGNEE_SCOPES, Assignee, QueueFilter
from console.reads.queue_row import QueueKey, QueueRow
from console.reads.search import (
    Walk,
    estimated_matches,
    relevance_tiers,
    search_clause,
    walks_the_queue,
    whole_desk_count,
)
from console.rules.queue_order import (
    LIVE_RANKS,
    NOT_WORKED_RANK,
    SortOrder,
    flags_of,
)
from models import (
    ACTIVE_STATUSES,
    Message,
    MessageKind,
    Operator,
    Status,
    Ticket,
)

PAGE_SIZE = 50

_STATEMENTS_KEPT = 64


class Queue:
    """Queue reads for one viewer (whose "mine" is whose).

    Each filter's page statement is built once and kept (the last 64 filters):
    building a SQLAlchemy statement costs more than running it on an index.
    """

    def __init__(
        self, db: Database, viewer_id: int | None, *, counts_fresh_for: timedelta | None = None
    ) -> None:
        self.db = db
        self.viewer_id = viewer_id
        self._dialect = "postgresql" if db.is_postgres else "sqlite"
        self._login_ids: dict[str, int] = {}
        self._statements: OrderedDict[tuple, sa.Select] = OrderedDict()
        # The console reads pages on several threads at once.
        self._statements_lock = threading.Lock()
        # A console switching filters reuses the counted cells (they do not depend
        # on the filter, only on the search and the SLA filter) for this long, or
        # until told the database changed (forget_counts). Off by default: a
        # script that changes tickets and counts again must see its change.
        self._counts_fresh_for = counts_fresh_for
        self._counted: dict[tuple[str, bool, bool], tuple[datetime, list[Cell]]] = {}

    def _assignee_id(self, connection: sa.Connection, login: str) -> int:
        if login not in self._login_ids:
            found = connection.execute(
                sa.select(Operator.id).where(Operator.login == login)
            ).scalar_one_or_none()
            if found is None:
                raise NotFound(f"no operator {login!r} to filter by")
            self._login_ids[login] = found
        return self._login_ids[login]

    def _mine(self) -> int:
        if self.viewer_id is None:
            raise InvalidInput("'mine' needs to know who you are: pass --as LOGIN")
        return self.viewer_id

    def _assignee_condition(
        self, connection: sa.Connection, scope: str
    ) -> sa.ColumnElement[bool] | None:
        if "," in scope:
            # Several (the command line's --assignee olga,ivan): anyone's tickets of them.
            either = [self._assignee_condition(connection, part) for part in scope.split(",")]
            return None if any(part is None for part in either) else sa.or_(*either)
        if scope == Assignee.anyone:
            return None
        if scope == Assignee.unassigned:
            return Ticket.assignee_id.is_(None)
        if scope == Assignee.mine:
            return Ticket.assignee_id == self._mine()
        if scope == Assignee.mine_or_unassigned:
            if self.viewer_id is None:
                return Ticket.assignee_id.is_(None)
            return sa.or_(Ticket.assignee_id == self.viewer_id, Ticket.assignee_id.is_(None))
        return Ticket.assignee_id == self._assignee_id(connection, scope)

    def _conditions(
        self,
        connection: sa.Connection,
        f: QueueFilter,
        *,
        with_assignee: bool = True,
        walk: Walk | None = None,
    ) -> list[sa.ColumnElement[bool]]:
        """The filter as SQL; "now" is the bound parameter `now`."""
        conditions: list[sa.ColumnElement[bool]] = []
        statuses = f.statuses or frozenset(Status)
        # Bound the index range: live work sorts before everything nobody works,
        # so "all live statuses" is the rank range alone.
        if statuses <= ACTIVE_STATUSES:
            conditions.append(Ticket.queue_rank < NOT_WORKED_RANK)
        elif not statuses & ACTIVE_STATUSES:
            conditions.append(Ticket.queue_rank == NOT_WORKED_RANK)
        if statuses not in (frozenset(Status), ACTIVE_STATUSES):
            conditions.append(Ticket.status.in_(sorted(statuses)))
        if f.services:
            conditions.append(Ticket.service.in_(sorted(f.services)))
        if f.escalations:
            conditions.append(Ticket.escalation_flags.op("&")(flags_of(f.escalations)) != 0)
        if with_assignee:
            assignee = self._assignee_condition(connection, f.assignee)
            if assignee is not None:
                conditions.append(assignee)
        if f.breached:
            conditions.append(Ticket.due_at < NOW)
        conditions.extend(self.narrowing(f, walk=walk))
        return conditions

    def narrowing(
        self, f: QueueFilter, *, walk: Walk | None = None
    ) -> list[sa.ColumnElement[bool]]:
        """What narrows the set past the tally: the search, and "answered by me today"."""
        conditions = []
        searched = search_clause(f.search, self._dialect, walk=walk)
        if searched is not None:
            conditions.append(searched)
        if f.answered_today:
            # Answered today (indexed), and by me: one of today's replies is mine.
            mine = (
                sa.select(Message.id)
                .where(
                    Message.ticket_id == Ticket.id,
                    Message.kind == MessageKind.operator,
                    Message.author_id == self._mine(),
                    Message.created_at >= TODAY,
                )
                .exists()
            )
            conditions.extend([Ticket.answered_at >= TODAY, mine])
        return conditions

    def _branches(self, f: QueueFilter) -> tuple[list[sa.ColumnElement[bool]], bool]:
        """Split a filter that ORs values of an index's leading column (mine or
        unassigned; several services) into one branch per value: each branch then
        walks its index in queue order and stops after a page, instead of the
        database sorting every match. Returns the branches and whether they
        already carry the assignee condition.

        An order other than the queue's own is read one queue rank at a time:
        its index leads with the rank, so live work is one short stretch of it
        per rank, however large the archive."""
        if f.order.by_rank:
            statuses = f.statuses or frozenset(Status)
            ranks = [*LIVE_RANKS] if statuses & ACTIVE_STATUSES else []
            if not statuses <= ACTIVE_STATUSES:
                ranks.append(NOT_WORKED_RANK)
            return [Ticket.queue_rank == rank for rank in ranks], False
        if f.assignee == Assignee.mine_or_unassigned and self.viewer_id is not None:
            # Named, so the command line's quick path runs this SQL for any viewer.
            viewer = sa.bindparam("viewer_id", self.viewer_id, type_=sa.Integer)
            return [Ticket.assignee_id == viewer, Ticket.assignee_id.is_(None)], True
        if len(f.services) > 1 and f.assignee == Assignee.anyone:
            return [Ticket.service == service for service in sorted(f.services)], False
        return [], False

    def _page_statement(
        self,
        connection: sa.Connection,
        f: QueueFilter,
        *,
        keyed: bool,
        descending: bool,
        key_relevance: int | None = None,
    ) -> sa.Select:
        cache_key = (f, keyed, descending, key_relevance)
        with self._statements_lock:
            statement = self._statements.get(cache_key)
            if statement is not None:
                self._statements.move_to_end(cache_key)
                return statement
        statement = None
        if f.order == SortOrder.relevance:
            statement = self._tiers_query(
                connection, f, descending=descending, key_relevance=key_relevance
            )
        if statement is None:
            statement = self._page_query(connection, f, keyed=keyed, descending=descending)
        with self._statements_lock:
            self._statements[cache_key] = statement
            if len(self._statements) > _STATEMENTS_KEPT:
                self._statements.popitem(last=False)
        return statement

    def _page_query(
        self, connection: sa.Connection, f: QueueFilter, *, keyed: bool, descending: bool
    ) -> sa.Select:
        by_relevance = f.order == SortOrder.relevance
        branches, assignee_split = ([], False) if by_relevance else self._branches(f)
        walk = None if by_relevance else walks_the_queue(connection, f.search, self._dialect)
        conditions = self._conditions(connection, f, with_assignee=not assignee_split, walk=walk)
        sort = queue_sql.sort_columns(f, self._dialect)
        # Reading backwards in a newest-first order is reading forwards in the index.
        backwards = descending != f.order.descending
        query = queue_sql.ordered(
            conditions, sort, queue_sql.sort_key(f) if keyed else None, backwards=backwards
        )
        if by_relevance:
            query = query.add_columns(sort[0].label("relevance"))
        if not branches:
            return query.offset(queue_sql.OFFSET).limit(queue_sql.LIMIT)
        return queue_sql.merged([query.where(branch) for branch in branches], sort, backwards)

    def _tiers_query(
        self,
        connection: sa.Connection,
        f: QueueFilter,
        *,
        descending: bool,
        key_relevance: int | None,
    ) -> sa.Select | None:
        """A page by relevance, tier by tier (search.relevance_tiers): each tier
        in queue order, its relevance a constant. After a key, a tier that sorts
        before the key's is left out, and the key's own tier is read after the
        key's place in queue order. None when the search has no tiers."""
        walk = walks_the_queue(connection, f.search, self._dialect)
        tiers = relevance_tiers(connection, f.search, self._dialect, walk)
        if tiers is None:
            return None
        conditions = self._conditions(connection, f, walk=walk)
        columns = list(f.order.columns)
        queue_key = queue_sql.queue_key(f)
        parts = []
        for score, tier in tiers:
            sort_value = -score
            key = None
            if key_relevance is not None:
                passed = sort_value > key_relevance if descending else sort_value < key_relevance
                if passed:
                    continue
                key = queue_key if sort_value == key_relevance else None
            query = queue_sql.ordered([*conditions, tier], columns, key, backwards=descending)
            parts.append(query.add_columns(sa.literal(sort_value, sa.Integer).label("relevance")))
        if not parts:
            # Every tier sorts before the key: nothing comes after it.
            nothing = queue_sql.ordered([sa.false()], columns, None, backwards=descending)
            parts.append(nothing.add_columns(sa.literal(0, sa.Integer).label("relevance")))
        return queue_sql.merged(parts, [sa.column("relevance"), *columns], descending)

    def _ordered_rows(
        self,
        f: QueueFilter,
        now: datetime,
        *,
        key: QueueKey | None,
        descending: bool,
        limit: int,
        offset: int = 0,
    ) -> list[QueueRow]:
        f = f.applied()
        parameters: dict[str, Any] = {**read_parameters(now), "limit": limit, "offset": offset}
        if key is not None:
            parameters.update(queue_sql.key_parameters(f.order, key))
        with self.db.connect() as connection:
            if f.search and self._dialect == "postgresql":
                # A page of a search reads a few rows: starting parallel workers
                # costs more than they save (a WMID: 15-60 ms against 0.4).
                connection.exec_driver_sql("SET LOCAL max_parallel_workers_per_gather = 0")
            by_relevance = key is not None and f.order == SortOrder.relevance
            statement = self._page_statement(
                connection,
                f,
                keyed=key is not None,
                descending=descending,
                key_relevance=key[0] if by_relevance else None,
            )
            rows = connection.execute(statement, parameters).all()
        if f.order == SortOrder.relevance:
            # The sort column is minus the relevance.
            queue_rows = [QueueRow(*row[:-1], order=f.order, relevance=-row[-1]) for row in rows]
        else:
            queue_rows = [QueueRow(*row, order=f.order) for row in rows]
        return queue_rows[::-1] if descending else queue_rows

    def page(
        self,
        f: QueueFilter,
        now: datetime,
        *,
        after: QueueKey | None = None,
        limit: int = PAGE_SIZE,
    ) -> list[QueueRow]:
        """The first `limit` rows after `after` (from the top when None)."""
        return self._ordered_rows(f, now, key=after, descending=False, limit=limit)

    def page_before(
        self,
        f: QueueFilter,
        now: datetime,
        *,
        before: QueueKey | None = None,
        limit: int = PAGE_SIZE,
    ) -> list[QueueRow]:
        """The `limit` rows just before `before` (the last rows when None), in queue order."""
        return self._ordered_rows(f, now, key=before, descending=True, limit=limit)

    def page_at(
        self, f: QueueFilter, now: datetime, *, offset: int, limit: int = PAGE_SIZE
    ) -> list[QueueRow]:
        """Rows from position `offset`: for jumps, where no key is at hand."""
        return self._ordered_rows(
            f, now, key=None, descending=False, limit=limit, offset=max(offset, 0)
        )

    def position(self, f: QueueFilter, now: datetime, key: QueueKey) -> int:
        """How many rows come before `key`: where a ticket sits after rows above it moved."""
        f = f.applied()
        parameters = {**read_parameters(now), **queue_sql.key_parameters(f.order, key)}
        with self.db.connect() as connection:
            if f.order == SortOrder.relevance:
                tiers = relevance_tiers(connection, f.search, self._dialect, None, counted=True)
                if tiers is not None:
                    return self._position_in_tiers(connection, f, tiers, key, parameters)
            position, before = (
                sa.tuple_(*queue_sql.sort_columns(f, self._dialect)),
                queue_sql.sort_key(f),
            )
            query = (
                sa.select(sa.func.count())
                .select_from(Ticket)
                .where(
                    *self._conditions(connection, f),
                    position > before if f.order.descending else position < before,
                )
            )
            return connection.execute(query, parameters).scalar_one()

    def _position_in_tiers(
        self,
        connection: sa.Connection,
        f: QueueFilter,
        tiers: list[tuple[int, sa.ColumnElement[bool]]],
        key: QueueKey,
        parameters: dict[str, Any],
    ) -> int:
        """The rows before `key` by relevance, tier by tier: every row of a
        better tier, and the rows of the key's own before it in queue order."""
        conditions = self._conditions(connection, f)
        before = sa.tuple_(*f.order.columns) < queue_sql.queue_key(f)
        counted = 0
        for score, tier in tiers:
            if -score > key[0]:
                continue
            where = [*conditions, tier, *([before] if -score == key[0] else [])]
            query = sa.select(sa.func.count()).select_from(Ticket).where(*where)
            counted += connection.execute(query, parameters).scalar_one()
        return counted

    def key_of(self, ticket_id: int, f: QueueFilter | None = None) -> QueueKey | None:
        """Where a ticket sorts now in `f`'s order (queue order when None): a
        console keeps its cursor on the same ticket when rows above it come and
        go, or the ticket itself moves."""
        f = None if f is None else f.applied()
        with self.db.connect() as connection:
            if f is None or f.order != SortOrder.relevance:
                columns = SortOrder.sla.columns if f is None else f.order.columns
                return queue_sql.sort_key_of(connection, ticket_id, columns)
            # Asked of this one ticket's document, tier by tier (one word: every tier asked).
            tiers = relevance_tiers(connection, f.search, self._dialect, Walk(frozenset({0})))
            if tiers is None:
                sort = queue_sql.sort_columns(f, self._dialect)
                return queue_sql.sort_key_of(connection, ticket_id, sort)
            for score, tier in tiers:
                key = queue_sql.sort_key_of(connection, ticket_id, f.order.columns, tier)
                if key is not None:
                    return (-score, *key)
            # Not found by the search any more: it sorts as the least relevant.
            key = queue_sql.sort_key_of(connection, ticket_id, f.order.columns)
            return None if key is None else (-tiers[-1][0], *key)

    def row_of(self, ticket_id: int) -> QueueRow | None:
        """One ticket as a queue row, whatever the filter: a ticket acted on stays
        on screen, as it is now, after it leaves the view."""
        with self.db.connect() as connection:
            row = connection.execute(
                sa.select(*queue_sql.ROW_COLUMNS)
                .select_from(Ticket)
                .outerjoin(Operator, Operator.id == Ticket.assignee_id)
                .where(Ticket.id == ticket_id)
            ).one_or_none()
        return None if row is None else QueueRow(*row)

    def neighbour(self, f: QueueFilter, now: datetime, number: int, step: int) -> QueueRow | None:
        """The ticket after (step 1) or before (-1) ticket `number` in the filter's
        order, whether or not that one is still in the view; None past either end."""
        with self.db.connect() as connection:
            found = connection.execute(
                sa.select(Ticket.id).where(Ticket.number == number)
            ).scalar_one_or_none()
        key = None if found is None else self.key_of(found, f)
        if key is None:
            raise NotFound(f"no ticket {number}")
        if step > 0:
            rows = self.page(f, now, after=key, limit=1)
        else:
            rows = self.page_before(f, now, before=key, limit=1)
        return rows[0] if rows else None

    def any_tickets(self) -> bool:
        """False only for a database with no tickets at all (not merely none that match)."""
        with self.db.connect() as connection:
            return connection.execute(sa.select(Ticket.id).limit(1)).first() is not None

    def count(self, f: QueueFilter, now: datetime) -> int:
        return self.facets(f, now).total

    def facets(self, f: QueueFilter, now: datetime) -> Facets:
        f = f.applied()
        if f.whole_desk:
            with self.db.connect() as connection:
                counted = whole_desk_count(connection, f.search, self._dialect, Ticket.due_at < now)
            if counted is not None:
                return Facets(total=counted[0], breached=counted[1], itemised=False)
        with self.db.connect() as connection:
            cells = self._counted_cells(connection, f, now)
            one_login = f.assignee not in ASSIGNEE_SCOPES and "," not in f.assignee
            login_id = self._assignee_id(connection, f.assignee) if one_login else None
        return facets_from_cells(cells, f, self.viewer_id, login_id)

    def counted_so_far(self, f: QueueFilter, rows_read: int) -> Facets:
        """What the filter bar says of a whole-desk search while it is counted:
        PostgreSQL's estimate for one word, and never fewer than the rows read."""
        estimate = None
        if self._dialect == "postgresql":
            with self.db.connect() as connection:
                estimate = estimated_matches(connection, f.applied().search, self._dialect)
        return Facets(total=max(estimate or 0, rows_read), itemised=False, estimated=True)

    def forget_counts(self) -> None:
        """The database changed: the next facets count afresh."""
        self._counted = {}

    def _counted_cells(
        self, connection: sa.Connection, f: QueueFilter, now: datetime
    ) -> list[Cell]:
        key = (f.search, f.breached, f.answered_today)
        fresh_for = self._counts_fresh_for
        if fresh_for is not None:
            counted = self._counted.get(key)
            if counted is not None and timedelta(0) <= now - counted[0] < fresh_for:
                return counted[1]
        cells = count_cells(connection, now, self.narrowing(f), past_due_only=f.breached)
        if fresh_for is not None:
            self._counted = {**self._counted, key: (now, cells)}
        return cells


VIEWER_ID = sa.select(Operator.id).where(Operator.login == sa.bindparam("login"))


def viewer_id_for(db: Database, login: str | None) -> int | None:
    if login is None:
        return None
    with db.connect() as connection:
        return connection.execute(VIEWER_ID, {"login": login}).scalar_one_or_none()
