"""How search reads words: a text split into words, each word reduced to its
stem, and what a search asks for, term by term.

The one definition both backends follow. PostgreSQL's `wm_search` text-search
configuration (migration 0008) stems a word of Latin letters with the English
Snowball stemmer and any other word of letters with the Russian one; a word
with digits is kept as written. This module does the same for SQLite's index
(the `wm_search_words` SQL function) and for the highlight on screen, so
`карта`, `карту`, `карты` and `карт` are one stem, `карт`, everywhere.

Mixed-language text is stemmed word by word by its script, not by the ticket's
language: customers write Russian around English product names ("не
запускается Keeper WinPro") and quote Russian in English mail, and a ticket's
language is only the one it is answered in. A Cyrillic word never goes through
the English stemmer or the reverse, so neither mangles the other's words.

No stop words: "не" and "the" are words like any other on both backends (the
built-in configurations would drop them on PostgreSQL and not on SQLite).
"""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass
from functools import lru_cache

# PyStemmer, not snowballstemmer: both are the Snowball project's own, with the
# same algorithms, but PyStemmer's C stems 160,000 Russian words a second here
# against 4,600 for the pure-Python package (35 times), and imports in 1 ms
# against 30 ms. Indexing a million tickets stems about 33 million words.
import Stemmer

from console.rules.validation import EMAIL_PATTERN, PURSE_PATTERN, WMID_PATTERN

# A word: letters and digits; everything else separates words. PostgreSQL's
# side turns every other character into a space before it parses (0008).
WORD = re.compile(r"[^\W_]+")
# Ticket numbers run to nine digits; twelve are a WMID.
# ASCII digits only: \d matches ² and other digits int() does not read.
_TICKET_NUMBER = re.compile(r"[0-9]{1,9}")

_russian = Stemmer.Stemmer("russian")
_english = Stemmer.Stemmer("english")


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    """The stem of one lower-case word, as PostgreSQL's `wm_search` makes it."""
    if word.isascii():
        return _english.stemWord(word) if word.isalpha() else word
    if word.isalpha():
        return _russian.stemWord(word)
    return word


def words(text: str) -> list[str]:
    return WORD.findall(text.lower())


def index_text(text: str | None) -> str:
    """The stems of `text`, one per word and in order (so phrases still match):
    what SQLite's full-text index holds for it."""
    if not text:
        return ""
    return " ".join([stem(word) for word in words(text)])


@dataclass(frozen=True)
class Term:
    """One search word, or one "quoted phrase".

    `words` are its words in lower case and `stems` their stems, in order; the
    last one also matches as the start of a longer word (so a word being typed
    already finds). A term with punctuation (`100%`, `e-num`) must also appear
    as written: `literal`.
    """

    text: str
    words: tuple[str, ...]
    stems: tuple[str, ...]
    literal: bool

    @property
    def ticket_number(self) -> int | None:
        return int(self.text) if _TICKET_NUMBER.fullmatch(self.text) else None

    @property
    def wmid(self) -> str | None:
        return self.text if WMID_PATTERN.fullmatch(self.text) else None

    @property
    def purse(self) -> str | None:
        upper = self.text.upper()
        return upper if PURSE_PATTERN.fullmatch(upper) else None

    @property
    def email(self) -> str | None:
        return self.text.lower() if EMAIL_PATTERN.fullmatch(self.text) else None

    @property
    def prefix(self) -> bool:
        """Whether the last word also matches the start of a longer one: not
        when punctuation ends it ("100%") or it is a whole WMID or purse, which
        narrows what the index finds (PostgreSQL also knows how rare it is)."""
        return self.text[-1:].isalnum() and not (self.wmid or self.purse)

    @property
    def names_a_ticket(self) -> bool:
        """A ticket number, WMID, purse or e-mail: it names tickets wherever they are."""
        return any((self.ticket_number is not None, self.wmid, self.purse, self.email))


def search_words(text: str) -> list[str]:
    """Words, with "quoted phrases" kept whole; unbalanced quotes are taken literally."""
    try:
        parts = shlex.split(text)
    except ValueError:
        parts = text.split()
    return [part for part in (p.strip() for p in parts) if part]


def parse(text: str) -> list[Term]:
    terms = []
    for part in search_words(text):
        found = WORD.findall(part)
        lowered = tuple(word.lower() for word in found)
        literal = " ".join(found) != part
        terms.append(Term(part, lowered, tuple(stem(word) for word in lowered), literal))
    return terms


@lru_cache(maxsize=64)
def search_terms(text: str) -> tuple[Term, ...]:
    """`parse`, kept: the queue draws every line of a repaint with its search's terms."""
    return tuple(parse(text))


def names_a_ticket(text: str) -> bool:
    """The whole search is one ticket number, WMID, purse or e-mail."""
    terms = parse(text)
    return len(terms) == 1 and terms[0].names_a_ticket


Span = tuple[int, int]


def _stem_spans(term: Term, found: list[re.Match[str]]) -> list[Span]:
    """Where the term's stems stand side by side in the text, the last one
    as a prefix if the term's is."""
    spans = []
    count = len(term.stems)
    *whole, last = term.stems
    for at in range(len(found) - count + 1):
        window = found[at : at + count]
        stems = [stem(match.group().lower()) for match in window]
        ending = stems[-1].startswith(last) if term.prefix else stems[-1] == last
        if stems[:-1] == whole and ending:
            spans.append((window[0].start(), window[-1].end()))
    return spans


def _literal_spans(term: Term, text: str) -> list[Span]:
    pattern = re.compile(re.escape(term.text), re.IGNORECASE)
    return [(match.start(), match.end()) for match in pattern.finditer(text)]


def match_spans(text: str, terms: list[Term]) -> list[Span]:
    """Where the search matches in `text` (as shown: the offsets are into it),
    sorted and merged: what a screen highlights."""
    if not terms or not text:
        return []
    found = list(WORD.finditer(text))
    spans: list[Span] = []
    for term in terms:
        if term.literal:
            spans.extend(_literal_spans(term, text))
        elif term.stems:
            spans.extend(_stem_spans(term, found))
    merged: list[Span] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged
