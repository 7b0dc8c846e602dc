"""search the whole desk by word forms: one search document per ticket

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-29

Each ticket has one search document: its own text (number, subject, customer
name, e-mail, WMID, purse) and its whole thread, every word as its stem
(console/rules/word_forms.py): "карта", "карту", "карты" and "карт" are one
word. One document per ticket, not one per message, because every search asks
"which tickets": the queue walks its own index and asks the document of each
ticket it passes, and a count counts documents, with no message-to-ticket step.

SQLite: an FTS5 table over the stems, which the `wm_search_words` SQL function
makes (every connection of wmconsole has it, console/database.py); triggers keep
it. A writer without that function cannot write a ticket or a message at all,
so the index never falls behind what is written. Its content is stored, so a
changed ticket replaces its own row exactly whatever the stemmer's version.

PostgreSQL: a `wm_search` text-search configuration (the Snowball Russian and
English stemmers, by script, no stop words), a `ticketsearch` table of one
tsvector per ticket (own text weighted A), kept by triggers that run as the
owner whoever writes; pg_trgm indexes on the texts for words with punctuation
(`100%`, `e-num`), which must appear as written.

Existing tickets and messages are indexed here (at a million tickets this takes
minutes: see the README).
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_OWN_COLUMNS = ("subject", "customer_name", "customer_email", "customer_wmid", "customer_purse")


def _own_text(row: str) -> str:
    """A ticket's own text, as one string (the number first)."""
    parts = [f"CAST({row}number AS TEXT)"] + [f"coalesce({row}{c}, '')" for c in _OWN_COLUMNS]
    return " || ' ' || ".join(parts)


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        _sqlite_upgrade()
    else:
        for statement in _postgres_upgrade(_schema()):
            op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        _sqlite_downgrade()
    else:
        for statement in _postgres_downgrade(_schema()):
            op.execute(statement)


def _schema() -> str:
    name = op.get_bind().exec_driver_sql("SELECT current_schema()").scalar()
    return '"' + name.replace('"', '""') + '"'


# SQLite ---------------------------------------------------------------------------

_OLD_TRIGGERS = ("message_search_insert", "ticket_search_insert", "ticket_search_update")
# remove_diacritics 0: й stays й and ё stays ё (the stemmer reads ё as е), as on
# PostgreSQL, which folds no accents either.
_TOKENIZER = "tokenize='unicode61 remove_diacritics 0'"


def _sqlite_upgrade() -> None:
    for trigger in _OLD_TRIGGERS:
        op.execute(f"DROP TRIGGER IF EXISTS {trigger}")
    op.execute("DROP TABLE IF EXISTS message_search")
    op.execute("DROP TABLE IF EXISTS ticket_search")
    op.execute(f"CREATE VIRTUAL TABLE ticket_search USING fts5(own, thread, {_TOKENIZER})")
    op.execute(
        "INSERT INTO ticket_search(rowid, own, thread) "
        f"SELECT t.id, wm_search_words({_own_text('t.')}), "
        "coalesce((SELECT wm_search_words(group_concat(body, ' ')) FROM "
        "(SELECT body FROM message WHERE message.ticket_id = t.id ORDER BY message.id)), '') "
        "FROM ticket t"
    )
    op.execute("INSERT INTO ticket_search(ticket_search) VALUES ('optimize')")
    op.execute(
        "CREATE TRIGGER ticket_search_insert AFTER INSERT ON ticket BEGIN "
        "INSERT INTO ticket_search(rowid, own, thread) "
        f"VALUES (new.id, wm_search_words({_own_text('new.')}), ''); END"
    )
    op.execute(
        f"CREATE TRIGGER ticket_search_update AFTER UPDATE OF {', '.join(_OWN_COLUMNS)} "
        "ON ticket BEGIN "
        f"UPDATE ticket_search SET own = wm_search_words({_own_text('new.')}) "
        "WHERE rowid = new.id; END"
    )
    op.execute(
        "CREATE TRIGGER message_search_insert AFTER INSERT ON message BEGIN "
        "UPDATE ticket_search SET thread = thread || ' ' || wm_search_words(new.body) "
        "WHERE rowid = new.ticket_id; END"
    )


_OLD_TICKET_TEXT = "subject, customer_name, customer_email, customer_wmid, customer_purse"
_OLD_TOKENIZER = "tokenize='unicode61 remove_diacritics 2'"


