"""Mail as it really comes, read without a database: the corpus in tests/mail/,
charsets and their wrong labels, HTML, the size caps, and the Apache James
mime4j test messages (read in place from the shared corpus)."""

from __future__ import annotations

import base64
from pathlib import Path

import pytest

from console.mail.parsing import (
    CONTENT_ID_DOMAIN,
    MAX_MIME_HEADER,
    MailLimits,
    UnreadableMail,
    decode_header_text,
    read_mail,
)
from console.mail.text import decode_text, html_to_text
from console.rules import validation
from tests.support.mail_corpus import EXPECTED, corpus_files

LIMITS = MailLimits(message_bytes=25 * 2**20, header_bytes=64 * 2**10, attachment_bytes=2**20)
MIME4J = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "mail-mime4j"


def test_every_corpus_file_has_an_expectation():
    assert sorted(path.name for path in corpus_files()) == sorted(EXPECTED)


@pytest.mark.parametrize("path", corpus_files(), ids=lambda path: path.stem)
def test_corpus_mail_reads_as_expected(path: Path):
    expected = EXPECTED[path.name]
    mail = read_mail(path.read_bytes(), LIMITS)
    assert mail.sender == expected.sender
    assert mail.subject == expected.subject
    assert mail.body == expected.body
    assert mail.sender_name == expected.name
    assert mail.wmids == expected.wmids
    assert mail.purses == expected.purses
    assert [(a.filename, a.content_type, a.refused_reason is None) for a in mail.attachments] == [
        *expected.attachments
    ]
    if expected.message_id:
        assert mail.message_id == expected.message_id


def test_attachment_bytes_are_decoded():
    mail = read_mail(
        (Path(__file__).parent / "mail/nested-multipart-attachments.eml").read_bytes(), LIMITS
    )
    pdf, forwarded, text = mail.attachments
    assert pdf.data.startswith(b"%PDF-1.4") and pdf.data.endswith(b"%%EOF\n")
    assert (
        b"Subject: Statement" in forwarded.data and b"Your statement is attached." in forwarded.data
    )
    assert text.data == b"1. item"


def test_mail_without_message_id_gets_one_from_its_content():
    data = (Path(__file__).parent / "mail/no-subject-no-message-id.eml").read_bytes()
    first, again = read_mail(data, LIMITS), read_mail(data, LIMITS)
    assert not first.has_message_id
    assert first.message_id == again.message_id
    assert first.message_id.endswith(f"@{CONTENT_ID_DOMAIN}>")
    assert read_mail(data + b"x", LIMITS).message_id != first.message_id


def test_threading_headers_are_read_most_direct_first():
    mail = read_mail(
        b"From: a@example.com\nMessage-ID: <m3@x>\nIn-Reply-To: <m2@x>\n"
        b"References: <m0@x>\n <m1@x> <m2@x>\n\nhi\n",
        LIMITS,
    )
    assert mail.in_reply_to == ("<m2@x>",)
    assert mail.references == ("<m0@x>", "<m1@x>", "<m2@x>")
    assert mail.referenced_ids == ["<m2@x>", "<m1@x>", "<m0@x>"]


def test_a_message_id_without_brackets_is_still_recognised():
    mail = read_mail(b"From: a@example.com\nMessage-ID: bare-id@example.com\n\nhi\n", LIMITS)
    assert mail.message_id == "<bare-id@example.com>"
    assert mail.has_message_id


def test_an_over_limit_attachment_is_refused_with_its_reason_and_the_mail_kept():
    blob = base64.b64encode(b"\x89PNG" + b"\x00" * 5000).decode()
    data = (
        "From: a@example.com\nSubject: photo\nContent-Type: multipart/mixed; boundary=b\n\n"
        "--b\nContent-Type: text/plain\n\nsee the photo\n"
        "--b\nContent-Type: image/png\nContent-Disposition: attachment; filename=big.png\n"
        f"Content-Transfer-Encoding: base64\n\n{blob}\n--b--\n"
    ).encode()
    mail = read_mail(data, MailLimits(2**20, 2**16, attachment_bytes=1000))
    assert mail.body == "see the photo"
    (photo,) = mail.attachments
    assert photo.filename == "big.png"
    assert photo.data == b""
    assert photo.declared_size == 5004
    assert photo.refused_reason == "5004 bytes is over the 1000-byte attachment limit"


