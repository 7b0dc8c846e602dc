"""What a notice says to the customer: one text per kind and language.

Every text is a template over the same few fields, filled by `compose_text`;
the tag [#NUMBER] that starts each subject threads the customer's answer back
to the ticket. Customer text (the subject, the name, the answer) goes in as a
value, so braces in it are never read as fields.
"""

from __future__ import annotations

from dataclasses import dataclass

from console.settings import Settings
from models import Language, NoticeKind


@dataclass(frozen=True)
class NoticeText:
    subject: str
    body: str


# (language, whether the ticket has the customer's name)
_HELLO = {
    (Language.ru, True): "Здравствуйте, {name}!",
    (Language.ru, False): "Здравствуйте!",
    (Language.en, True): "Hello {name},",
    (Language.en, False): "Hello,",
}

TEXTS: dict[tuple[NoticeKind, Language], NoticeText] = {
    (NoticeKind.confirm, Language.ru): NoticeText(
        "{tag} Подтвердите обращение: {subject}",
        "{hello}\n\nМы получили ваше обращение №{number} «{subject}».\n"
        "Чтобы служба поддержки начала работу, подтвердите его по ссылке:\n\n"
        "{confirm_url}\n\nЕсли вы нам не писали, ничего не делайте: "
        "неподтверждённое обращение закроется через {expire_days} дней.\n",
    ),
    (NoticeKind.confirm, Language.en): NoticeText(
        "{tag} Please confirm your request: {subject}",
        '{hello}\n\nWe have received your request #{number} "{subject}".\n'
        "Please confirm it by following this link, and support will start on it:\n\n"
        "{confirm_url}\n\nIf you did not write to us, do nothing: "
        "an unconfirmed request is closed after {expire_days} days.\n",
    ),
    (NoticeKind.answer, Language.ru): NoticeText(
        "{tag} Re: {subject}",
        "{answer}\n\n-- \nОтвет службы поддержки на обращение №{number}. Чтобы ответить, "
        "ответьте на это письмо, сохранив {tag} в теме.\n",
    ),
    (NoticeKind.answer, Language.en): NoticeText(
        "{tag} Re: {subject}",
        "{answer}\n\n-- \nSupport's answer to your request #{number}. To write back, reply "
        "to this e-mail and keep {tag} in the subject.\n",
    ),
    (NoticeKind.archived, Language.ru): NoticeText(
        "{tag} Обращение перенесено в архив: {subject}",
        "{hello}\n\nВаше обращение №{number} «{subject}» перенесено в архив: "
        "мы ответили, а от вас не было вестей {archive_days} дней.\n"
        "Если вопрос не решён, ответьте на это письмо, и обращение снова откроется.\n",
    ),
    (NoticeKind.archived, Language.en): NoticeText(
        "{tag} Your request was moved to the archive: {subject}",
        '{hello}\n\nYour request #{number} "{subject}" was moved to the archive: we '
        "answered and have not heard from you for {archive_days} days.\n"
        "If the matter is not settled, reply to this e-mail and the request reopens.\n",
    ),
    (NoticeKind.reopened, Language.ru): NoticeText(
        "{tag} Обращение снова открыто: {subject}",
        "{hello}\n\nВаше обращение №{number} «{subject}» снова открыто; "
        "мы ответим в ближайшее время.\n",
    ),
    (NoticeKind.reopened, Language.en): NoticeText(
        "{tag} Your request is open again: {subject}",
        '{hello}\n\nYour request #{number} "{subject}" is open again; we will answer soon.\n',
    ),
}


def compose_text(
    kind: NoticeKind,
    *,
    language: str,
    number: int,
    subject: str,
    name: str | None,
    answer: str | None,
    confirm_url: str,
    settings: Settings,
) -> NoticeText:
    """What the customer reads, in the ticket's language (English unless Russian)."""
    language = Language.ru if language == Language.ru else Language.en
    fields = {
        "tag": f"[#{number}]",
        "number": number,
        "subject": subject,
        "hello": _HELLO[language, bool(name)].format(name=name),
        "answer": answer or "",
        "confirm_url": confirm_url,
        "expire_days": settings.lifecycle_unconfirmed_expire_days,
        "archive_days": settings.lifecycle_answered_archive_days,
    }
    text = TEXTS[kind, language]
    return NoticeText(text.subject.format(**fields), text.body.format(**fields))
