"""`wmconsole bench search`: what a search costs at N tickets, each figure
beside its floor, the same question asked of the index in raw SQL on the
driver in the same run (no application code), and the target it is held to."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial

import sqlalchemy as sa

from console.bench.queue import Echo, benchmark_desk, timed
from console.desk import Desk
from console.reads.queue import PAGE_SIZE, Assignee, Queue, QueueFilter, viewer_id_for
from console.reads.search import escape_like
from console.rules.queue_order import SortOrder
from console.rules.word_forms import parse
from models import Ticket

# The targets at a million tickets, in milliseconds.
PAGE_TARGET = 50.0
COUNT_TARGET = 300.0
PUNCTUATION_TARGET = 100.0
WMID_TARGET = 5.0
_COLUMNS = "t.id, t.number, t.service, t.status, t.subject, t.customer_wmid, t.queue_rank"
_ORDER = "ORDER BY t.queue_rank, t.queue_due, t.created_at, t.id LIMIT 50"
_OWN = ("subject", "customer_name", "customer_email", "customer_wmid", "customer_purse")


def _own_text(table: str) -> str:
    """A ticket's own text as the trigram index has it (migration 0008)."""
    return " || ' ' || ".join(
        [f"CAST({table}number AS TEXT)", *(f"coalesce({table}{column}, '')" for column in _OWN)]
    )


@dataclass(frozen=True)
class Figure:
    label: str
    found: int
    milliseconds: float
    floor: float
    target: float | None = None

    def line(self) -> str:
        ratio = self.milliseconds / self.floor if self.floor else float("inf")
        verdict = ""
        if self.target is not None:
            verdict = f"  target {self.target:>5.0f} ms " + (
                "met" if self.milliseconds < self.target else "MISSED"
            )
        return (
            f"{self.label:<44} {self.found:>8} {self.milliseconds:9.1f} ms "
            f"{self.floor:9.1f} ms {ratio:6.1f}x{verdict}"
        )


class RawSearch:
    """The floor: the index asked directly on the DB-API connection."""

    def __init__(self, desk: Desk) -> None:
        self.postgres = desk.db.is_postgres
        self._raw = desk.db.engine.raw_connection()
        self._mark = "%s" if self.postgres else "?"

    def close(self) -> None:
        self._raw.close()

    def _run(self, sql: str, parameters: tuple) -> list:
        cursor = self._raw.cursor()
        cursor.execute(sql.replace("?", self._mark), parameters)
        return cursor.fetchall()

    def _documents(self, word: str) -> tuple[str, tuple]:
        term = parse(word)[0]
        if self.postgres:
            query = " <-> ".join(term.words) + (":*" if term.prefix else "")
            return (
                "SELECT ticket_id FROM ticketsearch WHERE words @@ to_tsquery('wm_search', ?)",
                (query,),
            )
        return (
            "SELECT rowid FROM ticket_search WHERE ticket_search MATCH ?",
            ('"' + " ".join(term.stems) + '"' + ("*" if term.prefix else ""),),
        )

    def page(self, word: str) -> list[Callable[[], list]]:
        """A first page in queue order, each way the index can find it (the
        faster one is the floor). PostgreSQL's planner chooses itself. SQLite's
        walk the queue's index (`+ 0` keeps the id index out of it) and look
        each ticket up among the matches read once, or ask each ticket's
        document for the word's forms, as the vocabulary spells them."""
        documents, parameters = self._documents(word)
        if self.postgres:
            return [self._page_where(f"t.id IN ({documents})", parameters)]
        forms = (
            "(SELECT group_concat('\"' || term || '\"', ' OR ') FROM temp.ticket_search_terms "
            "WHERE term >= ? AND term < ? || char(1114111))"
        )
        stem = parse(word)[0].stems[-1]
        return [
            self._page_where(f"t.id + 0 IN ({documents})", parameters),
            self._page_where(
                "EXISTS (SELECT 1 FROM ticket_search s WHERE s.ticket_search MATCH "  # noqa: S608
                f"{forms} AND s.rowid = t.id)",
                (stem, stem),
            ),
        ]

    def _page_where(self, condition: str, parameters: tuple) -> Callable[[], list]:
        """A first page in queue order, as wmconsole reads it: on PostgreSQL
        without parallel workers."""
        sql = f"SELECT {_COLUMNS} FROM ticket t WHERE {condition} {_ORDER}"  # noqa: S608
        if not self.postgres:
            return lambda: self._run(sql, parameters)

        def run() -> list:
            cursor = self._raw.cursor()
            cursor.execute("SET max_parallel_workers_per_gather = 0")
            try:
                return self._run(sql, parameters)
            finally:
                cursor.execute("RESET max_parallel_workers_per_gather")

        return run

    def count(self, word: str) -> list[Callable[[], list]]:
        """The count, each way the index can give it (the faster one is the
        floor): from the search documents, and on PostgreSQL from the words as
        numbers (migration 0010)."""
        documents, parameters = self._documents(word)
        forms = [lambda: self._run(f"SELECT count(*) FROM ({documents}) d", parameters)]  # noqa: S608
        if self.postgres:
            numbers = (
                "SELECT coalesce(array_agg(id), '{}') FROM searchword WHERE word >= ? "
                "AND word < ? || chr(1114111)"
            )
            stem = (parse(word)[0].stems[-1],) * 2
            counted = f"SELECT count(*) FROM ticketwords WHERE word_ids && ({numbers})"  # noqa: S608
            forms.append(lambda: self._run(counted, stem))
        return forms

    def estimate(self, word: str) -> Callable[[], list]:
        """PostgreSQL's estimate of the count, from its statistics."""
        documents, parameters = self._documents(word)
        return lambda: self._run(f"EXPLAIN (FORMAT JSON) {documents}", parameters)

    def written(self, text: str) -> list[Callable[[], list]]:
        """A word with punctuation as written, in a message or the ticket's own
        text, among the tickets the word index finds: both ways of finding a
        page (the faster one is the floor): sorting every ticket found, and
        walking the queue's index until a page is found."""
        documents, parameters = self._documents(text)
        parameters = (*parameters, *(["%" + escape_like(text) + "%"] * 2))
        like = "ILIKE" if self.postgres else "LIKE"
        as_written = (
            f"({_own_text('t.')} {like} ? ESCAPE '\\' OR EXISTS (SELECT 1 FROM message m "  # noqa: S608
            f"WHERE m.ticket_id = t.id AND m.body {like} ? ESCAPE '\\'))"
        )
        # PostgreSQL's walk asks each ticket's document; its sort, the trigram indexes.
        walked = (
            "(SELECT words @@ to_tsquery('wm_search', ?) FROM ticketsearch WHERE ticket_id = t.id)"
            if self.postgres
            else f"t.id + 0 IN ({documents})"
        )
        in_sort = (
            f"t.id IN (SELECT id FROM ticket WHERE {_own_text('')} ILIKE ? ESCAPE '\\' "  # noqa: S608
            f"UNION SELECT ticket_id FROM message WHERE body ILIKE ? ESCAPE '\\')"
            if self.postgres
            else as_written
        )
        return [
            self._page_where(f"{walked} AND {as_written}", parameters),
            self._page_where(f"t.id IN ({documents}) AND {in_sort}", parameters),
        ]

    def wmid(self, wmid: str) -> Callable[[], list]:
        return self._page_where("t.customer_wmid = ?", (wmid,))


