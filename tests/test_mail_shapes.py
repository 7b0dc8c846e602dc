"""Mail as real clients send it, read without a database (issue 10): 7-bit
charsets, the wider charset table, broken UTF-8, raw 8-bit bytes where RFC 2047
wants none, the old and sloppy MIME shapes, control characters; and any bytes
at all give a mail fit to store or a reason to quarantine it. The whole-mail
cases are in tests/mail/ (tests/support/mail_corpus.py says what each reads as)."""

from __future__ import annotations

import base64
import binascii
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from console.mail.charsets import codec_name
from console.mail.headers import decode_header_text, mend_header_block, mend_parameters
from console.mail.parsing import MailLimits, UnreadableMail, read_mail
from console.mail.text import decode_text
from console.mail.uuencode import split_uuencoded
from console.untrusted import one_line, visible

LIMITS = MailLimits(message_bytes=25 * 2**20, header_bytes=64 * 2**10, attachment_bytes=2**20)
CORPUS = Path(__file__).parent / "mail"
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6364f8cf500f00038601805a347d6b0000000049454e44ae426082"
)


def mail(headers: str, body: bytes = b"hi\n") -> bytes:
    return f"From: a@example.com\n{headers}\n\n".encode() + body


# 1. 7-bit charsets ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "label"),
    [
        ("キーパーにログインできません", "iso-2022-jp"),
        ("①番の取引", "iso-2022-jp"),  # NEC special characters, sent under the plain label
        ("계좌가 잠겼습니다", "iso-2022-kr"),
        ("Überweisung über 50 WMZ", "utf-7"),
        ("您好", "hz-gb-2312"),
    ],
)
def test_seven_bit_charsets_are_decoded_under_their_label(text: str, label: str):
    codec = "iso2022_jp_2" if text.startswith("①") else label
    data = text.encode(codec)
    assert data.isascii()
    assert decode_text(data, label) == text


def test_iso_2022_is_recognised_by_its_escapes_without_a_label():
    subject = "ログインできません".encode("iso-2022-jp")
    parsed = read_mail(b"From: a@example.com\nSubject: " + subject + b"\n\nhi\n", LIMITS)
    assert parsed.subject == "ログインできません"


def test_a_terminal_escape_is_not_taken_for_iso_2022():
    assert decode_text(b"red \x1b[31m text", None) == "red \x1b[31m text"


# The charset table ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("label", "codec"),
    [
        ("windows-1251", "cp1251"),
        ('"Windows-1251"', "cp1251"),
        ("win-1251", "cp1251"),
        ("x-cp1251", "cp1251"),
        ("windows-874", "cp874"),
        ("koi8-r", "koi8-u"),
        ("koi8-ru", "koi8-u"),
        ("x-mac-cyrillic", "mac-cyrillic"),
        ("ibm866", "cp866"),
        ("gb2312", "gb18030"),
        ("ks_c_5601-1987", "cp949"),
        ("shift_jis", "cp932"),
        ("windows-31j", "cp932"),
        ("iso-8859-8-i", "iso8859-8"),
        ("unicode-1-1-utf-7", "utf-7"),
        ("iso-2022-jp", "iso2022_jp"),
        ("x-unknown", None),
        ("unknown-8bit", None),
        ("", None),
    ],
)
def test_charset_labels_as_mailers_write_them(label: str, codec: str | None):
    assert codec_name(label) == codec


@pytest.mark.parametrize(
    ("text", "charset"),
    [
        ("Καλημέρα, ο λογαριασμός μου είναι κλειδωμένος", "cp1253"),
        ("お問い合わせありがとうございます。パスワードを忘れました", "shift_jis"),
        ("Добрый день, кошелёк заблокирован, помогите", "cp866"),
    ],
)
def test_text_our_guesses_cannot_read_goes_to_chardet(text: str, charset: str):
    assert decode_text(text.encode(charset), None) == text


# 3. windows-1251 is not Latin-1 ----------------------------------------------------------


@pytest.mark.parametrize("name", ["Атиковa", "Ёлкин", "Гульнара Атиковa"])
def test_a_cyrillic_label_is_never_overruled_by_a_latin_guess(name: str):
    word = "=?windows-1251?B?" + base64.b64encode(name.encode("cp1251")).decode() + "?="
    assert decode_header_text(word) == name


# 4. One bad byte in UTF-8 -------------------------------------------------------------------