def test_a_text_longer_than_a_message_is_cut_and_attached_whole():
    text = "Журнал операций. " * 20_000
    data = f"From: a@example.com\nSubject: log\nContent-Type: text/plain; charset=utf-8\n\n{text}"
    mail = read_mail(data.encode(), LIMITS)
    assert len(mail.body) <= validation.MAX_BODY
    assert "the whole text is attached as message.txt" in mail.body
    (whole,) = mail.attachments
    assert whole.filename == "message.txt"
    assert whole.data.decode() == text.strip()


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"", "the file is empty"),
        (b"   \n\n", "the file is empty"),
        (b"just some words\nand more words\n", "no mail headers"),
        (b"From: a@example.com\n" + b"X-Filler: " + b"y" * 70_000 + b"\n\nbody", "header section"),
        (
            b"From: a@example.com\nContent-Type: multipart/mixed; boundary=b\n\n--b\n"
            b"Content-Type: text/plain; "
            + b'p="=?utf-8?B?0J/RgA==?="; ' * 1000
            + b"\n\nx\n--b--\n",
            "Content-Type header of",
        ),
    ],
    ids=["empty", "blank", "not-mail", "huge-header", "quadratic-mime-header"],
)
def test_unreadable_mail_says_why(data: bytes, reason: str):
    with pytest.raises(UnreadableMail, match=reason):
        read_mail(data, LIMITS)


def test_the_mime_header_cap_is_above_real_headers():
    # A long but honest Content-Disposition (a 200-character Cyrillic file name).
    name = "%D0%B4" * 200
    data = (
        "From: a@example.com\nContent-Type: multipart/mixed; boundary=b\n\n--b\n"
        f"Content-Type: text/plain\n\nhi\n--b\nContent-Type: application/pdf\n"
        f"Content-Disposition: attachment; filename*=utf-8''{name}.pdf\n\n%PDF\n--b--\n"
    ).encode()
    assert len(name) < MAX_MIME_HEADER
    mail = read_mail(data, LIMITS)
    assert mail.attachments[0].filename == "д" * 200 + ".pdf"


def test_a_message_over_the_size_limit_is_not_parsed():
    with pytest.raises(UnreadableMail, match="over the 100-byte message limit"):
        read_mail(b"From: a@example.com\n\n" + b"x" * 200, MailLimits(100, 100, 100))


def test_nul_bytes_and_stray_bytes_never_reach_the_database():
    mail = read_mail(
        b"From: a@example.com\nSubject: nul \x00 here \xff\n\nbody \x00 with nul\n", LIMITS
    )
    assert "\x00" not in mail.subject and "\x00" not in mail.body
    assert not any("\ud800" <= ch <= "\udfff" for ch in mail.subject + mail.body)


def test_automatic_mail_is_recognised():
    def automatic(headers: str) -> str | None:
        return read_mail(f"From: a@example.com\n{headers}\n\nhi\n".encode(), LIMITS).automatic

    assert automatic("Auto-Submitted: auto-replied") == "Auto-Submitted: auto-replied"
    assert automatic("Auto-Submitted: no") is None
    assert automatic("Precedence: bulk") == "Precedence: bulk"
    assert automatic("X-Autoreply: yes") == "X-Autoreply header"
    assert automatic("Content-Type: multipart/report; report-type=delivery-status; boundary=x")
    assert automatic("Subject: hello") is None
    bounce = read_mail(b"From: MAILER-DAEMON@mx.example.com\n\nundeliverable\n", LIMITS)
    assert bounce.automatic == "sent by MAILER-DAEMON@mx.example.com"


def test_unusable_sender_addresses_say_why():
    mail = read_mail(b"From: Someone <not-an-address>\n\nhi\n", LIMITS)
    assert mail.sender is None
    assert mail.sender_problem == "no address in From: 'Someone <not-an-address>'"
    mail = read_mail(b"From: x@localhost\n\nhi\n", LIMITS)
    assert mail.sender is None
    assert mail.sender_problem == "unusable From: address 'x@localhost'"


def test_identifiers_are_not_taken_from_inside_other_numbers():
    mail = read_mail(
        b"From: a@example.com\nSubject: WMID 123456789012\n\n"
        b"card 4276123456789012345, phone +380501234567, purse z157156762925 and "
        b"E157156762925; WMID 123456789012 again; 1234567890123 is too long\n",
        LIMITS,
    )
    assert mail.wmids == ("123456789012",)
    assert mail.purses == ("Z157156762925", "E157156762925")


# Charsets and HTML -----------------------------------------------------------------

