"""Free-text search as SQL: which tickets a search finds, and how well each matches.

Every search term must match somewhere in the ticket: its number, subject,
customer name, e-mail, WMID, purse or any message. A word matches its other
forms (console/rules/word_forms.py: "карту" finds "карта"), and the start of
a longer word; "quoted words" match side by side in that order. A term with
punctuation ("100%", "e-num", "'; DROP") must also appear as written,
case-insensitively: on PostgreSQL through pg_trgm indexes, on SQLite among the
tickets the word index finds.

Each ticket has one search document (migration 0008): an FTS5 row on SQLite,
a tsvector on PostgreSQL. User text reaches SQL only as bound parameters: the
words of a term are letters and digits, and LIKE wildcards are escaped.
"""

from __future__ import annotations

import sqlalchemy as sa

from console.database import Database
from console.rules.word_forms import Term, parse
from models import Message, Ticket

_LIKE_ESCAPE = "\\"
_document = sa.table("ticket_search", sa.column("rowid"))
_MATCH = sa.literal_column("ticket_search").op("MATCH")
_postgres_document = sa.table(
    "ticketsearch", sa.column("ticket_id", sa.Integer), sa.column("words")
)
# A ticket's own text, as PostgreSQL's trigram index has it (migration 0008).
_OWN_TEXT = sa.literal_column(
    "(CAST(ticket.number AS TEXT) || ' ' || coalesce(ticket.subject, '') || ' ' "
    "|| coalesce(ticket.customer_name, '') || ' ' || coalesce(ticket.customer_email, '') "
    "|| ' ' || coalesce(ticket.customer_wmid, '') || ' ' || coalesce(ticket.customer_purse, ''))"
)
# Relevance: a term naming the ticket (its number, WMID, purse, e-mail), then
# one in its own text, then one only in its thread.
NAMED = 100
IN_OWN_TEXT = 10
IN_THREAD = 1


def escape_like(text: str) -> str:
    return text.replace(_LIKE_ESCAPE, _LIKE_ESCAPE * 2).replace("%", r"\%").replace("_", r"\_")


def _fts_query(term: Term, column: str | None = None) -> str:
    """FTS5's query for the term: its stems side by side, the last one a prefix."""
    phrase = '"' + " ".join(term.stems) + '"*'
    return f"{{{column}}}: {phrase}" if column else phrase


def _tsquery(term: Term, weight: str = "") -> sa.ColumnElement:
    """PostgreSQL's: the term's words (the configuration stems them), the last a prefix."""
    text = " <-> ".join(term.words) + ":*" + weight
    return sa.func.to_tsquery(sa.literal_column("'wm_search'"), text)


def _documents_matching(term: Term, dialect: str, weight: str = "") -> sa.Select:
    """The ids of the tickets whose document has the term (in their own text
    only, with `weight` "A")."""
    if dialect == "postgresql":
        return sa.select(_postgres_document.c.ticket_id).where(
            _postgres_document.c.words.op("@@")(_tsquery(term, weight))
        )
    return sa.select(_document.c.rowid).where(_MATCH(_fts_query(term, "own" if weight else None)))


def _written_in(term: Term, dialect: str) -> sa.ColumnElement[bool]:
    """The term appears as written, case-insensitively, in the ticket or its thread."""
    pattern = f"%{escape_like(term.text)}%"
    if dialect == "postgresql":
        # Two trigram index reads, then the handful of tickets they name.
        return Ticket.id.in_(
            sa.union(
                sa.select(Ticket.id).where(_OWN_TEXT.ilike(pattern, escape=_LIKE_ESCAPE)),
                sa.select(Message.ticket_id).where(
                    Message.body.ilike(pattern, escape=_LIKE_ESCAPE)
                ),
            )
        )
    return sa.or_(
        _OWN_TEXT.like(pattern, escape=_LIKE_ESCAPE),
        sa.exists().where(
            Message.ticket_id == Ticket.id, Message.body.like(pattern, escape=_LIKE_ESCAPE)
        ),
    )


