"""Generated rows into the database fast: executemany on SQLite, COPY on
PostgreSQL, in one transaction, with what slows a bulk load (the search
triggers, and the indexes when the load outgrows what is there) dropped first
and rebuilt once at the end. The loaded tickets' search documents (migration
0008) are written from their rows, as its triggers would have."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from console.demo.rows import COLUMNS, Batch
from console.desk import Desk
from console.rules.word_forms import index_text

_OWN_COLUMNS = (
    "number",
    "subject",
    "customer_name",
    "customer_email",
    "customer_wmid",
    "customer_purse",
)
_OWN_TEXT = " || ' ' || ".join(f"coalesce(CAST(t.{column} AS TEXT), '')" for column in _OWN_COLUMNS)
# After the load, with the message index still dropped: one grouped pass.
_POSTGRES_DOCUMENTS = (
    "INSERT INTO ticketsearch (ticket_id, words) "  # noqa: S608  (fixed names)
    f"SELECT t.id, setweight(wm_search_words({_OWN_TEXT}), 'A') || coalesce(thread.words, '') "
    "FROM ticket t LEFT JOIN (SELECT ticket_id, wm_search_words(string_agg(body, ' ' "
    "ORDER BY id)) AS words FROM message WHERE ticket_id > %s GROUP BY ticket_id) thread "
    "ON thread.ticket_id = t.id WHERE t.id > %s"
)
# Then their words as numbers, for counting (migration 0010): new words first.
_POSTGRES_NEW_WORDS = (
    'INSERT INTO searchword (word) SELECT DISTINCT lexeme COLLATE "C" FROM ticketsearch, '
    "unnest(tsvector_to_array(words)) AS lexeme WHERE ticket_id > %s AND NOT EXISTS "
    '(SELECT 1 FROM searchword w WHERE w.word = lexeme COLLATE "C") ORDER BY 1 '
    "ON CONFLICT (word) DO NOTHING"
)
_POSTGRES_COUNTED_WORDS = (
    "INSERT INTO ticketwords (ticket_id, word_ids) "
    "SELECT d.ticket_id, array_agg(w.id ORDER BY w.id) FROM ticketsearch d "
    "CROSS JOIN LATERAL unnest(tsvector_to_array(d.words)) AS lexeme (word) "
    "JOIN searchword w ON w.word = lexeme.word WHERE d.ticket_id > %s GROUP BY d.ticket_id"
)
_POSTGRES_TRIGGERS = {
    "ticket": ("wm_search_new_ticket",),
    "message": ("wm_search_new_message",),
    "ticketsearch": ("wm_search_count_words",),
}


def _insert_rows(raw, table: str, rows: list[tuple]) -> None:
    columns = COLUMNS[table]
    statement = (
        f"INSERT INTO {table} ({', '.join(columns)}) "  # noqa: S608  (fixed names)
        f"VALUES ({', '.join('?' * len(columns))})"
    )
    raw.executemany(statement, rows)


def _copy_rows(raw, table: str, rows: list[tuple]) -> None:
    with (
        raw.cursor() as cursor,
        cursor.copy(f"COPY {table} ({', '.join(COLUMNS[table])}) FROM STDIN") as copy,
    ):
        for row in rows:
            copy.write_row(row)


def _secondary_structures(raw, sqlite: bool, *, indexes: bool) -> list[tuple[str, str]]:
    """(name, DDL) of what slows a bulk load: the search triggers on SQLite and,
    for a load larger than what is there, the ticket and message indexes,
    which are faster rebuilt in one sort than grown row by row."""
    if sqlite:
        kinds = "('trigger', 'index')" if indexes else "('trigger')"
        rows = raw.execute(
            f"SELECT type || ' ' || name, sql FROM sqlite_master WHERE type IN {kinds} "  # noqa: S608
            "AND tbl_name IN ('ticket', 'message') AND sql IS NOT NULL "
            "AND name NOT LIKE '%search_update'"
        ).fetchall()
        return [(name, sql) for name, sql in rows]
    if not indexes:
        return []
    with raw.cursor() as cursor:
        cursor.execute(
            "SELECT 'index ' || indexname, indexdef FROM pg_indexes "
            "WHERE tablename IN ('ticket', 'message', 'ticketsearch', 'ticketwords') "
            "AND indexname NOT LIKE 'pk_%' "
            "AND indexname NOT LIKE 'uq_%'"
        )
        return list(cursor.fetchall())


def _index_for_search(raw, batch: Batch) -> None:
    """The batch's tickets into SQLite's search index, each with its thread,
    stemmed here from the rows at hand (the message index may be dropped)."""
    ticket_columns, message_columns = COLUMNS["ticket"], COLUMNS["message"]
    own = [ticket_columns.index(column) for column in _OWN_COLUMNS]
    ticket_of = message_columns.index("ticket_id")
    body = message_columns.index("body")
    threads: dict[int, list[str]] = {}
    for message in batch.message:
        threads.setdefault(message[ticket_of], []).append(message[body])
    raw.executemany(
        "INSERT INTO ticket_search(rowid, own, thread) VALUES (?, ?, ?)",
        [
            (
                row[ticket_columns.index("id")],
                index_text(" ".join(str(row[at]) for at in own if row[at] is not None)),
                index_text(" ".join(threads.get(row[0], []))),
            )
            for row in batch.ticket
        ],
    )


def _postgres_search_triggers(raw, switch: str) -> None:
    for table, triggers in _POSTGRES_TRIGGERS.items():
        for trigger in triggers:
            raw.execute(f"ALTER TABLE {table} {switch} TRIGGER {trigger}")


def bulk_load(
    desk: Desk,
    batches: Iterable[tuple[Batch, int]],
    *,
    rebuild_indexes: bool,
    loaded: Callable[[Batch, int], None],
) -> None:
    """Every batch (with its message count, handed to `loaded` once it is in) in
    one transaction: a killed load leaves nothing behind, not even a dropped index."""
    sqlite = desk.db.is_sqlite
    raw = desk.db.engine.raw_connection()
    try:
        if sqlite:
            # The generated rows are valid by construction; checking every enum
            # CHECK and foreign key would double the load time.
            raw.execute("PRAGMA cache_size = -262144")
            raw.execute("PRAGMA foreign_keys = OFF")
            raw.execute("PRAGMA ignore_check_constraints = ON")
            raw.execute("BEGIN IMMEDIATE")
        else:
            last_before = raw.execute("SELECT coalesce(max(id), 0) FROM ticket").fetchone()[0]
            _postgres_search_triggers(raw, "DISABLE")
        structures = _secondary_structures(raw, sqlite, indexes=rebuild_indexes)
        for name, _ in structures:
            kind, _, bare = name.partition(" ")
            raw.execute(f"DROP {kind.upper()} {bare}")
        for batch, messages in batches:
            _insert_batch(raw, batch, sqlite)
            loaded(batch, messages)
        if not sqlite:
            raw.execute(_POSTGRES_DOCUMENTS, (last_before, last_before))
            raw.execute(_POSTGRES_NEW_WORDS, (last_before,))
            raw.execute(_POSTGRES_COUNTED_WORDS, (last_before,))
            _postgres_search_triggers(raw, "ENABLE")
        _rebuild(raw, sqlite, structures)
        raw.commit()
    except BaseException:
        raw.rollback()
        raise
    finally:
        if sqlite:
            raw.execute("PRAGMA foreign_keys = ON")
            raw.execute("PRAGMA ignore_check_constraints = OFF")
        raw.close()


def _insert_batch(raw, batch: Batch, sqlite: bool) -> None:
    insert = _insert_rows if sqlite else _copy_rows
    for table in COLUMNS:
        rows = getattr(batch, table)
        if rows:
            insert(raw, table, rows)
    if sqlite:
        # While this indexes, the other process generates the next batch.
        _index_for_search(raw, batch)


def _rebuild(raw, sqlite: bool, structures: list[tuple[str, str]]) -> None:
    """What was dropped for the load, built again; the search indexes merged."""
    if not sqlite and structures:
        # Index builds sort in memory when they may: far faster than spilling.
        raw.execute("SET LOCAL maintenance_work_mem = '512MB'")
    for _, ddl in structures:
        raw.execute(ddl)
    if sqlite:
        # A bulk load leaves the search indexes in thousands of small segments,
        # and every later write would pay to merge them: merge them now.
        raw.execute("INSERT INTO ticket_search(ticket_search) VALUES ('optimize')")