def _sqlite_downgrade() -> None:
    """Back to 0001's word-prefix indexes, without stems."""
    for trigger in _OLD_TRIGGERS:
        op.execute(f"DROP TRIGGER IF EXISTS {trigger}")
    op.execute("DROP TABLE IF EXISTS ticket_search")
    new_text = ", ".join(f"new.{column}" for column in _OWN_COLUMNS)
    old_text = ", ".join(f"old.{column}" for column in _OWN_COLUMNS)
    op.execute(
        "CREATE VIRTUAL TABLE message_search USING fts5("
        f"body, content='message', content_rowid='id', {_OLD_TOKENIZER})"
    )
    op.execute(
        f"CREATE VIRTUAL TABLE ticket_search USING fts5({_OLD_TICKET_TEXT}, "
        f"content='ticket', content_rowid='id', {_OLD_TOKENIZER})"
    )
    op.execute("INSERT INTO message_search(message_search) VALUES ('rebuild')")
    op.execute("INSERT INTO ticket_search(ticket_search) VALUES ('rebuild')")
    op.execute(
        "CREATE TRIGGER message_search_insert AFTER INSERT ON message BEGIN "
        "INSERT INTO message_search(rowid, body) VALUES (new.id, new.body); END"
    )
    op.execute(
        "CREATE TRIGGER ticket_search_insert AFTER INSERT ON ticket BEGIN "
        f"INSERT INTO ticket_search(rowid, {_OLD_TICKET_TEXT}) VALUES (new.id, {new_text}); END"
    )
    op.execute(
        f"CREATE TRIGGER ticket_search_update AFTER UPDATE OF {_OLD_TICKET_TEXT} ON ticket BEGIN "
        f"INSERT INTO ticket_search(ticket_search, rowid, {_OLD_TICKET_TEXT}) "
        f"VALUES ('delete', old.id, {old_text}); "
        f"INSERT INTO ticket_search(rowid, {_OLD_TICKET_TEXT}) VALUES (new.id, {new_text}); END"
    )


# PostgreSQL -----------------------------------------------------------------------

_DEFINER = "SECURITY DEFINER SET search_path = pg_catalog, pg_temp"
_TRIGGERS = (
    ("ticket", "wm_search_new_ticket", "AFTER INSERT"),
    ("ticket", "wm_search_ticket_text", f"AFTER UPDATE OF {', '.join(_OWN_COLUMNS)}"),
    ("message", "wm_search_new_message", "AFTER INSERT"),
)


def _postgres_upgrade(s: str) -> list[str]:
    words = f"{s}.wm_search_words"
    own = f"setweight({words}({_own_text('t.')}), 'A')"
    own_new = f"setweight({words}({_own_text('NEW.')}), 'A')"
    return [
        # A trusted extension: the database's owner may create it.
        "CREATE EXTENSION IF NOT EXISTS pg_trgm",
        f"CREATE TEXT SEARCH DICTIONARY {s}.wm_russian (TEMPLATE = snowball, Language = russian)",
        f"CREATE TEXT SEARCH DICTIONARY {s}.wm_english (TEMPLATE = snowball, Language = english)",
        # Every token type as written, then the words of letters by their script.
        f"CREATE TEXT SEARCH CONFIGURATION {s}.wm_search (COPY = simple)",
        f"ALTER TEXT SEARCH CONFIGURATION {s}.wm_search ALTER MAPPING "
        f"FOR asciiword, asciihword, hword_asciipart WITH {s}.wm_english",
        f"ALTER TEXT SEARCH CONFIGURATION {s}.wm_search ALTER MAPPING "
        f"FOR word, hword, hword_part WITH {s}.wm_russian",
        # Punctuation becomes a space first, so words split as on SQLite (an
        # e-mail address is its parts, not one token).
        f"""CREATE FUNCTION {words}(body text) RETURNS tsvector LANGUAGE sql IMMUTABLE
        SET search_path = pg_catalog, pg_temp AS $$
            SELECT to_tsvector('{s}.wm_search'::regconfig,
                               regexp_replace(coalesce(body, ''), '[^[:alnum:]]+', ' ', 'g'))
        $$""",
        f"ALTER TABLE {s}.message DROP COLUMN IF EXISTS body_words",
        f"ALTER TABLE {s}.ticket DROP COLUMN IF EXISTS text_words",
        f"""CREATE TABLE {s}.ticketsearch (
            ticket_id integer CONSTRAINT pk_ticketsearch PRIMARY KEY REFERENCES {s}.ticket (id),
            words tsvector NOT NULL
        )""",
        # One pass over the messages, grouped: no index walk per ticket.
        f"""INSERT INTO {s}.ticketsearch (ticket_id, words)
        SELECT t.id, {own} || coalesce(thread.words, '')
        FROM {s}.ticket t LEFT JOIN (
            SELECT ticket_id, {words}(string_agg(body, ' ' ORDER BY id)) AS words
            FROM {s}.message GROUP BY ticket_id
        ) thread ON thread.ticket_id = t.id""",
        "SET LOCAL maintenance_work_mem = '512MB'",
        f"CREATE INDEX ix_ticketsearch_words ON {s}.ticketsearch USING gin (words)",
        f"CREATE INDEX ix_message_body_trgm ON {s}.message USING gin (body gin_trgm_ops)",
        f"CREATE INDEX ix_ticket_own_trgm ON {s}.ticket USING gin (({_own_text('')}) gin_trgm_ops)",
        f"ANALYZE {s}.ticketsearch",
        *_postgres_triggers(s, own_new),
    ]