@pytest.mark.parametrize("label", [None, "utf-8", "koi8-r"])
def test_one_bad_byte_in_utf8_marks_only_that_byte(label: str | None):
    data = "Юникод запрещен".encode() + b"\xf1 " + "и всё".encode()
    assert decode_text(data, label) == "Юникод запрещен\ufffd и всё"


def test_8bit_cyrillic_is_not_taken_for_damaged_utf8():
    assert decode_text("Привет, мир".encode("cp1251"), None) == "Привет, мир"


# 5. Raw 8-bit bytes in encoded words and file names --------------------------------------------


def test_raw_8bit_bytes_inside_an_encoded_word_are_in_its_charset():
    raw = b"=?iso-8859-1?Q?Die_Hasen_und_die_Fr\xf6sche?=".decode("utf-8", "surrogateescape")
    assert decode_header_text(raw) == "Die Hasen und die Frösche"
    raw = b"=?windows-1251?Q?" + "Выписка_по_кошельку".encode("cp1251") + b"?="
    assert decode_header_text(raw.decode("utf-8", "surrogateescape")) == "Выписка по кошельку"


@pytest.mark.parametrize(
    ("part_charset", "encoded_as"),
    [("koi8-r", "koi8-r"), ("windows-1251", "cp1251"), (None, "cp1251"), (None, "koi8-r")],
)
def test_a_raw_8bit_file_name_is_read_in_the_parts_charset_else_guessed(
    part_charset: str | None, encoded_as: str
):
    name = "Выписка за ноябрь.txt"
    charset = f"; charset={part_charset}" if part_charset else ""
    data = (
        b"From: a@example.com\nContent-Type: multipart/mixed; boundary=b\n\n--b\n"
        b"Content-Type: text/plain\n\nsee the file\n--b\n"
        + f"Content-Type: text/plain{charset}\n".encode()
        + b'Content-Disposition: attachment; filename="'
        + name.encode(encoded_as)
        + b'"\n\nx\n--b--\n'
    )
    assert [a.filename for a in read_mail(data, LIMITS).attachments] == [name]


def test_the_rfc_2231_file_name_still_wins():
    data = (
        b"From: a@example.com\nContent-Type: multipart/mixed; boundary=b\n\n--b\n"
        b"Content-Type: text/plain\n\nsee the file\n--b\nContent-Type: application/pdf\n"
        b"Content-Disposition: attachment; filename*=utf-8''%D0%A1%D1%87%D1%91%D1%82.pdf\n\n"
        b"%PDF\n--b--\n"
    )
    assert [a.filename for a in read_mail(data, LIMITS).attachments] == ["Счёт.pdf"]


# 2 and 6. MIME shapes the standard library gets wrong ----------------------------------------


def test_an_unquoted_boundary_with_an_equals_sign_splits_the_parts():
    parsed = read_mail((CORPUS / "outlook-express-unquoted-boundary.eml").read_bytes(), LIMITS)
    (image,) = parsed.attachments
    assert image.data == PNG
    assert "NextPart" not in parsed.body and "=D0" not in parsed.body


@pytest.mark.parametrize(
    ("value", "mended"),
    [
        ('multipart/mixed boundary="b"', 'multipart/mixed; boundary="b"'),
        ("multipart/mixed;\n\tboundary=----=_N_1", 'multipart/mixed;\n\tboundary="----=_N_1"'),
        ("text/plain; name=This is a test.txt", 'text/plain; name="This is a test.txt"'),
        ("attachment filename=a b.txt", 'attachment; filename="a b.txt"'),
        ('text/plain; name="quoted already.txt"', 'text/plain; name="quoted already.txt"'),
        ("text/plain; charset=utf-8; name=plain.txt", "text/plain; charset=utf-8; name=plain.txt"),
        ("text/plain; name==?utf-8?B?0JTQsA==?=", "text/plain; name==?utf-8?B?0JTQsA==?="),
        ("text/plain; name*=utf-8''a%20b.txt", "text/plain; name*=utf-8''a%20b.txt"),
    ],
)
def test_mime_parameters_are_mended(value: str, mended: str):
    assert mend_parameters(value) == mended


def test_a_part_with_a_sloppy_content_type_inside_a_multipart():
    data = (
        b"From: a@example.com\nContent-Type: multipart/mixed; boundary=outer\n\n--outer\n"
        b"Content-Type: multipart/alternative boundary=inner\n\n--inner\n"
        b"Content-Type: text/plain\n\nthe text\n--inner--\n--outer\n"
        b"Content-Type: application/octet-stream; name=My Report 2026.bin\n\nxx\n--outer--\n"
    )
    parsed = read_mail(data, LIMITS)
    assert parsed.body == "the text"
    assert [a.filename for a in parsed.attachments] == ["My Report 2026.bin"]


