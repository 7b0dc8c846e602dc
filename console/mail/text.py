"""Readable text out of what mail carries: bytes in a charset that may be missing
or wrong, and HTML.

Russian mail comes in UTF-8, KOI8-R, windows-1251 and ISO-8859-5, and is often
labelled wrongly: windows-1251 sent as iso-8859-1, KOI8-R sent as
windows-1251, UTF-8 under any label at all. Bytes that are valid UTF-8 with
anything beyond ASCII are UTF-8 whatever the label says (an 8-bit Cyrillic
text is practically never valid UTF-8), and so are bytes that are UTF-8 but
for a stray bad byte, which alone becomes U+FFFD. Otherwise a label is trusted
unless it is one mailers put on anything (ASCII, Latin-1) or one of the three
Cyrillic 8-bit charsets, which mailers mix up: then every candidate decoding
is scored word by word (Cyrillic words score by how common their letters are
in Russian and lose in an implausible case; mixed-script and all-accented
"Ïðèâåò" words and stray symbols cost) and the best one wins. A Cyrillic label
is overruled only by another Cyrillic charset, and only by a clearly better
guess: a short text keeps its label. Text none of the candidates reads (Greek,
Japanese, ...) goes to chardet (console.mail.charsets.detected). Labels are
read by console.mail.charsets, which also decodes the 7-bit charsets.
"""

from __future__ import annotations

import math
import re
from html import unescape
from html.parser import HTMLParser

from console.mail.charsets import SEVEN_BIT, codec_name, detected, mostly_utf8, seven_bit, strict

# Labels mailers put on text whatever it is in.
_LOOSE_LABELS = frozenset({"ascii", "iso8859-1", "cp1252"})
# KOI8-U reads every letter of KOI8-R, and the Ukrainian ones too.
_CYRILLIC_8BIT = ("cp1251", "koi8-u", "iso8859-5")
_GUESSES = (*_CYRILLIC_8BIT, "cp1252")
# Words with a letter beyond ASCII: the only ones a wrong charset changes.
_NON_ASCII_WORDS = re.compile(r"[^\W\d_]*[^\x00-\x7f\W\d_][^\W\d_]*")
# Accented Latin letters: a word made only of them is a wrong 8-bit decoding.
_ACCENTED_LATIN = re.compile("[\u00c0-\u024f]+")
# Punctuation that turns up in real text from any of the candidates.
_PLAIN_SYMBOLS = frozenset("«»–—…№€°\xa0“”„‘’•©®™§±×")
# How often each letter occurs in Russian text, in per cent (Ukrainian letters
# at a modest share; other Cyrillic letters are all but absent from our mail).
# A wrong 8-bit decoding shuffles the alphabet, so the common letters turn
# rare: the log-likelihood against a uniform alphabet tells them apart.
_RUSSIAN_LETTERS = (
    "о:11 е:8.5 а:8 и:7.4 н:6.7 т:6.3 с:5.5 р:4.7 в:4.5 л:4.4 к:3.5 м:3.2 д:3 п:2.8 "
    "у:2.6 я:2 ы:1.9 ь:1.7 г:1.7 з:1.7 б:1.6 ч:1.4 й:1.2 х:1 ж:0.9 ш:0.7 ю:0.6 ц:0.5 "
    "щ:0.4 э:0.3 ф:0.3 ъ:0.05 ё:0.2 і:0.5 ї:0.5 є:0.5 ґ:0.5 ў:0.5"
)
_LETTER_SHARE = {
    letter: float(share) for letter, share in (pair.split(":") for pair in _RUSSIAN_LETTERS.split())
}
_UNLIKELY_LETTER = -6.0
# Bytes scored per candidate charset: enough to decide, cheap on a long mail.
_SAMPLE = 2000
# A Cyrillic-labelled text scoring this much per Cyrillic letter reads as Russian
# (about 0.7 for real text; a wrong charset scores well below zero).
_READS_AS_RUSSIAN = 0.3
# A guess scoring less than this per character beyond ASCII reads as nothing:
# then chardet is asked.
_READS_AS_TEXT = 0.5
# How much better a guess must score to overrule a Cyrillic label.
_LABEL_TRUST = 8.0
# Floored, so that one rare letter ("объём") cannot outweigh a word.
_LETTER_SCORE = {
    letter: max(-3.0, math.log2(share * 33 / 100)) for letter, share in _LETTER_SHARE.items()
}


_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


def storable(text: str) -> str:
    """Text any database takes: no NUL (PostgreSQL refuses it), no lone surrogates."""
    return _UNSTORABLE.sub("\ufffd", text)