def search_figures(desk: Desk, echo: Echo, words: tuple[str, ...], viewer: str = "olga") -> None:
    queue = Queue(desk.db, viewer_id_for(desk.db, viewer))
    now = desk.now()
    desk_wide = QueueFilter(assignee=Assignee.anyone)
    raw = RawSearch(desk)
    figures: list[Figure] = []

    def measure(label, f, app, floor, target=None, repeat=7):
        floors = floor if isinstance(floor, list) else [floor]
        fastest = min(timed(form, repeat) for form in floors)
        found = queue.facets(f, now).total
        figures.append(Figure(label, found, timed(app, repeat), fastest, target))

    try:
        for word in words:
            f = desk_wide.with_(search=word)
            page = raw.page(word)
            measure(f"first page, {word!r}", f, lambda f=f: queue.page(f, now), page, PAGE_TARGET)
            count = (lambda f=f: queue.facets(f, now), raw.count(word))
            measure(f"count (filter bar), {word!r}", f, *count, COUNT_TARGET, repeat=3)
            if raw.postgres:
                # What the filter bar shows with the first page while it counts.
                first = (partial(queue.counted_so_far, f, PAGE_SIZE), raw.estimate(word))
                measure(f"first figure (filter bar), {word!r}", f, *first, COUNT_TARGET)
            by_relevance = partial(queue.page, f.with_(order=SortOrder.relevance), now)
            measure(f"first page by relevance, {word!r}", f, by_relevance, page, repeat=3)
        for text in ("100%", "e-num"):
            f = desk_wide.with_(search=text)
            written = (lambda f=f: queue.page(f, now), raw.written(text))
            measure(f"first page, {text!r}", f, *written, PUNCTUATION_TARGET)
        wmid = _some_wmid(desk)
        f = desk_wide.with_(search=wmid)
        named = (lambda: queue.page(f, now), raw.wmid(wmid))
        measure(f"first page, WMID {wmid}", f, *named, WMID_TARGET, repeat=15)
    finally:
        raw.close()
    _print_figures(figures, echo)


def _print_figures(figures: list[Figure], echo: Echo) -> None:
    echo(f"{'search (whole desk)':<44} {'tickets':>8} {'wmconsole':>12} {'floor':>12} {'ratio':>7}")
    for figure in figures:
        echo(figure.line())


def _some_wmid(desk: Desk) -> str:
    with desk.db.connect() as connection:
        found = connection.execute(
            sa.select(Ticket.customer_wmid).where(Ticket.customer_wmid.is_not(None)).limit(1)
        ).scalar()
    return found or "123456789012"


def run_search_benchmark(
    db_url: str | None,
    *,
    tickets: int,
    seed: int,
    postgres: bool,
    words: tuple[str, ...],
    echo: Echo,
) -> None:
    with benchmark_desk(db_url, tickets=tickets, seed=seed, postgres=postgres, echo=echo) as desk:
        search_figures(desk, echo, words)
