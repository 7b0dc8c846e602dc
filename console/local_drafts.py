"""Drafts this host keeps when the database cannot take them.

The reply editor saves what is typed to the database. When the database is
unreachable, or refuses (its disk is full), the draft goes to a file of its own
here instead: written to a temporary file, synced, renamed over the old one
and the folder synced, so a crash or a power cut leaves either the old draft
or the new, never half of one. When the database takes drafts again — later in
the same session, or at the next start — they move there and the files go.

Files live in the `drafts` folder of the user state directory (the `state_dir`
setting moves it), one per database, operator and ticket, readable by their
owner only.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
import threading
from collections.abc import Iterator
from contextlib import suppress
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from console.errors import DomainError
from console.files import write_atomically
from models import DraftKind

if TYPE_CHECKING:
    from console.desk import Desk

log = logging.getLogger(__name__)

_UNSAFE_IN_NAME = re.compile(r"[^A-Za-z0-9._-]")


@dataclass(frozen=True)
class LocalDraft:
    number: int
    kind: str
    body: str
    ticket_version: int
    saved_at: str
    # What its writer had seen and the macro applied: the send's confirmation
    # shows what changed since, whichever copy the draft comes back from.
    seen_event: int | None = None
    macro_id: int | None = None


class LocalDrafts:
    """One operator's drafts on one database, kept on this host. `lock` is held
    by whoever moves a draft between here and the database, so a move and a
    save of the same draft never cross."""

    def __init__(self, folder: Path, database: str, login: str) -> None:
        self.folder = Path(folder)
        self.database = database
        self.login = login
        self.lock = threading.RLock()
        key = hashlib.sha256(database.encode()).hexdigest()[:12]
        self._prefix = f"{key}-{_UNSAFE_IN_NAME.sub('_', login)}-"

    @classmethod
    def for_desk(cls, desk: Desk, login: str) -> LocalDrafts:
        database = desk.db.url.render_as_string(hide_password=True)
        return cls(desk.settings.drafts_path, database, login)

    def path_for(self, number: int) -> Path:
        return self.folder / f"{self._prefix}{number}.json"

    def keep(
        self,
        number: int,
        body: str,
        kind: DraftKind | str,
        ticket_version: int,
        seen_event: int | None = None,
        macro_id: int | None = None,
    ) -> Path:
        """Write the draft, crash-safe; an empty one is forgotten instead."""
        path = self.path_for(number)
        if not body.strip():
            self.forget(number)
            return path
        draft = LocalDraft(
            number=number,
            kind=str(DraftKind(kind).value),
            body=body,
            ticket_version=ticket_version,
            saved_at=datetime.now(UTC).isoformat(),
            seen_event=seen_event,
            macro_id=macro_id,
        )
        record = {"database": self.database, "login": self.login, **asdict(draft)}
        write_atomically(path, json.dumps(record, ensure_ascii=False).encode(), folder_mode=0o700)
        return path

    def get(self, number: int) -> LocalDraft | None:
        return _read(self.path_for(number))

    def forget(self, number: int) -> None:
        with suppress(FileNotFoundError):
            self.path_for(number).unlink()

    def waiting(self) -> list[LocalDraft]:
        """Every draft kept here for this operator and database, oldest first."""
        drafts = [draft for draft in map(_read, self._files()) if draft is not None]
        return sorted(drafts, key=lambda draft: draft.saved_at)

    def _files(self) -> Iterator[Path]:
        if self.folder.is_dir():
            yield from self.folder.glob(f"{self._prefix}*.json")


def _read(path: Path) -> LocalDraft | None:
    try:
        record = json.loads(path.read_text(encoding="utf-8"))
        return LocalDraft(
            number=int(record["number"]),
            kind=str(record["kind"]),
            body=str(record["body"]),
            ticket_version=int(record["ticket_version"]),
            saved_at=str(record["saved_at"]),
            seen_event=_optional_int(record.get("seen_event")),
            macro_id=_optional_int(record.get("macro_id")),
        )
    except FileNotFoundError:
        return None
    except (OSError, ValueError, KeyError, TypeError) as error:
        # Left where it is for a person to look at; never loaded half-understood.
        log.warning("a local draft %s cannot be read: %r", path, error)
        return None


def _optional_int(value: object) -> int | None:
    return None if value is None else int(value)


@dataclass(frozen=True)
class Unmoved:
    """A draft the database refused to take (its ticket is gone, say): it stays here."""

    number: int
    reason: str
    path: Path


def move_to_database(desk: Desk, drafts: LocalDrafts) -> list[Unmoved]:
    """Every draft kept here into the database, each file removed once its
    draft is saved there. A refusal leaves that draft here (and is returned);
    a failure of the database itself stops the move, raised to the caller."""
    # Here, not at the top: the console's first screen imports this module and
    # paints before the ORM behind the operations is loaded.
    from console.operations import save_draft

    refused = []
    for waiting in drafts.waiting():
        with drafts.lock:
            draft = drafts.get(waiting.number)
            if draft is None:
                continue
            try:
                save_draft(
                    desk,
                    draft.number,
                    draft.body,
                    by=drafts.login,
                    kind=DraftKind(draft.kind),
                    ticket_version=draft.ticket_version,
                    seen_event=draft.seen_event,
                    macro_id=draft.macro_id,
                )
            except DomainError as error:
                refused.append(Unmoved(draft.number, error.message, drafts.path_for(draft.number)))
                continue
            drafts.forget(draft.number)
    return refused
