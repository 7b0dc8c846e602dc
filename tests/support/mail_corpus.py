"""What the desk must make of each mail in tests/mail/: the same table drives the
parsing tests and the intake tests (where each one becomes a ticket or a
quarantine record)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

CORPUS = Path(__file__).parent.parent / "mail"


@dataclass(frozen=True)
class Expected:
    sender: str | None
    subject: str
    body: str
    name: str | None = None
    message_id: str | None = None
    wmids: tuple[str, ...] = ()
    purses: tuple[str, ...] = ()
    # (file name, content type, kept?) in order.
    attachments: tuple[tuple[str, str, bool], ...] = ()
    # Set when the mail is not taken: a fragment of the quarantine reason.
    quarantined: str | None = None
    # A fragment of a system message the ticket must carry.
    system_note: str | None = None
    language: str = "ru"


EXPECTED: dict[str, Expected] = {
    "koi8r-8bit-the-bat.eml": Expected(
        sender="ivan.petrov@mail.ru",
        name="Иван Петров",
        subject="Не могу войти в Keeper",
        message_id="<1987654321.20261125091231@mail.ru>",
        body=(
            'Здравствуйте!\n\nНе могу войти в Keeper WinPro: пишет "неверный пароль", '
            "хотя пароль верный.\nМой WMID 311234567890, кошелёк Z157156762925.\n\n"
            "С уважением,\nИван Петров"
        ),
        wmids=("311234567890",),
        purses=("Z157156762925",),
        system_note="WMID 311234567890, purse Z157156762925",
    ),
    "cp1251-quoted-printable-outlook-express.eml": Expected(
        sender="olga.s@yandex.ru",
        name="Olga S.",
        subject="Перевод не дошёл",
        message_id="<000801db3e8a$4f1c2a10$0a00a8c0@OLGA-PC>",
        body=(
            "Добрый день.\n\nПеревод на кошелёк R123456789012 от 24.11.2026 на сумму 1500 WMR "
            "не дошёл до получателя.\nНомер операции 3312456. Прошу проверить."
        ),
        purses=("R123456789012",),
    ),
    "iso-8859-5-base64.eml": Expected(
        sender="sergei@example.org",
        subject="Не приходит код E-NUM",
        body="Здравствуйте. Не приходит код E-NUM на телефон уже второй день.\nСпасибо.",
    ),
    "latin1-label-cp1251-body.eml": Expected(
        sender="anna@example.com",
        name="Anna",
        subject="Unblock my purse",
        body=(
            "Прошу разблокировать кошелёк, доступ к которому был заблокирован после смены "
            "номера телефона."
        ),
    ),
    "utf8-label-koi8r-body.eml": Expected(
        sender="boris@example.net",
        subject="Attestat",
        body="Подскажите, как продлить аттестат? Паспортные данные поменялись.",
    ),
    "html-only-webmail.eml": Expected(
        sender="maria@mail.ru",
        name="Мария",
        subject="Карта привязана без моего ведома",
        body=(
            "Здравствуйте!\n\nМоя карта привязана к кошельку без моего ведома. Операции:\n\n"
            "24.11 500 WMZ\n\n25.11 700 WMZ\n\n"
            "Подробнее: выписка (https://bank.example/statement/42) «срочно»\n\n--\nМария"
        ),
    ),
    "alternative-thunderbird.eml": Expected(
        sender="john.smith@example.com",
        name="John Smith",
        subject="Payment not going through",
        body="Hello,\n\nmy payment to the merchant keeps failing with error 27.\n\nJohn",
        language="en",
    ),
    "nested-multipart-attachments.eml": Expected(
        sender="pavel@example.ru",
        name="Pavel",
        subject="Спор с продавцом",
        body="Продавец не передал товар, прошу арбитраж. Счёт во вложении.",
        attachments=(
            ("счёт №17.pdf", "application/pdf", True),
            ("Statement.eml", "message/rfc822", True),
            ("Список.txt", "text/plain", True),
        ),
    ),
    "broken-mime-missing-boundary.eml": Expected(
        sender="kate@example.com",
        subject="Broken mailer",
        body=(
            "--some-other-boundary\nContent-Type: text/plain\n\nMy check was not accepted.\n"
            "--some-other-boundary--"
        ),
        language="en",
    ),
    "no-subject-no-message-id.eml": Expected(
        sender="nobody-knows@example.com",
        subject="(no subject)",
        body="please call me back",
        language="en",
    ),
    "no-from.eml": Expected(
        sender=None,
        subject="who am I",
        body="anonymous text",
        quarantined="no From: header: there is no address to answer to",
        language="en",
    ),
    "huge-line.eml": Expected(
        sender="longline@example.com",
        subject="Log",
        body="x" * 100_000 + "\nend",
        language="en",
    ),
    "encoded-words-mixed.eml": Expected(
        sender="d.volkov@example.com",
        name="Дмитрий Волков",
        subject="Вопрос по обмену WMZ→WMR and plain words",
        body="Курс обмена отличается от заявленного.",
    ),
    "raw-8bit-headers.eml": Expected(
        sender="sidorov@example.ru",
        name="Иван Сидоров",
        subject="Пароль не подходит",
        body="Пароль от Keeper не подходит.",
    ),
    "scam-telegram-deal.eml": Expected(
        sender="victim@example.com",
        name="Client",
        subject="Is this really WebMoney Suppport?",
        body=(
            "Someone from 'WebMoney Suppport' wrote to me and offered to finish the deal "
            "over Telegram."
        ),
        system_note="Suggested escalation: fraud",
        language="en",
    ),
    "auto-reply-out-of-office.eml": Expected(
        sender="away@example.com",
        subject="Out of office: your request",
        body="I am away until Monday.",
        quarantined="an automatic mail (Auto-Submitted: auto-replied) that continues no ticket",
        language="en",
    ),
    "crlf-outlook-alternative.eml": Expected(
        sender="e.petrova@corp.example",
        name="Petrova, Elena",
        subject="Смена телефона",
        body="Здравствуйте! Прошу сменить номер телефона в аттестате.",
    ),
    "bad-base64.eml": Expected(
        sender="broken64@example.com",
        subject="bad base64",
        # The last characters were cut off in transit; the rest is read.
        body="Не работает проверка",
    ),
    "unknown-charset-label.eml": Expected(
        sender="x-unknown@example.com",
        subject="unknown charset",
        body="Почему заблокирован мой WMID?",
    ),
    # Mail as real clients send it (issue 10): one shape each, written for these tests.
    "iso-2022-jp-7bit.eml": Expected(
        sender="hanako.tanaka@example.jp",
        name="田中 花子",
        subject="ログインできません",
        body=(
            "お世話になっております。\nキーパーにログインできません。\nWMID 412345678901 です。\n"
            "よろしくお願いします。\n田中"
        ),
        wmids=("412345678901",),
        system_note="WMID 412345678901",
        language="en",
    ),
    "utf-7-subject-and-body.eml": Expected(
        sender="juergen.f@example.de",
        name="Jürgen Fröhlich",
        subject="Überweisung nicht angekommen",
        body=(
            "Guten Tag,\n\nmeine Überweisung über 50 WMZ ist nicht angekommen. Können Sie das "
            "prüfen?\n\nGrüße\nJürgen Fröhlich"
        ),
        language="en",
    ),
    "outlook-express-unquoted-boundary.eml": Expected(
        sender="irina.k@example.ru",
        name="Irina K.",
        subject="Ошибка оплаты",
        body=(
            "Здравствуйте.\nОплата картой не проходит, скриншот ошибки во вложении.\n"
            "С уважением, Ирина"
        ),
        attachments=(("oshibka.png", "image/png", True),),
    ),
    "cp1251-encoded-word-name.eml": Expected(
        sender="g.atikova@example.ru",
        # As she typed it: the last letter is a Latin "a".
        name="Гульнара Атиковa",
        subject="Аттестат",
        body="Когда будет проверен мой аттестат?",
    ),
    "utf8-header-stray-byte.eml": Expected(
        sender="svetlana.y@example.ru",
        name="Светлана Юрьевна\ufffd",
        subject="Не приходит SMS\ufffd-код",
        body="Код подтверждения не приходит уже час.",
    ),
    "raw-8bit-in-encoded-word-and-filename.eml": Expected(
        sender="nikolai@example.ru",
        name="Nikolai",
        subject="Выписка по кошельку",
        body="Выписки во вложении.",
        attachments=(
            ("Выписка за ноябрь.txt", "text/plain", True),
            ("Счёт.pdf", "application/pdf", True),
        ),
    ),
    "uuencoded-screenshot.eml": Expected(
        sender="pyotr@example.ru",
        name="Pyotr",
        subject="Screenshot",
        body="Вот скриншот ошибки:\n\nПётр",
        attachments=(("screenshot.png", "image/png", True),),
    ),
    "sloppy-content-type.eml": Expected(
        sender="marina@example.ru",
        name="Marina",
        subject="Договор",
        body="Договор прилагаю.",
        attachments=(("Договор на обмен.txt", "text/plain", True),),
    ),
    "obsolete-header-syntax.eml": Expected(
        sender="john.miller@example.com",
        name="John Miller",
        subject="Purse blocked",
        body="My purse was blocked after I logged in from a new computer.",
        message_id="<obsolete.1@example.com>",
        language="en",
    ),
    "two-addresses-in-from.eml": Expected(
        sender="oleg@example.ru",
        subject="E-num",
        body="Не работает E-num.",
    ),
    "control-characters.eml": Expected(
        sender="sergey.m@example.ru",
        name="Сер⟨U+200B⟩гей",
        subject="Счёт ⟨U+202E⟩FDP.exe",
        body=(
            "Вот ссылка ⟨U+001B⟩]8;;https://evil.example⟨U+0007⟩сюда⟨U+001B⟩]8;;⟨U+0007⟩, "
            "звонок⟨U+0007⟩, CSI ⟨U+009B⟩2J и ⟨U+2066⟩изоляция⟨U+2069⟩."
        ),
    ),
}


def corpus_files() -> list[Path]:
    return sorted(CORPUS.glob("*.eml"))
