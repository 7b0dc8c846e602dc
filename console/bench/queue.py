"""Benchmarks that print figures, each beside a baseline measured in the same run
(these machines are shared and noisy: compare ratios, not absolute times)."""

from __future__ import annotations

import statistics
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from console.demo.generator import load_demo
from console.desk import Desk, open_desk
from console.reads.queue import Assignee, Queue, QueueFilter, viewer_id_for
from console.rules.queue_order import QUEUE_ORDERS
from models import EscalationKind, Service, Status, Ticket

Echo = Callable[[str], None]


def timed(action: Callable[[], Any], repeat: int = 15) -> float:
    """Median wall time in milliseconds, after one warm-up run."""
    action()
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        action()
        samples.append(time.perf_counter() - started)
    return statistics.median(samples) * 1000


def ensure_demo(desk: Desk, tickets: int, seed: int, echo: Echo) -> None:
    with desk.db.connect() as connection:
        existing = connection.execute(sa.select(sa.func.count()).select_from(Ticket)).scalar()
    if existing >= tickets:
        echo(f"demo data: reusing {existing} tickets already in the database")
        return
    result = load_demo(desk, tickets=tickets - existing, seed=seed)
    echo(
        f"demo data: {result.tickets} tickets, {result.messages} messages loaded in "
        f"{result.seconds:.1f} s ({result.tickets / result.seconds:,.0f} tickets/s)"
    )


def _baselines(desk: Desk) -> tuple[float, float]:
    """The same reads as plain SQL on the driver, no application code at all."""
    page = (
        "SELECT id, number, service, status, subject FROM ticket "
        "ORDER BY queue_rank, queue_due, created_at, id LIMIT 50"
    )
    group = "SELECT status, service, count(*) FROM ticket GROUP BY status, service"
    raw = desk.db.engine.raw_connection()
    try:
        cursor = raw.cursor()

        def run(sql: str) -> None:
            cursor.execute(sql)
            cursor.fetchall()

        return timed(lambda: run(page), 50), timed(lambda: run(group), 5)
    finally:
        raw.close()


def queue_figures(desk: Desk, echo: Echo, viewer: str = "olga") -> None:
    queue = Queue(desk.db, viewer_id_for(desk.db, viewer))
    now = desk.now()
    opening = QueueFilter()
    everything = QueueFilter(statuses=frozenset(Status), assignee=Assignee.anyone)
    first = queue.page(opening, now)
    raw_page, raw_group = _baselines(desk)
    echo(
        f"baseline: raw indexed page query {raw_page:.3f} ms; "
        f"raw GROUP BY status, service {raw_group:.1f} ms"
    )
    pages = {
        "page: opening view, top": lambda: queue.page(opening, now),
        "page: opening view, next (keyset)": lambda: queue.page(
            opening, now, after=first[-1].key if first else None
        ),
        "page: opening view, last": lambda: queue.page_before(opening, now),
        "page: all tickets, top": lambda: queue.page(everything, now),
        "page: all tickets, last": lambda: queue.page_before(everything, now),
        "page: one service": lambda: queue.page(
            everything.with_(services=frozenset({Service.keeper})), now
        ),
        "page: two services": lambda: queue.page(
            everything.with_(services=frozenset({Service.keeper, Service.cards})), now
        ),
        "page: fraud escalations": lambda: queue.page(
            everything.with_(escalations=frozenset({EscalationKind.fraud})), now
        ),
        "page: mine, any status": lambda: queue.page(everything.with_(assignee="mine"), now),
        "page: SLA breached": lambda: queue.page(opening.with_(breached=True), now),
    }
    for label, action in pages.items():
        figure = timed(action)
        echo(f"{label:<40} {figure:8.2f} ms  ({figure / raw_page:5.1f}x raw page)")
    middle = queue.facets(everything, now).total // 2
    figure = timed(lambda: queue.page_at(everything, now, offset=middle), 3)
    echo(f"{'page: jump to the middle (offset ' + str(middle) + ')':<40} {figure:8.2f} ms")
    facets = {
        "facets: opening view": opening,
        "facets: all tickets": everything,
        "facets: SLA breached": opening.with_(breached=True),
    }
    for label, f in facets.items():
        figure = timed(lambda f=f: queue.facets(f, now), 10)
        echo(f"{label:<40} {figure:8.2f} ms  ({figure / raw_group:5.2f}x raw GROUP BY)")
    wmid = next((row.customer_wmid for row in first if row.customer_wmid), "123456789012")
    for word in ("пароль", "WMZ", "скриншот", wmid):
        searched = everything.with_(search=word)
        page = timed(lambda s=searched: queue.page(s, now), 3)
        counts = timed(lambda s=searched: queue.facets(s, now), 3)
        hits = queue.facets(searched, now).total
        echo(f"search {word!r:<20} {hits:>8} tickets: page {page:8.2f} ms, counts {counts:8.2f} ms")