def _is_utf8(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _word_score(word: str) -> float:
    non_ascii = [ch for ch in word if ord(ch) > 127]
    cyrillic = sum(1 for ch in word if "\u0400" <= ch <= "\u04ff")
    if cyrillic == len(word):
        score = sum(_LETTER_SCORE.get(ch, _UNLIKELY_LETTER) for ch in word.lower())
        plausible_case = word.islower() or word.isupper() or word[1:].islower()
        return score if plausible_case else score - 2 * len(word)
    if cyrillic:
        return -2 * len(word)
    if len(word) > 1 and _ACCENTED_LATIN.fullmatch(word):
        # "Ïðèâåò": no Latin-script language writes whole words in accented letters.
        return -2 * len(word)
    return len(non_ascii)


def plausibility(text: str) -> float:
    """How much `text` looks like something a person wrote (higher is better)."""
    score = sum(_word_score(word) for word in _NON_ASCII_WORDS.findall(text))
    for ch in text:
        if ord(ch) > 127 and not ch.isalpha() and ch not in _PLAIN_SYMBOLS:
            score -= 3
    return score


def _best_codec(sample: bytes, candidates: tuple[str, ...], also: str | None = None) -> str:
    tried = [also] if also and also not in candidates else []
    return max(
        [*tried, *candidates],
        key=lambda codec: plausibility(sample.decode(codec, errors="replace")),
    )


def _guessed(data: bytes, also: str | None = None) -> str:
    """The best reading of 8-bit text without a label to trust."""
    sample = data[:_SAMPLE]
    best = _best_codec(sample, _GUESSES, also)
    guess = sample.decode(best, errors="replace")
    score = plausibility(guess)
    if score < _READS_AS_TEXT * sum(1 for ch in guess if ord(ch) > 127):
        other = detected(sample)
        if other is not None and plausibility(sample.decode(other, errors="replace")) > score:
            best = other
    return data.decode(best, errors="replace")


def _labelled_cyrillic(data: bytes, codec: str, text: str) -> str:
    """Text under a Cyrillic label, unless another Cyrillic charset reads it clearly better."""
    sample = data[:_SAMPLE]
    labelled_text = sample.decode(codec)
    labelled = plausibility(labelled_text)
    letters = sum(1 for ch in labelled_text if "\u0400" <= ch <= "\u04ff")
    if labelled > _READS_AS_RUSSIAN * letters > 0:
        return text
    best = _best_codec(sample, _CYRILLIC_8BIT)
    if plausibility(sample.decode(best, errors="replace")) - labelled > max(
        _LABEL_TRUST, letters / 2
    ):
        return data.decode(best, errors="replace")
    return text


def decode_text(data: bytes, label: str | None) -> str:
    """The text in `data`, which its sender says is in charset `label`."""
    codec = codec_name(label)
    if data.isascii():
        text = seven_bit(data, codec) if codec in SEVEN_BIT or b"\x1b" in data else None
        return data.decode("ascii") if text is None else text
    if _is_utf8(data):
        return data.decode("utf-8")
    if mostly_utf8(data):
        return data.decode("utf-8", errors="replace")
    if codec is None or codec in _LOOSE_LABELS or codec == "utf-8":
        return _guessed(data)
    text = strict(data, codec)
    if text is None:
        return _guessed(data, also=codec)
    if codec in _CYRILLIC_8BIT:
        return _labelled_cyrillic(data, codec, text)
    return text


# HTML ------------------------------------------------------------------------------

_SKIPPED = frozenset({"script", "style", "head", "title", "template", "noscript", "svg"})
_BLOCKS = frozenset(
    {
        "p",
        "div",
        "table",
        "tr",
        "ul",
        "ol",
        "dl",
        "dt",
        "dd",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "blockquote",
        "pre",
        "section",
        "article",
        "header",
        "footer",
        "address",
        "center",
        "form",
    }
)
_CELLS = frozenset({"td", "th"})
_SPACES = re.compile(r"[ \t\r\n\f\v\xa0]+")
_BLANK_LINES = re.compile(r"\n{3,}")


class _ReadableText(HTMLParser):
    """Collects what a mail client would show, with line breaks where blocks end."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skipping = 0
        self.preformatted = 0
        self.link: tuple[str, int] | None = None

    def _space(self) -> None:
        if self.parts and not self.parts[-1].endswith(("\n", " ")):
            self.parts.append(" ")

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIPPED:
            self.skipping += 1
        elif tag == "br":
            self.parts.append("\n")
        elif tag == "hr":
            self.parts.append("\n----\n")
        elif tag == "li":
            self.parts.append("\n- ")
        elif tag in _CELLS:
            self._space()
        elif tag == "img":
            alt = (dict(attrs).get("alt") or "").strip()
            if alt:
                self.parts.append(f"[{alt}]")
        elif tag == "a":
            href = (dict(attrs).get("href") or "").strip()
            self.link = (href, len(self.parts)) if href else None
        elif tag in _BLOCKS:
            self.parts.append("\n")
        if tag == "pre":
            self.preformatted += 1

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIPPED:
            self.skipping = max(0, self.skipping - 1)
        elif tag == "a" and self.link is not None:
            href, start = self.link
            shown = "".join(self.parts[start:])
            target = href.removeprefix("mailto:")
            if target not in shown and href.startswith(("http:", "https:", "mailto:")):
                self.parts.append(f" ({target})")
            self.link = None
        elif tag in _BLOCKS:
            self.parts.append("\n")
        if tag == "pre":
            self.preformatted = max(0, self.preformatted - 1)

    def handle_data(self, data: str) -> None:
        if self.skipping:
            return
        if not self.preformatted:
            data = _SPACES.sub(" ", data)
            if not self.parts or self.parts[-1].endswith(("\n", " ")):
                data = data.lstrip(" ")
        if data:
            self.parts.append(data)


def html_to_text(html: str) -> str:
    """The readable text of an HTML mail body: paragraphs and line breaks kept,
    scripts and styles dropped, links shown with their address."""
    parser = _ReadableText()
    try:
        parser.feed(html)
        parser.close()
        text = "".join(parser.parts)
    except Exception:
        # html.parser gives up on a few malformed declarations; the words still count.
        text = _SPACES.sub(" ", unescape(re.sub(r"<[^>]*>", " ", html)))
    lines = [line.rstrip(" \t\xa0") for line in text.split("\n")]
    return _BLANK_LINES.sub("\n\n", "\n".join(lines)).strip()
