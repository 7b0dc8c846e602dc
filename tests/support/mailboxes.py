"""Maildirs and mail for the intake and notice tests."""

from __future__ import annotations

import itertools
import os
from pathlib import Path

from console.mail.intake import Maildir

_SEQUENCE = itertools.count(1)


def make_maildir(root: Path) -> Maildir:
    for folder in ("tmp", "new", "cur"):
        (root / folder).mkdir(parents=True, exist_ok=True)
    return Maildir.open(root)


def deliver(maildir: Maildir, data: bytes, name: str | None = None) -> str:
    """As a mail server delivers: written into tmp/, then renamed into new/."""
    name = name or f"{1764064800 + next(_SEQUENCE):010d}.M{next(_SEQUENCE)}P{os.getpid()}.test"
    staged = maildir.root / "tmp" / name
    staged.write_bytes(data)
    staged.rename(maildir.new / name)
    return name


def compose(
    *,
    sender: str = "Ivan Petrov <ivan@example.com>",
    subject: str = "Перевод не дошёл",
    body: str = "Отправил 100 WMZ, получатель ничего не получил.",
    message_id: str | None = None,
    in_reply_to: str | None = None,
    references: str | None = None,
    extra: str = "",
) -> bytes:
    """A plain UTF-8 mail as a mail client writes it."""
    headers = [
        f"From: {sender}",
        "To: support@wm-console.invalid",
        f"Subject: {subject}",
        "Date: Wed, 25 Nov 2026 10:00:00 +0000",
        f"Message-ID: {message_id or f'<m{next(_SEQUENCE)}@example.com>'}",
        "MIME-Version: 1.0",
        "Content-Type: text/plain; charset=utf-8",
        "Content-Transfer-Encoding: 8bit",
    ]
    if in_reply_to:
        headers.append(f"In-Reply-To: {in_reply_to}")
    if references:
        headers.append(f"References: {references}")
    if extra:
        headers.append(extra)
    return ("\n".join(headers) + f"\n\n{body}\n").encode("utf-8")


def in_cur(maildir: Maildir, name: str) -> bool:
    return (maildir.cur / f"{name}:2,").is_file()