def test_uuencoded_files_in_the_text_become_attachments():
    parsed = read_mail((CORPUS / "uuencoded-screenshot.eml").read_bytes(), LIMITS)
    (screenshot,) = parsed.attachments
    assert screenshot.data == PNG


def test_begin_and_end_lines_that_are_no_uuencode_stay_text():
    text = "begin 644 plan\nwe start at nine, with coffee\nend\n"
    assert split_uuencoded(text) == (text, [])
    encoded = binascii.b2a_uu(b"hello").decode()
    assert split_uuencoded(f"a\n\nbegin 600 h.txt\n{encoded}`\nend\n\nb") == (
        "a\n\nb",
        [("h.txt", b"hello")],
    )


def test_obsolete_syntax_and_a_stray_line_in_the_header_block():
    mended, defects = mend_header_block(b"junk line\nFrom  : a@example.com\n\nbody\n")
    assert mended == b"From: a@example.com\n\nbody\n"
    assert defects == ("NonHeaderLineInHeaderBlockDefect", "ObsoleteHeaderSyntaxDefect")


def test_a_line_without_a_colon_before_no_more_headers_starts_the_body():
    parsed = read_mail(b"From: a@example.com\nSubject: hi\nHello, my purse\nis blocked\n", LIMITS)
    assert (parsed.subject, parsed.body) == ("hi", "Hello, my purse\nis blocked")


@pytest.mark.parametrize(
    ("header", "address", "name"),
    [
        ("a@x.com b@x.com", "a@x.com", None),
        ("a@x.com, b@x.com", "a@x.com", None),
        ("Ivan <ivan@example.com> (home)", "ivan@example.com", "Ivan"),
    ],
)
def test_the_first_address_written_in_from_is_the_sender(header, address, name):
    parsed = read_mail(f"From: {header}\n\nhi\n".encode(), LIMITS)
    assert (parsed.sender, parsed.sender_name) == (address, name)


# 9. Control characters -----------------------------------------------------------------------


def test_control_characters_are_stored_as_the_screens_show_them():
    data = (CORPUS / "control-characters.eml").read_bytes()
    parsed = read_mail(data, LIMITS)
    for text in (parsed.subject, parsed.sender_name, parsed.body):
        assert "⟨U+" in text
        assert visible(text) == text
    assert "\x1b" in data.decode()  # the file itself keeps what was sent


def test_tabs_and_folding_in_headers_are_spaces():
    assert decode_header_text("a\tb\r\n c") == "a b c"
    assert decode_header_text("=?utf-8?Q?bell=07?=") == "bell⟨U+0007⟩"


# Any bytes --------------------------------------------------------------------------------------

_SHAPES = st.sampled_from(
    [
        b"From: a@example.com\n",
        b"From  : b@example.com\n",
        b"Subject: =?iso-2022-jp?B?GyRCJUYlOSVIGyhC?=\n",
        b"Subject: =?windows-1251?Q?\xcf\xf0=E8?=\n",
        b"Content-Type: multipart/mixed boundary=----=_x\n",
        b"Content-Type: text/plain; charset=utf-7\n",
        b"Content-Type: text/plain; name=a b.txt\n",
        b"\xe2\x80\xae\x1b[2J\n",
        b"begin 644 f.bin\n#86)C\n`\nend\n",
        b"------=_x\n",
        b"\n",
    ]
)


@settings(max_examples=300)
@given(
    st.lists(st.one_of(_SHAPES, st.binary(max_size=40)), max_size=12).map(b"".join)
    | st.binary(max_size=600)
)
def test_any_bytes_give_a_storable_mail_or_a_reason(data: bytes):
    try:
        parsed = read_mail(data, LIMITS)
    except UnreadableMail as unreadable:
        assert unreadable.reason
        return
    assert visible(parsed.body) == parsed.body
    names = [attachment.filename for attachment in parsed.attachments]
    for text in (parsed.subject, parsed.sender_name or "", *names):
        assert one_line(text) == text
    for text in (parsed.subject, parsed.body, parsed.sender_name or ""):
        assert "\x00" not in text and not any("\ud800" <= ch <= "\udfff" for ch in text)
