"""Free-text search over a ticket's number, subject, customer name, e-mail, WMID,
purse and every message body.

Every search word must match somewhere in the ticket. A word matches the
start of words in the text, case-folded (Cyrillic too): "парол" finds
"Пароль", "petrov" finds "ivan.petrov@mail.ru"; "quoted words" match as a
phrase. The full-text index (FTS5 on SQLite, stored tsvectors on PostgreSQL,
split into words the same way) finds candidates; a word that carries punctuation
("100%", "e-num", "'; DROP") must also appear literally, checked with LIKE.
A ticket number, WMID, purse or e-mail also matches its own field exactly.
User text is always a bound parameter, and LIKE wildcards in it are escaped.
"""

from __future__ import annotations

import re

import sqlalchemy as sa

from console.reads.queue_filter import search_words
from console.rules.validation import PURSE_PATTERN, WMID_PATTERN
from models import Message, Ticket

_TOKEN = re.compile(r"[^\W_]+")
_LIKE_ESCAPE = "\\"
_ticket_search = sa.table("ticket_search", sa.column("rowid"))
_message_search = sa.table("message_search", sa.column("rowid"))
_SIMPLE = sa.literal_column("'simple'")
# PostgreSQL's stored word vectors (created by the migration, not in the models).
_TICKET_WORDS = sa.literal_column("ticket.text_words")
_MESSAGE_WORDS = sa.literal_column("message.body_words")


def tokens(word: str) -> list[str]:
    return [token.lower() for token in _TOKEN.findall(word)]


def escape_like(text: str) -> str:
    return text.replace(_LIKE_ESCAPE, _LIKE_ESCAPE * 2).replace("%", r"\%").replace("_", r"\_")


def _exact_matches(word: str) -> list[sa.ColumnElement[bool]]:
    exact: list[sa.ColumnElement[bool]] = []
    # ASCII: isdigit() is true of ² and other digits int() does not read.
    if word.isascii() and word.isdigit() and len(word) <= 9:
        exact.append(Ticket.number == int(word))
    if WMID_PATTERN.fullmatch(word):
        exact.append(Ticket.customer_wmid == word)
    if PURSE_PATTERN.fullmatch(word.upper()):
        exact.append(Ticket.customer_purse == word.upper())
    if "@" in word:
        exact.append(Ticket.customer_email == word.lower())
    return exact


def _fts_sqlite(words: list[str]) -> sa.ColumnElement[bool]:
    query = '"' + " ".join(words) + '"*'
    in_ticket = sa.select(_ticket_search.c.rowid).where(
        sa.literal_column("ticket_search").op("MATCH")(query)
    )
    in_messages = sa.select(Message.ticket_id).where(
        Message.id.in_(
            sa.select(_message_search.c.rowid).where(
                sa.literal_column("message_search").op("MATCH")(query)
            )
        )
    )
    return Ticket.id.in_(sa.union(in_ticket, in_messages))


def _tsquery(words: list[str]) -> sa.ColumnElement:
    return sa.func.to_tsquery(_SIMPLE, " <-> ".join(words) + ":*")


def _fts_postgres(words: list[str]) -> tuple[sa.Select, sa.Select]:
    """Tickets whose own text has the words, and those with a message that has
    them: each read from its GIN index."""
    query = _tsquery(words)
    return (
        sa.select(Ticket.id).where(_TICKET_WORDS.op("@@")(query)).correlate(None),
        sa.select(Message.ticket_id).where(_MESSAGE_WORDS.op("@@")(query)),
    )


def _literally(word: str, dialect: str) -> sa.ColumnElement[bool]:
    """The word appears as written (case-insensitively) in the ticket or a message."""
    pattern = f"%{escape_like(word)}%"

    def like(column: sa.ColumnElement) -> sa.ColumnElement[bool]:
        if dialect == "postgresql":
            return column.ilike(pattern, escape=_LIKE_ESCAPE)
        return column.like(pattern, escape=_LIKE_ESCAPE)

    return sa.or_(
        like(Ticket.subject),
        like(Ticket.customer_name),
        like(Ticket.customer_email),
        like(Ticket.customer_wmid),
        like(Ticket.customer_purse),
        sa.exists().where(Message.ticket_id == Ticket.id, like(Message.body)),
    )


def _word_clause(word: str, dialect: str) -> sa.ColumnElement[bool]:
    if dialect == "postgresql":
        return _word_clause_postgres(word)
    words = tokens(word)
    if not words:
        text_match = _literally(word, dialect)
    else:
        full_text = _fts_sqlite(words)
        plain = " ".join(_TOKEN.findall(word)) == word
        text_match = full_text if plain else sa.and_(full_text, _literally(word, dialect))
    return sa.or_(*_exact_matches(word), text_match)


def _word_clause_postgres(word: str) -> sa.ColumnElement[bool]:
    words = tokens(word)
    plain = " ".join(_TOKEN.findall(word)) == word
    exact = _exact_matches(word)
    if not exact:
        # A word: often on thousands of tickets, so the page walks the queue's
        # index in order and stops at a screenful of matches.
        if not words:
            return _literally(word, "postgresql")
        query = _tsquery(words)
        full_text = sa.or_(
            _TICKET_WORDS.op("@@")(query),
            Ticket.id.in_(sa.select(Message.ticket_id).where(_MESSAGE_WORDS.op("@@")(query))),
        )
        return full_text if plain else sa.and_(full_text, _literally(word, "postgresql"))
    # A number, WMID, purse or e-mail: on a handful of tickets, so every way it
    # can match is one union of ids read from the indexes. As an OR, the page
    # would walk the queue's whole index to find the handful (a second at a
    # million tickets).
    branches: list[sa.Select] = [sa.select(Ticket.id).where(sa.or_(*exact)).correlate(None)]
    if not words:
        branches.append(sa.select(Ticket.id).where(_literally(word, "postgresql")).correlate(None))
    elif plain:
        branches.extend(_fts_postgres(words))
    else:
        branches.append(
            sa.select(Ticket.id)
            .where(
                Ticket.id.in_(sa.union(*_fts_postgres(words))),
                _literally(word, "postgresql"),
            )
            .correlate(None)
        )
    return Ticket.id.in_(sa.union(*branches))


def search_clause(text: str, dialect: str) -> sa.ColumnElement[bool] | None:
    words = search_words(text)
    if not words:
        return None
    return sa.and_(*(_word_clause(word, dialect) for word in words))