def _term_clause(term: Term, dialect: str, walk: bool) -> sa.ColumnElement[bool]:
    conditions = []
    if term.stems:
        # `+ 0` hides the id from SQLite's planner, so it walks the order's index
        # and asks the matches (read once) of each row, instead of sorting them all.
        ticket_id = Ticket.id + 0 if walk else Ticket.id
        conditions.append(ticket_id.in_(_documents_matching(term, dialect)))
    if term.literal:
        conditions.append(_written_in(term, dialect))
    return sa.and_(*conditions)


def search_clause(text: str, dialect: str, *, walk: bool = False) -> sa.ColumnElement[bool] | None:
    """The tickets the search finds, or None for no search. `walk`: many
    tickets match, so a page in order is best found by walking the order."""
    terms = parse(text)
    if not terms:
        return None
    return sa.and_(*(_term_clause(term, dialect, walk) for term in terms))


# Past this many matching tickets SQLite finds a page faster by walking the
# queue in order than by sorting every match (measured at a million tickets:
# 44 ms against 450 for 94,000 matches; for 50 matches, 1 ms against 200).
WALK_FROM = 2000


def whole_desk_count(
    connection: sa.Connection, text: str, dialect: str, past_due: sa.ColumnElement[bool]
) -> tuple[int, int] | None:
    """How many tickets in the whole desk the search finds, and how many of
    them are past due: counted from the search documents, not ticket by ticket.
    None when a term has punctuation (its text is checked ticket by ticket)."""
    terms = parse(text)
    if not terms or any(term.literal for term in terms):
        return None
    matching = sa.intersect(*(_documents_matching(term, dialect) for term in terms)).subquery()
    total = connection.execute(sa.select(sa.func.count()).select_from(matching)).scalar_one()
    if not total:
        return 0, 0
    overdue = connection.execute(
        sa.select(sa.func.count())
        .select_from(Ticket)
        .where(past_due, (Ticket.id + 0).in_(sa.select(matching.c[0])))
    ).scalar_one()
    return total, overdue


def fewest_documents(connection: sa.Connection, text: str, dialect: str) -> int | None:
    """How many tickets the rarest word of the search is in (None: no word, or
    PostgreSQL, whose planner knows it from its statistics)."""
    terms = parse(text)
    # A term with punctuation is checked ticket by ticket: walking would check
    # every ticket the word index finds, found or not.
    if dialect == "postgresql" or not terms or any(term.literal for term in terms):
        return None
    return min(
        connection.execute(
            sa.select(sa.func.count()).select_from(_documents_matching(term, dialect).subquery())
        ).scalar_one()
        for term in terms
    )


def _named(term: Term) -> sa.ColumnElement[bool] | None:
    """The term is this ticket's number, WMID, purse or e-mail."""
    exact = []
    if term.ticket_number is not None:
        exact.append(Ticket.number == term.ticket_number)
    if term.wmid:
        exact.append(Ticket.customer_wmid == term.wmid)
    if term.purse:
        exact.append(Ticket.customer_purse == term.purse)
    if term.email:
        exact.append(Ticket.customer_email == term.email)
    return sa.or_(*exact) if exact else None


def relevance(text: str, dialect: str) -> sa.ColumnElement[int]:
    """How well a found ticket matches: per term, NAMED when it names the
    ticket, else IN_OWN_TEXT when its subject or customer has it, else
    IN_THREAD. Higher is better; ties stay in queue order."""
    score: sa.ColumnElement[int] = sa.literal(0)
    for term in parse(text):
        named = _named(term)
        whens = [(named, NAMED)] if named is not None else []
        if term.stems:
            own = Ticket.id.in_(_documents_matching(term, dialect, weight="A"))
            whens.append((own, IN_OWN_TEXT))
        score = score + (sa.case(*whens, else_=IN_THREAD) if whens else IN_THREAD)
    return score


def ticket_numbered(db: Database, number: int) -> bool:
    """Whether a ticket has this number (a search for it then opens it)."""
    with db.connect() as connection:
        found = connection.execute(sa.select(Ticket.id).where(Ticket.number == number))
        return found.first() is not None