RUSSIAN = (
    "Добрый день. Прошу разблокировать кошелек R123456789012, доступ к которому был "
    "заблокирован после смены телефона."
)


@pytest.mark.parametrize("charset", ["koi8-r", "cp1251", "iso8859-5", "utf-8"])
@pytest.mark.parametrize(
    "label",
    [None, "us-ascii", "iso-8859-1", "windows-1251", "koi8-r", "iso-8859-5", "utf-8", "x-junk"],
)
def test_russian_text_survives_any_label(charset: str, label: str | None):
    assert decode_text(RUSSIAN.encode(charset), label) == RUSSIAN


@pytest.mark.parametrize("charset", ["koi8-r", "cp1251", "iso8859-5"])
@pytest.mark.parametrize("text", ["Да", "Я", "ФСБ", "ЦБ РФ", "объём", "Ёж", "Ок"])
def test_a_correct_label_is_never_overruled(charset: str, text: str):
    assert decode_text(text.encode(charset), charset) == text


@pytest.mark.parametrize(
    "text", ["Sehr geehrte Damen und Herren, ich möchte die Überweisung prüfen. Grüße", "Hélène"]
)
@pytest.mark.parametrize("label", [None, "iso-8859-1", "windows-1252", "us-ascii"])
def test_western_text_stays_western(text: str, label: str | None):
    assert decode_text(text.encode("latin-1"), label) == text


def test_a_charset_python_does_not_know_falls_back_to_a_guess():
    assert decode_text("Почему заблокирован мой WMID?".encode("cp1251"), "x-mac-klingon") == (
        "Почему заблокирован мой WMID?"
    )


def test_encoded_words():
    assert (
        decode_header_text("=?utf-8?B?0J/RgNC40LLQtdGC?= =?koi8-r?Q?_=CD=C9=D2?=") == "Привет мир"
    )
    assert decode_header_text("=?UTF-8?q?caf=C3=A9?= ordinary") == "café ordinary"
    # Unpadded base64 and a language tag (RFC 2231) are common in the wild.
    assert decode_header_text("=?utf-8*ru?B?0JTQsA?=") == "Да"
    # Broken encoded words stay as written rather than vanish.
    assert decode_header_text("=?utf-8?B?***?=") == "=?utf-8?B?***?="
    assert decode_header_text("line\r\n folded\there") == "line folded here"


def test_html_becomes_readable_text():
    html = (
        "<html><head><style>p{color:red}</style><title>T</title></head><body>"
        "<h1>Title</h1><p>First&nbsp;paragraph with <b>bold</b> &laquo;quotes&raquo;.</p>"
        "<ul><li>one</li><li>two</li></ul><p>See <a href='https://wm.example/kb'>the article</a>"
        " or <a href='https://wm.example/x'>https://wm.example/x</a>.</p>"
        "<script>alert('x')</script><img src=cid:1 alt='logo'><br>bye</body></html>"
    )
    assert html_to_text(html) == (
        "Title\n\nFirst paragraph with bold «quotes».\n\n- one\n- two\n\n"
        "See the article (https://wm.example/kb) or https://wm.example/x.\n[logo]\nbye"
    )


# The Apache James mime4j corpus ------------------------------------------------------


def _mime4j_messages() -> list[Path]:
    return sorted(MIME4J.glob("*/*.msg"))


@pytest.mark.skipif(
    not MIME4J.is_dir(), reason="the shared mime4j corpus is not beside the project"
)
@pytest.mark.parametrize(
    "path", _mime4j_messages(), ids=lambda path: f"{path.parent.name}/{path.stem}"
)
def test_mime4j_messages_are_read_or_refused_with_a_reason(path: Path):
    try:
        mail = read_mail(path.read_bytes(), LIMITS)
    except UnreadableMail as unreadable:
        assert unreadable.reason
        return
    assert mail.body
    assert mail.subject
    assert len(mail.body) <= validation.MAX_BODY
    for text in (mail.body, mail.subject, mail.sender_name or ""):
        assert "\x00" not in text


@pytest.mark.skipif(
    not MIME4J.is_dir(), reason="the shared mime4j corpus is not beside the project"
)
def test_mime4j_koi8r_attachment_name():
    mail = read_mail((MIME4J / "testmsgs/russian-headers.msg").read_bytes(), LIMITS)
    assert [a.filename for a in mail.attachments] == ["Список.doc"]
    assert mail.subject == "A simple subject"
