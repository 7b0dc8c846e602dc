"""Free-text search as SQL: which tickets a search finds, and how well each matches.

Every search term must match somewhere in the ticket: its number, subject,
customer name, e-mail, WMID, purse or any message. A word matches its other
forms (console/rules/word_forms.py: "карту" finds "карта"), and the start of
a longer word; "quoted words" match side by side in that order. A term with
punctuation ("100%", "e-num", "'; DROP") must also appear as written,
case-insensitively: on PostgreSQL through pg_trgm indexes, on SQLite among the
tickets the word index finds.

Each ticket has one search document (migration 0008): an FTS5 row on SQLite,
a tsvector on PostgreSQL. A page of a common word in queue order walks the
queue's index rather than sorting every match (walks_the_queue says how).
User text reaches SQL only as bound parameters: the words of a term are
letters and digits, and LIKE wildcards are escaped.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

from console.database import Database
from console.rules.word_forms import Term, parse
from models import Message, Ticket

_LIKE_ESCAPE = "\\"
_document = sa.table("ticket_search", sa.column("rowid"))
# The search index's vocabulary: each connection's own view of it (console/database.py).
_vocabulary = sa.table(
    "ticket_search_terms", sa.column("term", sa.String), sa.column("doc"), schema="temp"
)
_MATCH = sa.literal_column("ticket_search").op("MATCH")
_postgres_document = sa.table(
    "ticketsearch", sa.column("ticket_id", sa.Integer), sa.column("words")
)
# Each ticket's words as numbers, and the numbers' words (PostgreSQL, migration 0010).
_counted_words = sa.table("ticketwords", sa.column("ticket_id", sa.Integer), sa.column("word_ids"))
_numbered_words = sa.table("searchword", sa.column("id", sa.Integer), sa.column("word", sa.Text))
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
    """FTS5's query for the term: its stems side by side, the last one a prefix
    if the term's is (Term.prefix)."""
    phrase = '"' + " ".join(term.stems) + '"' + ("*" if term.prefix else "")
    return f"{{{column}}}: {phrase}" if column else phrase


def _tsquery_text(term: Term, weight: str = "") -> str:
    """PostgreSQL's query text for the term: its words (the configuration stems
    them), the last a prefix if the term's is."""
    marks = ":*" + weight if term.prefix else (":" + weight if weight else "")
    return " <-> ".join(term.words) + marks


def _tsquery(term: Term, weight: str = "") -> sa.ColumnElement:
    return sa.func.to_tsquery(sa.literal_column("'wm_search'"), _tsquery_text(term, weight))


def _documents_matching(term: Term, dialect: str, weight: str = "") -> sa.Select:
    """The ids of the tickets whose document has the term (in their own text
    only, with `weight` "A")."""
    if dialect == "postgresql":
        return sa.select(_postgres_document.c.ticket_id).where(
            _postgres_document.c.words.op("@@")(_tsquery(term, weight))
        )
    return sa.select(_document.c.rowid).where(_MATCH(_fts_query(term, "own" if weight else None)))


def _written_in(term: Term, dialect: str, walk: bool) -> sa.ColumnElement[bool]:
    """The term appears as written, case-insensitively, in the ticket or its thread."""
    pattern = f"%{escape_like(term.text)}%"
    if dialect == "postgresql" and not walk:
        # Two trigram index reads, then the handful of tickets they name.
        return Ticket.id.in_(
            sa.union(
                sa.select(Ticket.id).where(_OWN_TEXT.ilike(pattern, escape=_LIKE_ESCAPE)),
                sa.select(Message.ticket_id).where(
                    Message.body.ilike(pattern, escape=_LIKE_ESCAPE)
                ),
            )
        )
    # Ticket by ticket: its own text, then its thread.
    like = "ilike" if dialect == "postgresql" else "like"
    return sa.or_(
        getattr(_OWN_TEXT, like)(pattern, escape=_LIKE_ESCAPE),
        sa.exists().where(
            Message.ticket_id == Ticket.id,
            getattr(Message.body, like)(pattern, escape=_LIKE_ESCAPE),
        ),
    )