# The indexes migration 0007 added for the queue's other orders.
ORDER_INDEXES = {
    "ix_ticket_age": ("queue_rank", "created_at", "id", "assignee_id"),
    "ix_ticket_last_customer": ("queue_rank", "last_customer_at", "id", "assignee_id"),
    "ix_ticket_updated": ("queue_rank", "updated_at", "id", "assignee_id"),
}


def order_figures(desk: Desk, echo: Echo, viewer: str = "olga") -> dict[str, list[float]]:
    """Each order an operator may sort by: the opening view's top page, the next
    page by keyset, the last page, a ticket's position (the cursor kept on it),
    and every ticket's top page."""
    queue = Queue(desk.db, viewer_id_for(desk.db, viewer))
    now = desk.now()
    figures: dict[str, list[float]] = {}
    for order in QUEUE_ORDERS:
        opening = QueueFilter(order=order)
        everything = QueueFilter(statuses=frozenset(Status), assignee=Assignee.anyone, order=order)
        first = queue.page(opening, now) or queue.page(everything, now)
        last_key, middle_key = first[-1].key, first[len(first) // 2].key
        actions = [
            lambda f=opening: queue.page(f, now),
            lambda f=opening, k=last_key: queue.page(f, now, after=k),
            lambda f=opening: queue.page_before(f, now),
            lambda f=opening, k=middle_key: queue.position(f, now, k),
            lambda f=everything: queue.page(f, now),
        ]
        figures[order.value] = [timed(action, 5) for action in actions]
        top, after, last, position, whole = figures[order.value]
        echo(
            f"order {order.value:<9} top {top:7.2f} ms  next {after:7.2f} ms  "
            f"last {last:7.2f} ms  position {position:7.2f} ms  all tickets {whole:7.2f} ms"
        )
    return figures


def orders_without_their_indexes(desk: Desk, echo: Echo) -> None:
    """The same figures without the order indexes, as before migration 0007 (they
    are dropped for the measure and built again after it)."""
    with desk.db.write_connection() as connection:
        for name in ORDER_INDEXES:
            connection.exec_driver_sql(f"DROP INDEX {name}")
    echo("without the order indexes (as before migration 0007):")
    try:
        order_figures(desk, echo)
    finally:
        with desk.db.write_connection() as connection:
            for name, columns in ORDER_INDEXES.items():
                connection.exec_driver_sql(f"CREATE INDEX {name} ON ticket ({', '.join(columns)})")
        echo("the order indexes are back")


@contextmanager
def benchmark_desk(
    db_url: str | None, *, tickets: int, seed: int, postgres: bool, echo: Echo
) -> Iterator[Desk]:
    """The desk a benchmark measures: `db_url`, a throwaway PostgreSQL server or
    a temporary SQLite file, topped up with demo tickets to `tickets`."""
    with ExitStack() as stack:
        if postgres and db_url is None:
            from console.bench.throwaway_postgres import ThrowawayPostgres

            server = stack.enter_context(ThrowawayPostgres(durable=True))
            db_url = server.create_database("bench")
            echo(f"PostgreSQL: throwaway server on port {server.port}")
        if db_url is None:
            folder = stack.enter_context(tempfile.TemporaryDirectory(prefix="wmconsole-bench-"))
            db_url = str(Path(folder) / "bench.db")
        desk = open_desk(db_url)
        stack.callback(desk.close)
        echo(f"database: {desk.db.url.render_as_string(hide_password=True)}")
        ensure_demo(desk, tickets, seed, echo)
        yield desk


def run_queue_benchmark(
    db_url: str | None,
    *,
    tickets: int,
    seed: int,
    postgres: bool,
    echo: Echo,
    before_after: bool = False,
) -> None:
    with benchmark_desk(db_url, tickets=tickets, seed=seed, postgres=postgres, echo=echo) as desk:
        queue_figures(desk, echo)
        echo("the queue's orders (o), with their indexes:")
        order_figures(desk, echo)
        if before_after:
            orders_without_their_indexes(desk, echo)
