"""Attachments: metadata on the ticket, bytes content-addressed by SHA-256 in
their own table, so every host sharing the database can open them."""

from __future__ import annotations

import hashlib
import mimetypes
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session

from console.errors import NotFound
from models import Attachment, AttachmentContent

if TYPE_CHECKING:
    from console.desk import Desk

MAX_FILENAME = 255
_UNSAFE = re.compile(r"[\x00-\x1f\x7f-\x9f/\\:*?\"<>|]")


@dataclass(frozen=True)
class IncomingAttachment:
    filename: str
    content_type: str
    data: bytes
    # Set when the content is not kept (over the size limit, say).
    refused_reason: str | None = None
    declared_size: int | None = None


def safe_filename(name: str | None, fallback: str = "attachment") -> str:
    """A name that cannot climb out of a folder or trick a terminal: no path
    separators, control, bidi or zero-width characters, no leading dots."""
    text = unicodedata.normalize("NFC", name or "")
    text = "".join(
        "_" if _UNSAFE.match(ch) or unicodedata.category(ch) in ("Cf", "Cc", "Zl", "Zp") else ch
        for ch in text
    )
    text = text.strip().lstrip(".").strip()
    if len(text.encode("utf-8")) > MAX_FILENAME:
        stem, dot, suffix = text.rpartition(".")
        if not dot or len(suffix) > 16:
            stem, suffix = text, ""
        budget = MAX_FILENAME - len(suffix.encode()) - 1
        stem = stem.encode("utf-8")[:budget].decode("utf-8", "ignore")
        text = f"{stem}.{suffix}" if suffix else stem
    return text or fallback


def guess_type(filename: str) -> str:
    return mimetypes.guess_type(filename)[0] or "application/octet-stream"


def _insert_content_once(session: Session, digest: str, data: bytes) -> None:
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    session.execute(
        insert(AttachmentContent)
        .values(sha256=digest, size=len(data), data=data)
        .on_conflict_do_nothing(index_elements=["sha256"])
    )


def store_attachments(
    session: Session,
    desk: Desk,
    *,
    ticket_id: int,
    message_id: int | None,
    attachments: Sequence[IncomingAttachment],
) -> list[Attachment]:
    limit = desk.settings.intake_max_attachment_bytes
    stored = []
    for incoming in attachments:
        filename = safe_filename(incoming.filename)
        refused = incoming.refused_reason
        if refused is None and len(incoming.data) > limit:
            refused = f"{len(incoming.data)} bytes is over the {limit}-byte attachment limit"
        digest = None
        if refused is None:
            digest = hashlib.sha256(incoming.data).hexdigest()
            _insert_content_once(session, digest, incoming.data)
        row = Attachment(
            ticket_id=ticket_id,
            message_id=message_id,
            filename=filename,
            content_type=(incoming.content_type or guess_type(filename))[:255],
            size=incoming.declared_size
            if incoming.declared_size is not None
            else len(incoming.data),
            sha256=digest,
            refused_reason=refused,
            created_at=desk.now(),
        )
        session.add(row)
        stored.append(row)
    session.flush()
    return stored


def attachment_bytes(desk: Desk, attachment_id: int) -> tuple[Attachment, bytes]:
    with desk.db.read() as session:
        attachment = session.get(Attachment, attachment_id)
        if attachment is None:
            raise NotFound(f"no attachment {attachment_id}")
        if attachment.sha256 is None:
            raise NotFound(
                f"attachment {attachment.filename!r} was not kept: {attachment.refused_reason}"
            )
        data = session.execute(
            sa.select(AttachmentContent.data).where(AttachmentContent.sha256 == attachment.sha256)
        ).scalar_one()
        return attachment, data


def save_attachment_copy(desk: Desk, attachment_id: int, target: Path) -> Path:
    """Write a copy to `target` (a folder gets the attachment's own safe name)."""
    attachment, data = attachment_bytes(desk, attachment_id)
    path = target / safe_filename(attachment.filename) if target.is_dir() else target
    path.write_bytes(data)
    return path