@dataclass(frozen=True)
class Walk:
    """A page of a search found by walking the queue's index in order, as
    opposed to sorting every match. `asked` holds the positions of the terms
    each ticket passed is asked about (SQLite: a word in a large share of the
    desk); every other term's matches are read once and looked up."""

    asked: frozenset[int] = frozenset()


def _has_words(
    term: Term, dialect: str, walk: Walk | None, position: int
) -> sa.ColumnElement[bool]:
    """The ticket's document has the term's words."""
    if walk is None:
        return Ticket.id.in_(_documents_matching(term, dialect))
    if dialect == "postgresql":
        # A scalar subquery, which PostgreSQL cannot turn into a join: it walks
        # the queue's index and asks each ticket's own document.
        return (
            sa.select(_postgres_document.c.words.op("@@")(_tsquery(term)))
            .where(_postgres_document.c.ticket_id == Ticket.id)
            .scalar_subquery()
        )
    if position in walk.asked:
        return sa.exists().where(_MATCH(_word_forms(term)), _document.c.rowid == Ticket.id)
    # `+ 0` hides the id from SQLite's planner, so it walks the order's index
    # and asks the matches (read once) of each row, instead of sorting them all.
    return (Ticket.id + 0).in_(_documents_matching(term, dialect))


def _word_forms(term: Term) -> sa.ColumnElement[str]:
    """FTS5's query for a one-word term as whole words: a prefix is spelled out
    as the words of the index that start with it ("платеж" OR "платежн").
    FTS5 reads every word of a prefix afresh for each row it is asked about
    (13 ms a row for "платеж*"); a whole word it finds in microseconds. The
    words are read from the vocabulary when the statement runs, so a word new
    since the statement was built is found too."""
    (word,) = term.stems
    if not term.prefix:
        return sa.literal(_fts_query(term))
    quoted = sa.literal('"') + _vocabulary.c.term + sa.literal('"')
    forms = (
        sa.select(sa.func.group_concat(quoted, " OR "))
        .where(_words_starting(_vocabulary.c.term, word))
        .scalar_subquery()
    )
    return sa.func.coalesce(forms, _fts_query(term), type_=sa.String)


def _term_clause(
    term: Term, dialect: str, walk: Walk | None, position: int
) -> sa.ColumnElement[bool]:
    conditions = []
    if term.stems:
        conditions.append(_has_words(term, dialect, walk, position))
    if term.literal:
        conditions.append(_written_in(term, dialect, walk is not None))
    return sa.and_(*conditions)


def search_clause(
    text: str, dialect: str, *, walk: Walk | None = None
) -> sa.ColumnElement[bool] | None:
    """The tickets the search finds, or None for no search. `walk`: many
    tickets match, so a page in order is best found by walking the order."""
    terms = parse(text)
    if not terms:
        return None
    return sa.and_(
        *(_term_clause(term, dialect, walk, position) for position, term in enumerate(terms))
    )


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
    if dialect == "postgresql" and all(len(term.words) == 1 for term in terms):
        # Words, not phrases: counted from the narrow copy of the documents.
        has_every_word = (_counted_words.c.word_ids.op("&&")(_numbers(term)) for term in terms)
        matching = sa.select(_counted_words.c.ticket_id).where(*has_every_word).subquery()
    else:
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


def estimated_matches(connection: sa.Connection, text: str, dialect: str) -> int | None:
    """PostgreSQL's estimate, from its statistics, of how many tickets a
    one-term search finds (None for any other search, or on SQLite). Asked in
    a millisecond or two; for one word it is close: 242,119 for 239,960."""
    terms = parse(text)
    if dialect != "postgresql" or len(terms) != 1 or terms[0].literal or not terms[0].stems:
        return None
    compiled = _documents_matching(terms[0], dialect).compile(dialect=connection.dialect)
    explained = connection.exec_driver_sql(f"EXPLAIN (FORMAT JSON) {compiled}", compiled.params)
    return int(explained.scalar_one()[0]["Plan"]["Plan Rows"])


