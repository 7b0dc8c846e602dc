"""`wmconsole bench intake`: how fast the mail intake takes real-shaped mail into a
big desk.

The database is topped up with demo tickets to --tickets first (reused when it
already holds them). Then --messages mails are written into a fresh Maildir,
the way customers' mail comes: mostly new requests in Russian and English
(UTF-8, KOI8-R and windows-1251, some HTML-only, some with an attachment, some
matching a scam marker), follow-ups tagged [#NUMBER] from the owners of
existing tickets, replies to mail of the same batch, re-deliveries and a few
unreadable ones. Only the intake itself is timed.
"""

from __future__ import annotations

import random
import shutil
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime, formataddr
from pathlib import Path

import sqlalchemy as sa

from console.demo import texts
from console.demo.generator import load_demo
from console.desk import Desk, open_desk
from console.mail.intake import Fate, Maildir, take_waiting
from models import Service, Ticket

Echo = Callable[[str], None]

# Shares of the generated inflow; the rest are new requests.
FOLLOW_UP_BY_TAG = 0.15
REPLY_IN_BATCH = 0.05
DUPLICATE = 0.04
UNREADABLE = 0.01
HTML_ONLY = 0.05
WITH_ATTACHMENT = 0.03
SCAM = 0.02
# The services the demo texts have problems written for.
_SERVICES = sorted(set(texts.SUBJECTS) & set(texts.PROBLEMS))
_FIRST_SENT = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)
# A small PNG, as customers attach screenshots.
_SCREENSHOT = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6364f8cf500f0003860180"
    "5a347d6b0000000049454e44ae426082"
)


class Inflow:
    """Deterministic mail for a seed."""

    def __init__(self, seed: int, owners: list[tuple[int, str]]) -> None:
        self.random = random.Random(seed)
        self.owners = owners
        self.sent: list[tuple[str, str, bytes]] = []  # (message id, sender, raw)
        self.sequence = 0

    def _customer(self, language: str) -> tuple[str, str]:
        pick = self.random.choice
        first, last = pick(texts.FIRST_NAMES[language]), pick(texts.LAST_NAMES[language])
        local = f"{first}.{last}".lower().translate(texts.TRANSLIT)
        return f"{first} {last}", f"{local}{self.random.randrange(1000)}@{pick(texts.MAIL_DOMAINS)}"

    def _text(self, service: Service, language: str, name: str) -> str:
        pick = self.random.choice
        lines = [
            pick(texts.OPENINGS[language]),
            pick(texts.PROBLEMS[service][language]),
            pick(texts.GENERIC_PROBLEMS[language]),
        ]
        if self.random.random() < 0.3:
            wmid = "".join(self.random.choice("0123456789") for _ in range(12))
            lines.append(f"WMID {wmid}")
        if self.random.random() < 0.2:
            lines.append(f"Z{self.random.randrange(10**11, 10**12)}")
        if self.random.random() < SCAM / 0.98:
            lines.append("Suppport offered to finish the deal in Telegram.")
        lines.append(pick(texts.SIGNATURES[language]).format(name=name))
        return "\n\n".join(lines)

    def _mail(
        self,
        *,
        sender: tuple[str, str],
        subject: str,
        body: str,
        language: str,
        in_reply_to: str | None = None,
    ) -> tuple[str, bytes]:
        self.sequence += 1
        message_id = f"<bench.{self.sequence}.{self.random.getrandbits(48):x}@mail.example>"
        mail = EmailMessage()
        mail["From"] = formataddr(sender)
        mail["To"] = "support@wm-console.invalid"
        mail["Subject"] = subject
        mail["Date"] = format_datetime(_sent_at(self.sequence))
        mail["Message-ID"] = message_id
        if in_reply_to:
            mail["In-Reply-To"] = in_reply_to
            mail["References"] = in_reply_to
        charset = "utf-8"
        if language == "ru":
            charset = self.random.choice(["utf-8", "utf-8", "koi8-r", "windows-1251"])
            # KOI8-R has no «quotes»: a mailer would have fallen back to UTF-8 too.
            if not _encodable(body, charset):
                charset = "utf-8"
        if self.random.random() < HTML_ONLY:
            paragraphs = "".join(f"<p>{line}</p>" for line in body.split("\n\n"))
            mail.set_content(f"<html><body>{paragraphs}</body></html>", subtype="html")
        else:
            mail.set_content(body, charset=charset)
        if self.random.random() < WITH_ATTACHMENT:
            mail.add_attachment(
                _SCREENSHOT, maintype="image", subtype="png", filename="screenshot.png"
            )
        return message_id, mail.as_bytes()

    def next_mail(self) -> bytes:
        roll = self.random.random()
        if roll < UNREADABLE:
            self.sequence += 1
            return b"To: support@wm-console.invalid\nSubject: ?\n\nno sender at all\n"
        roll -= UNREADABLE
        if roll < DUPLICATE and self.sent:
            return self.random.choice(self.sent)[2]
        roll -= DUPLICATE
        language = self.random.choice(["ru", "ru", "ru", "en"])
        if roll < FOLLOW_UP_BY_TAG and self.owners:
            number, email = self.random.choice(self.owners)
            subject = f"Re: [#{number}] " + self.random.choice(
                texts.SUBJECTS[Service.other][language]
            )
            body = self.random.choice(texts.FOLLOW_UPS[language]).format(op=self.sequence)
            _, raw = self._mail(sender=("", email), subject=subject, body=body, language=language)
            return raw
        roll -= FOLLOW_UP_BY_TAG
        if roll < REPLY_IN_BATCH and self.sent:
            message_id, sender, _ = self.random.choice(self.sent)
            body = self.random.choice(texts.FOLLOW_UPS[language]).format(op=self.sequence)
            _, raw = self._mail(
                sender=("", sender),
                subject="Re:",
                body=body,
                language=language,
                in_reply_to=message_id,
            )
            return raw
        service = self.random.choice(_SERVICES)
        name, email = self._customer(language)
        subject = self.random.choice(texts.SUBJECTS[service][language])
        message_id, raw = self._mail(
            sender=(name, email),
            subject=subject,
            body=self._text(service, language, name),
            language=language,
        )
        self.sent.append((message_id, email, raw))
        return raw


