"""The demo's customers and what they and the desk write, drawn once per load:
each ticket then picks from these pools, a few draws instead of composing text."""

from __future__ import annotations

import random
from dataclasses import dataclass

from console.demo import texts
from models import EscalationKind, Service

LANGUAGES = ("ru", "en")


@dataclass(frozen=True)
class Customer:
    name: str
    email: str
    wmid: str | None
    purse: str | None
    lang: str

    @property
    def phone(self) -> str | None:
        """Russian customers with a WMID have called before: a number made from
        their WMID, not drawn, so a seed's desk is otherwise as it was."""
        if self.wmid is None or self.lang != "ru":
            return None
        return f"+7916{self.wmid[-7:]}"


def digits(rng: random.Random, n: int) -> str:
    return f"{rng.randrange(10**n):0{n}d}"


class Pools:
    """Drawn in this order from the generator's own random source, so that a seed
    gives the same desk."""

    def __init__(self, rng: random.Random, customers: int) -> None:
        self.rng = rng
        self.customers = [self._customer() for _ in range(customers)]
        self.first_messages = {
            (service, lang): [self._customer_text(service, lang) for _ in range(24)]
            for service in Service
            for lang in LANGUAGES
        }
        self.follow_ups = self._by_language(texts.FOLLOW_UPS)
        self.replies = self._by_language(texts.OPERATOR_REPLIES)
        self.notes = [self._fill(t) for t in texts.NOTES * 4]
        self.reasons = {
            kind: [self._fill(t) for t in texts.ESCALATION_REASONS[kind.value] * 3]
            for kind in EscalationKind
        }

    def _by_language(self, written: dict[str, list[str]]) -> dict[str, list[str]]:
        return {lang: [self._fill(t) for t in written[lang] * 4] for lang in LANGUAGES}

    def _fill(self, text: str) -> str:
        if "{" not in text:
            return text
        rng = self.rng
        return text.format(
            amount=rng.choice((15, 50, 120, 250, 700, 1500, 4200)),
            purse=rng.choice("ZREUB") + digits(rng, 12),
            op=digits(rng, 10),
            name="",
        )

    def _customer(self) -> Customer:
        rng = self.rng
        lang = "ru" if rng.random() < 0.75 else "en"
        first, last = rng.choice(texts.FIRST_NAMES[lang]), rng.choice(texts.LAST_NAMES[lang])
        mailbox = f"{first}.{last}".lower().translate(texts.TRANSLIT)
        return Customer(
            name=f"{first} {last}",
            email=f"{mailbox}{rng.randrange(1, 999)}@{rng.choice(texts.MAIL_DOMAINS)}",
            wmid=digits(rng, 12) if rng.random() < 0.7 else None,
            purse=rng.choice("ZREUB") + digits(rng, 12) if rng.random() < 0.5 else None,
            lang=lang,
        )

    def _customer_text(self, service: Service, lang: str) -> str:
        rng = self.rng
        problems = texts.PROBLEMS.get(service, {}).get(lang) or texts.GENERIC_PROBLEMS[lang]
        parts = [rng.choice(texts.OPENINGS[lang]), self._fill(rng.choice(problems))]
        if rng.random() < 0.4:
            parts.append(rng.choice(texts.GENERIC_PROBLEMS[lang]))
        parts.append(self._fill(rng.choice(texts.SIGNATURES[lang])))
        return "\n\n".join(parts)