def _numbers(term: Term) -> sa.ScalarSelect:
    """The numbers of the words a one-word term finds (PostgreSQL, migration
    0010): its stem as PostgreSQL makes it and, for a prefix, every word that
    starts with it, as tsquery's `:*` matches (byte by byte)."""
    vector = sa.func.to_tsvector(sa.literal_column("'wm_search'"), term.words[0])
    stem = sa.func.tsvector_to_array(vector, type_=sa.ARRAY(sa.Text))[1]
    word = _numbered_words.c.word
    matches = _words_starting(word, stem) if term.prefix else word == stem
    numbers = sa.func.array_agg(_numbered_words.c.id)
    none = sa.literal_column("'{}'::integer[]")
    return sa.select(sa.func.coalesce(numbers, none)).where(matches).scalar_subquery()


def walks_the_queue(connection: sa.Connection, text: str, dialect: str) -> Walk | None:
    """How a page of this search in queue order is found, if faster by walking
    the queue's index than by sorting every match: when each word is in many
    tickets and each term with punctuation is written so in many of them.
    PostgreSQL's planner judges words itself, from its statistics, but cannot
    judge text as written."""
    terms = parse(text)
    if not terms or not all(term.stems for term in terms):
        return None
    if dialect == "postgresql":
        written = [term for term in terms if term.literal]
        walks = bool(written) and all(_mostly_written(connection, t, dialect) for t in written)
        return Walk() if walks else None
    for term in terms:
        if not _many(connection, _documents_matching(term, dialect)):
            return None
        if term.literal and not _mostly_written(connection, term, dialect):
            return None
    tickets = connection.execute(sa.select(sa.func.max(Ticket.id))).scalar() or 0
    return Walk(
        frozenset(
            position
            for position, term in enumerate(terms)
            if _in_a_large_share(connection, term, tickets)
        )
    )


# Asking each ticket the walk passes beats reading every match once when the
# word is in a large share of the desk: at a million tickets, the first page
# of "платёж" (240,000 tickets) 4 ms asked against 69 read once, "карта"
# (94,000) 3.5 against 20; but "телефон" (40,000) 24 against 12, "ведомость"
# (12,000) 36 against 4 — the fewer the matches, the more tickets are passed
# for a page. Spelling out a prefix costs a read of its words' counts (11 ms
# for "платеж"): only a prefix of a few words is spelled out.
ASKED_FROM_SHARE = 0.05
_ASKED_FORMS = 8
# Sorts after every word that starts with the same letters.
_LAST_CHARACTER = chr(0x10FFFF)


def _words_starting(
    words: sa.ColumnElement[str], start: str | sa.ColumnElement[str]
) -> sa.ColumnElement[bool]:
    """The words that start with `start`, as a range of an index on them
    (compared byte by byte, which both vocabularies are)."""
    return sa.and_(words >= start, words < sa.type_coerce(start, sa.String) + _LAST_CHARACTER)


def _in_a_large_share(connection: sa.Connection, term: Term, tickets: int) -> bool:
    """Whether a one-word term is in at least ASKED_FROM_SHARE of the tickets,
    by the vocabulary's counts (a ticket with two of a prefix's words counts twice)."""
    if len(term.stems) != 1:
        return False
    (word,) = term.stems
    known = _vocabulary.c.term
    matching = _words_starting(known, word) if term.prefix else known == word
    forms, documents = connection.execute(
        sa.select(sa.func.count(), sa.func.coalesce(sa.func.sum(_vocabulary.c.doc), 0)).where(
            matching
        )
    ).one()
    return forms <= _ASKED_FORMS and documents >= tickets * ASKED_FROM_SHARE


# A term with punctuation is checked as written ticket by ticket: walking checks
# the tickets the word index finds until a page is found, so it pays when many
# of them have it as written ("e-num": 130 ms against 950 on SQLite at a million
# tickets) and costs a walk of the whole queue when few do (1.1 s against 150
# for 12,000 candidates of which none had it).
_SAMPLE = 200


def _mostly_written(connection: sa.Connection, term: Term, dialect: str) -> bool:
    """Whether the word index finds many tickets for the term and at least
    one in ten of a sample of them has it as written."""
    sample = _documents_matching(term, dialect).limit(_SAMPLE).subquery()
    written = sa.func.sum(sa.case((_written_in(term, dialect, walk=True), 1), else_=0))
    sampled, found = connection.execute(
        sa.select(sa.func.count(), written).where(Ticket.id.in_(sa.select(sample.c[0])))
    ).one()
    return sampled >= min(_SAMPLE, WALK_FROM) and (found or 0) * 10 >= sampled


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


