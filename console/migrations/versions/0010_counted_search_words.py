"""PostgreSQL counts a search from a narrow copy of the search documents: each
ticket's words as numbers

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-30

A count of the tickets that have a word must visit each of them in the table
the index points into: GIN finds the rows but cannot tell whether each is
visible to the transaction, and PostgreSQL 15 no longer skips the table for a
bitmap count. `ticketsearch` holds a tsvector of about 650 bytes a ticket, so
counting a word in a quarter of a million-ticket desk read 83,000 of its 86,000
pages (260-470 ms). `ticketwords` holds each ticket's distinct words as the
numbers `searchword` gives them: about 200 bytes a ticket, 26,000 pages, and
the same count takes 140-170 ms. A word being typed (a prefix) is the numbers
of the words that start with it: `searchword.word` sorts byte by byte (COLLATE
"C"), as tsquery's prefixes match.

Kept by a trigger on `ticketsearch`, run as the owner whoever writes. A new
word gets its number before the ticket's words are written, in byte order, so
two writers adding the same new words cannot deadlock, and a word already
numbered is not inserted again (which would spend a number of the sequence).
Words are never removed from `searchword`: a number is a word's for good.

SQLite counts from its FTS5 index directly (20-100 ms at a million tickets):
nothing changes there.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_DEFINER = "SECURITY DEFINER SET search_path = pg_catalog, pg_temp"


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        return
    for statement in _postgres_upgrade(_schema()):
        op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        return
    s = _schema()
    for statement in (
        f"DROP TRIGGER IF EXISTS wm_search_count_words ON {s}.ticketsearch",
        f"DROP FUNCTION IF EXISTS {s}.wm_search_count_words()",
        f"DROP TABLE IF EXISTS {s}.ticketwords",
        f"DROP TABLE IF EXISTS {s}.searchword",
    ):
        op.execute(statement)


def _schema() -> str:
    name = op.get_bind().exec_driver_sql("SELECT current_schema()").scalar()
    return '"' + name.replace('"', '""') + '"'


def _postgres_upgrade(s: str) -> list[str]:
    return [
        f"""CREATE TABLE {s}.searchword (
            id integer GENERATED ALWAYS AS IDENTITY CONSTRAINT pk_searchword PRIMARY KEY,
            word text COLLATE "C" NOT NULL CONSTRAINT uq_searchword_word UNIQUE
        )""",
        f"""CREATE TABLE {s}.ticketwords (
            ticket_id integer CONSTRAINT pk_ticketwords PRIMARY KEY
                REFERENCES {s}.ticketsearch (ticket_id),
            word_ids integer[] NOT NULL
        )""",
        "SET LOCAL work_mem = '256MB'",
        f"""INSERT INTO {s}.searchword (word)
        SELECT DISTINCT word COLLATE "C" FROM {s}.ticketsearch,
            unnest(tsvector_to_array(words)) AS word ORDER BY 1""",
        f"""INSERT INTO {s}.ticketwords (ticket_id, word_ids)
        SELECT d.ticket_id, coalesce(array_agg(w.id ORDER BY w.id), '{{}}')
        FROM {s}.ticketsearch d
        CROSS JOIN LATERAL unnest(tsvector_to_array(d.words)) AS lexeme (word)
        JOIN {s}.searchword w ON w.word = lexeme.word COLLATE "C"
        GROUP BY d.ticket_id""",
        "SET LOCAL maintenance_work_mem = '512MB'",
        f"CREATE INDEX ix_ticketwords_word_ids ON {s}.ticketwords USING gin (word_ids)",
        f"ANALYZE {s}.searchword",
        f"ANALYZE {s}.ticketwords",
        f"""CREATE FUNCTION {s}.wm_search_count_words() RETURNS trigger LANGUAGE plpgsql
        {_DEFINER} AS $$
        BEGIN
            INSERT INTO {s}.searchword (word)
            SELECT lexeme COLLATE "C" FROM unnest(tsvector_to_array(NEW.words)) AS lexeme
            WHERE NOT EXISTS (
                SELECT 1 FROM {s}.searchword w WHERE w.word = lexeme COLLATE "C"
            )
            ORDER BY 1
            ON CONFLICT (word) DO NOTHING;
            INSERT INTO {s}.ticketwords (ticket_id, word_ids)
            SELECT NEW.ticket_id, coalesce(array_agg(w.id ORDER BY w.id), '{{}}')
            FROM {s}.searchword w
            WHERE w.word = ANY (tsvector_to_array(NEW.words))
            ON CONFLICT (ticket_id) DO UPDATE SET word_ids = EXCLUDED.word_ids;
            RETURN NULL;
        END $$""",
        f"REVOKE ALL ON FUNCTION {s}.wm_search_count_words() FROM PUBLIC",
        "CREATE TRIGGER wm_search_count_words AFTER INSERT OR UPDATE OF words "
        f"ON {s}.ticketsearch FOR EACH ROW EXECUTE FUNCTION {s}.wm_search_count_words()",
    ]