def _encodable(text: str, charset: str) -> bool:
    try:
        text.encode(charset)
    except UnicodeEncodeError:
        return False
    return True


def _sent_at(sequence: int) -> datetime:
    return _FIRST_SENT + timedelta(seconds=sequence)


def owners(desk: Desk, sample: int, seed: int) -> list[tuple[int, str]]:
    """Existing tickets and their customers' addresses, for tagged follow-ups."""
    with desk.db.connect() as connection:
        low, high = connection.execute(
            sa.select(sa.func.min(Ticket.id), sa.func.max(Ticket.id))
        ).one()
        if low is None:
            return []
        ids = random.Random(seed).sample(range(low, high + 1), min(sample, high - low + 1))
        rows = connection.execute(
            sa.select(Ticket.number, Ticket.customer_email).where(
                Ticket.id.in_(ids), Ticket.customer_email.is_not(None)
            )
        ).all()
    return [(number, email) for number, email in rows]


def _ticket_count(desk: Desk) -> int:
    with desk.db.connect() as connection:
        return connection.execute(sa.select(sa.func.count()).select_from(Ticket)).scalar()


def run_intake_benchmark(
    db_url: str | None, *, tickets: int, messages: int, seed: int, echo: Echo
) -> float:
    """Prints the figures; returns messages per second."""
    scratch = Path(tempfile.mkdtemp(prefix="wmconsole-bench-intake-"))
    desk = open_desk(db_url or f"sqlite:///{scratch / 'bench.db'}")
    try:
        backend = "PostgreSQL" if desk.db.is_postgres else "SQLite"
        existing = _ticket_count(desk)
        if existing < tickets:
            echo(f"loading {tickets - existing:,} demo tickets ...")
            loaded = load_demo(desk, tickets=tickets - existing, seed=seed)
            echo(f"  {loaded.tickets:,} tickets in {loaded.seconds:.1f} s")
        before = _ticket_count(desk)
        root = scratch / "Maildir"
        for folder in ("tmp", "new", "cur"):
            (root / folder).mkdir(parents=True)
        maildir = Maildir.open(root)
        started = time.perf_counter()
        inflow = Inflow(seed, owners(desk, 5000, seed))
        for index in range(messages):
            (root / "new" / f"{1764061200 + index}.M{index:07d}P1.bench").write_bytes(
                inflow.next_mail()
            )
        echo(
            f"{backend}: {before:,} tickets; {messages:,} mails written in "
            f"{time.perf_counter() - started:.1f} s"
        )
        started, cpu_started = time.perf_counter(), time.process_time()
        summary = take_waiting(desk, maildir)
        seconds = time.perf_counter() - started
        cpu = time.process_time() - cpu_started
        rate = messages / seconds
        c = summary.counts
        # CPU time in this process too: on a shared machine the wall clock
        # also counts the neighbours.
        echo(
            f"intake: {messages:,} mails in {seconds:.1f} s = {rate:,.0f} mails/s "
            f"({1000 / rate:.2f} ms each, {1000 * cpu / messages:.2f} ms of it on our CPU)"
        )
        echo(
            f"  taken {c[Fate.taken]:,}, threaded {c[Fate.threaded]:,}, "
            f"duplicates {c[Fate.duplicate]:,}, quarantined {c[Fate.quarantined]:,}"
        )
        echo(f"  {_ticket_count(desk):,} tickets now")
        return rate
    finally:
        desk.close()
        # The Maildir, and the database when it was a temporary one.
        shutil.rmtree(scratch, ignore_errors=True)