def relevance_tiers(
    connection: sa.Connection,
    text: str,
    dialect: str,
    walk: Walk | None,
    *,
    counted: bool = False,
) -> list[tuple[int, sa.ColumnElement[bool]]] | None:
    """A one-term search's tickets split by how well they match, best first:
    each tier's relevance (as `relevance` scores it) and the condition that
    picks its tickets among those the search finds (read with `walk`). A page
    by relevance then walks each tier in queue order instead of scoring and
    sorting every match (at a million tickets, "платёж": 1.4-4.4 s sorted on
    PostgreSQL, 0.5 s on SQLite). None for several terms: their tiers
    multiply, and they are sorted whole. `counted`: the tiers are counted,
    not walked (SQLite then reads each tier's matches once)."""
    terms = parse(text)
    if len(terms) != 1:
        return None
    (term,) = terms
    tiers: list[tuple[int, sa.ColumnElement[bool]]] = []
    not_named: sa.ColumnElement[bool] = sa.true()
    named = _named(term)
    if named is not None:
        # A term names few tickets, by their indexes: they are sorted.
        named = sa.func.coalesce(named, sa.false())
        tiers.append((NAMED, named))
        not_named = sa.not_(named)
    if not term.stems:
        return [*tiers, (IN_THREAD, not_named)]
    if dialect == "sqlite" and walk is not None and 0 in walk.asked and len(term.stems) == 1:
        # Each ticket the walk passes is asked already: asked too about its own text.
        own_forms = sa.literal("{own}: (") + _word_forms(term) + sa.literal(")")
        own = sa.exists().where(_MATCH(own_forms), _document.c.rowid == Ticket.id)
        in_own, only_in_thread = own, sa.not_(own)
    else:
        own_documents = _documents_matching(term, dialect, weight="A")
        thread_documents = _documents_only_in_thread(term, dialect)
        if counted:
            in_own, only_in_thread = Ticket.id.in_(own_documents), Ticket.id.in_(thread_documents)
        else:
            in_own = _walked_in(connection, own_documents, dialect)
            only_in_thread = _walked_in(connection, thread_documents, dialect)
    return [
        *tiers,
        (IN_OWN_TEXT, sa.and_(not_named, in_own)),
        (IN_THREAD, sa.and_(not_named, only_in_thread)),
    ]


def _documents_only_in_thread(term: Term, dialect: str) -> sa.Select:
    """The ids of the tickets whose document has the term, but not in their own text."""
    if dialect == "postgresql":
        text = f"({_tsquery_text(term)}) & !({_tsquery_text(term, 'A')})"
        query = sa.func.to_tsquery(sa.literal_column("'wm_search'"), text)
        return sa.select(_postgres_document.c.ticket_id).where(
            _postgres_document.c.words.op("@@")(query)
        )
    thread_only = f"{_fts_query(term)} NOT {_fts_query(term, 'own')}"
    return sa.select(_document.c.rowid).where(_MATCH(thread_only))


def _walked_in(
    connection: sa.Connection, documents: sa.Select, dialect: str
) -> sa.ColumnElement[bool]:
    """The ticket is among `documents`. SQLite walks the queue's index past them
    when they are many (`+ 0`, as for a page in queue order); PostgreSQL's
    planner judges that itself."""
    if dialect == "postgresql":
        return Ticket.id.in_(documents)
    many = _many(connection, documents)
    return (Ticket.id + 0).in_(documents) if many else Ticket.id.in_(documents)


def _many(connection: sa.Connection, documents: sa.Select) -> bool:
    """Whether at least WALK_FROM tickets are among `documents`: counted only as
    far as that, as a common word's every match would cost more than the walk
    it decides on."""
    counted = sa.select(sa.func.count()).select_from(documents.limit(WALK_FROM).subquery())
    return connection.execute(counted).scalar_one() >= WALK_FROM


def ticket_numbered(db: Database, number: int) -> bool:
    """Whether a ticket has this number (a search for it then opens it)."""
    with db.connect() as connection:
        found = connection.execute(sa.select(Ticket.id).where(Ticket.number == number))
        return found.first() is not None