def _postgres_triggers(s: str, own_new: str) -> list[str]:
    words = f"{s}.wm_search_words"
    bodies = {
        "wm_search_new_ticket": f"INSERT INTO {s}.ticketsearch (ticket_id, words) "
        f"VALUES (NEW.id, {own_new});",
        # The thread's words (weight D) stay; the ticket's own are made again.
        "wm_search_ticket_text": f"UPDATE {s}.ticketsearch "
        f"SET words = {own_new} || ts_filter(words, '{{d}}') WHERE ticket_id = NEW.id;",
        # A thread past what one tsvector holds (1 MB of distinct words: only a
        # flood of junk gets there) keeps the words it has: the mail is never refused.
        "wm_search_new_message": f"""BEGIN
                UPDATE {s}.ticketsearch SET words = words || {words}(NEW.body)
                WHERE ticket_id = NEW.ticket_id;
            EXCEPTION WHEN program_limit_exceeded THEN
                NULL;
            END;""",
    }
    statements = []
    for table, name, when in _TRIGGERS:
        statements += [
            f"""CREATE FUNCTION {s}.{name}() RETURNS trigger LANGUAGE plpgsql {_DEFINER} AS $$
            BEGIN
                {bodies[name]}
                RETURN NULL;
            END $$""",
            f"REVOKE ALL ON FUNCTION {s}.{name}() FROM PUBLIC",
            f"CREATE TRIGGER {name} {when} ON {s}.{table} "
            f"FOR EACH ROW EXECUTE FUNCTION {s}.{name}()",
        ]
    return statements


def _postgres_downgrade(s: str) -> list[str]:
    old_words = "to_tsvector('simple', regexp_replace({text}, '[^[:alnum:]]+', ' ', 'g'))"
    old_ticket_text = (
        "subject || ' ' || coalesce(customer_name, '') || ' ' || coalesce(customer_email, '')"
        " || ' ' || coalesce(customer_wmid, '') || ' ' || coalesce(customer_purse, '')"
    )
    return [
        *(f"DROP TRIGGER IF EXISTS {name} ON {s}.{table}" for table, name, _ in _TRIGGERS),
        *(f"DROP FUNCTION IF EXISTS {s}.{name}()" for _, name, _ in _TRIGGERS),
        f"DROP TABLE IF EXISTS {s}.ticketsearch",
        f"DROP INDEX IF EXISTS {s}.ix_message_body_trgm",
        f"DROP INDEX IF EXISTS {s}.ix_ticket_own_trgm",
        f"DROP FUNCTION IF EXISTS {s}.wm_search_words(text)",
        f"DROP TEXT SEARCH CONFIGURATION IF EXISTS {s}.wm_search",
        f"DROP TEXT SEARCH DICTIONARY IF EXISTS {s}.wm_russian",
        f"DROP TEXT SEARCH DICTIONARY IF EXISTS {s}.wm_english",
        f"ALTER TABLE {s}.message ADD COLUMN body_words tsvector "
        f"GENERATED ALWAYS AS ({old_words.format(text='body')}) STORED",
        f"CREATE INDEX ix_message_body_fts ON {s}.message USING gin (body_words)",
        f"ALTER TABLE {s}.ticket ADD COLUMN text_words tsvector "
        f"GENERATED ALWAYS AS ({old_words.format(text=old_ticket_text)}) STORED",
        f"CREATE INDEX ix_ticket_text_fts ON {s}.ticket USING gin (text_words)",
    ]
