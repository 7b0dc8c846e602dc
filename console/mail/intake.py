"""`wmconsole intake`: customers' mail from the Maildir the mail server delivers into.

The mail server writes each message into tmp/ and renames it into new/, so a
file in new/ is always complete. Each file is taken in one transaction
(console.operations.mail.take_mails, up to BATCH mails per transaction, each in
its own savepoint) and moved to cur/ only after the commit:

- killed mid-message, nothing of it is in the database and the file is still
  in new/; the next run takes it;
- killed after the commit but before the move, the next run finds its
  Message-ID already stored, counts it as a duplicate and moves it;
- mail that cannot be taken (unparseable, over the size limit, no address to
  answer to, a robot's mail that continues no ticket) is recorded in the
  database with the reason, then moved to the quarantine folder, where a
  supervisor finds it (`wmconsole quarantine list`); the same mail again (its
  Message-ID, else its content) is a duplicate, kept aside once;
- when the database cannot be reached the file stays in new/ for later.

Nothing is ever deleted. Intake only calls domain operations, so it runs
beside open consoles on the shared database; several intakes on one Maildir
are safe too (a file another one moved away is skipped).
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import shutil
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path

import sqlalchemy as sa

from console.desk import Desk
from console.errors import DomainError, InvalidInput
from console.failures import explain
from console.mail.parsing import IncomingMail, MailLimits, UnreadableMail, read_mail
from console.operations.mail import (
    MailDisposition,
    move_quarantined,
    quarantine_mail,
    take_mails,
)

log = logging.getLogger(__name__)

# A file event is only a hint: new/ is also rescanned this often (and after the
# database was unreachable, this is how soon intake tries again).
RESCAN_SECONDS = 5.0
DEBOUNCE_MS = 50
_CHUNK = 1 << 20
# Mails per transaction: enough to spread a commit's cost, few enough that a
# console's write never waits long behind the intake.
BATCH = 50


class Fate(StrEnum):
    """What became of one mail file."""

    taken = "taken"
    threaded = "threaded"
    duplicate = "duplicate"
    quarantined = "quarantined"
    # Another intake moved it away first.
    vanished = "vanished"


@dataclass(frozen=True)
class FileResult:
    name: str
    fate: Fate
    number: int | None = None
    sender: str | None = None
    subject: str | None = None
    # Why it was quarantined; or that it reopened its ticket, which scam markers matched.
    detail: str = ""


@dataclass
class IntakeSummary:
    counts: dict[Fate, int] = field(default_factory=lambda: dict.fromkeys(Fate, 0))
    # Files left in new/ because the database could not take them, and why (a sentence).
    deferred: int = 0
    error: str | None = None

    def add(self, result: FileResult) -> None:
        self.counts[result.fate] += 1

    def __str__(self) -> str:
        c = self.counts
        text = (
            f"taken {c[Fate.taken]}, threaded {c[Fate.threaded]}, "
            f"duplicates {c[Fate.duplicate]}, quarantined {c[Fate.quarantined]}"
        )
        if self.deferred:
            text += f"; {self.deferred} left in new/"
        return text


class IntakeDeferred(Exception):
    """The database could not be reached (or took nothing more: its disk is
    full): the files not yet settled stay in new/ for a later run. `settled`
    are those of the batch that were (quarantined, say) before it failed;
    `sentence` says what happened, as a person reads it."""

    def __init__(self, cause: BaseException, settled: list[FileResult] | None = None) -> None:
        super().__init__(str(cause))
        self.cause = cause
        self.settled = settled or []
        explained = explain(cause)
        self.sentence = explained.sentence if explained else str(cause)


# Errors that say nothing about the mail: the database is down, locked or gone.
_UNREACHABLE = (sa.exc.OperationalError, sa.exc.InterfaceError, sa.exc.TimeoutError)


@dataclass(frozen=True)
class Maildir:
    root: Path
    quarantine: Path

    @property
    def new(self) -> Path:
        return self.root / "new"

    @property
    def cur(self) -> Path:
        return self.root / "cur"

    @classmethod
    def open(cls, root: Path, quarantine: str | Path = "") -> Maildir:
        root = Path(root).expanduser().absolute()
        if not (root / "new").is_dir():
            raise InvalidInput(f"{root} is not a Maildir: it has no new/ folder")
        maildir = cls(
            root, Path(quarantine).expanduser().absolute() if quarantine else root / "quarantine"
        )
        for folder in (maildir.cur, root / "tmp", maildir.quarantine):
            folder.mkdir(parents=True, exist_ok=True)
        return maildir

    def waiting(self) -> list[Path]:
        """The files in new/, oldest first (a follow-up is taken after what it follows)."""
        entries = []
        with os.scandir(self.new) as scan:
            for entry in scan:
                # Dot files are not mail (Maildir convention).
                if entry.name.startswith(".") or not entry.is_file(follow_symlinks=False):
                    continue
                try:
                    entries.append((entry.stat().st_mtime_ns, entry.name))
                except FileNotFoundError:
                    continue
        return [self.new / name for _, name in sorted(entries)]


def _digest(path: Path) -> str:
    sha = hashlib.sha256()
    with path.open("rb") as file:
        for chunk in iter(lambda: file.read(_CHUNK), b""):
            sha.update(chunk)
    return sha.hexdigest()


def _move_to_cur(maildir: Maildir, path: Path) -> None:
    # Files in cur/ carry an info suffix; ":2," says "no flags" (not yet read).
    name = path.name if ":2," in path.name else f"{path.name}:2,"
    # Gone already: another intake on this Maildir moved it first.
    with contextlib.suppress(FileNotFoundError):
        path.rename(maildir.cur / name)


def _quarantine_target(maildir: Maildir, path: Path) -> Path:
    target = maildir.quarantine / path.name
    counter = 1
    # Maildir names are unique; a hand-copied file may not be.
    while target.exists():
        counter += 1
        target = maildir.quarantine / f"{path.name}.{counter}"
    return target


def _quarantine(
    desk: Desk,
    maildir: Maildir,
    path: Path,
    reason: str,
    *,
    digest: str,
    size: int,
    mail: IncomingMail | None = None,
) -> FileResult:
    """Recorded first, moved after: a crash between leaves the file in new/, and
    the next run finds the record of the same file and only moves it. The same
    mail quarantined before (its Message-ID, else its content) is a duplicate:
    one record, one file, and the copy goes to cur/ like any duplicate."""
    target = _quarantine_target(maildir, path)
    sender, subject = (mail.sender, mail.subject) if mail else (None, None)
    record = quarantine_mail(
        desk,
        path=str(target),
        reason=reason,
        sha256=digest,
        size=size,
        email_message_id=mail.message_id if mail and mail.has_message_id else None,
        sender=sender,
        subject=subject,
    )
    if record.path != str(target) and Path(record.path).exists():
        _move_to_cur(maildir, path)
        detail = f"already in the quarantine (entry {record.id})"
        return FileResult(path.name, Fate.duplicate, sender=sender, subject=subject, detail=detail)
    if record.path != str(target):
        move_quarantined(desk, record.id, str(target))
    # shutil.move, not rename: the quarantine may be on another file system.
    with contextlib.suppress(FileNotFoundError):
        shutil.move(path, target)
    return FileResult(path.name, Fate.quarantined, sender=sender, subject=subject, detail=reason)


@dataclass
class _Arrival:
    """A file read from new/, on its way through the intake."""

    path: Path
    data: bytes
    digest: str
    mail: IncomingMail | None = None


def _read(desk: Desk, maildir: Maildir, path: Path, limits: MailLimits) -> _Arrival | FileResult:
    """The file, parsed; or what became of it when it cannot be taken at all."""
    try:
        size = path.stat().st_size
        if size > limits.message_bytes:
            reason = f"{size} bytes is over the {limits.message_bytes}-byte message limit"
            return _quarantine(desk, maildir, path, reason, digest=_digest(path), size=size)
        data = path.read_bytes()
    except FileNotFoundError:
        return FileResult(path.name, Fate.vanished)
    except _UNREACHABLE as error:
        raise IntakeDeferred(error) from error
    arrival = _Arrival(path, data, hashlib.sha256(data).hexdigest())
    try:
        arrival.mail = read_mail(data, limits)
    except UnreadableMail as unreadable:
        return _kept_aside(desk, maildir, arrival, unreadable.reason)
    except Exception as error:
        return _failed(desk, maildir, arrival, error)
    return arrival


def _failed(desk: Desk, maildir: Maildir, arrival: _Arrival, error: Exception) -> FileResult:
    # A fault of ours on strange input must not stop the intake or lose the
    # mail: it is kept aside with the error, and the traceback is logged.
    log.error("intake failed on %s", arrival.path, exc_info=error)
    reason = f"the intake failed on this mail: {type(error).__name__}: {error}"
    return _kept_aside(desk, maildir, arrival, reason)


def _settle(desk: Desk, maildir: Maildir, arrival: _Arrival, outcome) -> FileResult:
    """After the commit: move a taken mail to cur/, keep a refused one aside."""
    if isinstance(outcome, _UNREACHABLE):
        raise IntakeDeferred(outcome) from outcome
    if isinstance(outcome, DomainError):
        return _kept_aside(desk, maildir, arrival, outcome.message)
    if isinstance(outcome, Exception):
        return _failed(desk, maildir, arrival, outcome)
    _move_to_cur(maildir, arrival.path)
    fate = {
        MailDisposition.taken: Fate.taken,
        MailDisposition.threaded: Fate.threaded,
        MailDisposition.duplicate: Fate.duplicate,
    }[outcome.disposition]
    notes = ["reopened from the archive"] if outcome.reopened else []
    if outcome.markers:
        notes.append("scam markers: " + ", ".join(outcome.markers))
    mail = arrival.mail
    return FileResult(
        arrival.path.name, fate, outcome.number, mail.sender, mail.subject, "; ".join(notes)
    )


def take_files(
    desk: Desk, maildir: Maildir, paths: list[Path], limits: MailLimits
) -> list[FileResult]:
    """Take files from new/ in one transaction (each mail in its own savepoint);
    files move only after the commit. Raises IntakeDeferred, leaving them all in
    new/, when the database cannot be reached."""
    results: dict[Path, FileResult] = {}
    try:
        _take_into(results, desk, maildir, paths, limits)
    except IntakeDeferred as deferred:
        raise IntakeDeferred(deferred.cause, list(results.values())) from deferred
    return [results[path] for path in paths]


def _take_into(
    results: dict[Path, FileResult],
    desk: Desk,
    maildir: Maildir,
    paths: list[Path],
    limits: MailLimits,
) -> None:
    arrivals: list[_Arrival] = []
    for path in paths:
        read = _read(desk, maildir, path, limits)
        if isinstance(read, FileResult):
            results[path] = read
        else:
            arrivals.append(read)
    if not arrivals:
        return
    try:
        outcomes = take_mails(desk, [arrival.mail for arrival in arrivals])
    except _UNREACHABLE as error:
        raise IntakeDeferred(error) from error
    except Exception as error:
        outcomes = [error] * len(arrivals)
    for arrival, outcome in zip(arrivals, outcomes, strict=True):
        results[arrival.path] = _settle(desk, maildir, arrival, outcome)


def take_file(desk: Desk, maildir: Maildir, path: Path, limits: MailLimits) -> FileResult:
    """Take one file from new/. Raises IntakeDeferred when the database is unreachable."""
    [result] = take_files(desk, maildir, [path], limits)
    return result


def _kept_aside(desk: Desk, maildir: Maildir, arrival: _Arrival, reason: str) -> FileResult:
    try:
        return _quarantine(
            desk,
            maildir,
            arrival.path,
            reason,
            digest=arrival.digest,
            size=len(arrival.data),
            mail=arrival.mail,
        )
    except _UNREACHABLE as error:
        raise IntakeDeferred(error) from error


ResultCallback = Callable[[FileResult], None]
ProgressCallback = Callable[[int, int], None]


def take_waiting(
    desk: Desk,
    maildir: Maildir,
    *,
    progress: ProgressCallback | None = None,
    on_result: ResultCallback | None = None,
) -> IntakeSummary:
    """Take every file now in new/. Stops early, leaving the rest in new/, when
    the database cannot be reached."""
    limits = MailLimits.from_settings(desk.settings)
    summary = IntakeSummary()
    paths = maildir.waiting()
    done = 0
    while done < len(paths):
        batch = paths[done : done + BATCH]
        try:
            results = take_files(desk, maildir, batch, limits)
        except IntakeDeferred as deferred:
            for result in deferred.settled:
                summary.add(result)
                if on_result is not None:
                    on_result(result)
            # What is really left: a mail of the batch may have been settled first.
            summary.deferred = sum(1 for path in paths[done:] if path.exists())
            summary.error = deferred.sentence
            log.warning("mail left in new/: %r", deferred.cause)
            break
        for result in results:
            summary.add(result)
            if on_result is not None:
                on_result(result)
        done += len(batch)
        if progress is not None:
            progress(done, len(paths))
    return summary


def _wakeups(maildir: Maildir, stop: threading.Event | None) -> Iterator[None]:
    from watchfiles import watch

    yield None
    for _changes in watch(
        maildir.new,
        watch_filter=None,
        debounce=DEBOUNCE_MS,
        step=DEBOUNCE_MS,
        rust_timeout=int(RESCAN_SECONDS * 1000),
        yield_on_timeout=True,
        stop_event=stop,
        recursive=False,
    ):
        yield None


def watch_maildir(
    desk: Desk,
    maildir: Maildir,
    *,
    stop: threading.Event | None = None,
    on_result: ResultCallback | None = None,
    on_deferred: Callable[[IntakeSummary], None] | None = None,
) -> IntakeSummary:
    """Take what is waiting, then each new file as it arrives (within a fraction of
    a second), until `stop` is set or the process is interrupted."""
    total = IntakeSummary()
    for _ in _wakeups(maildir, stop):
        summary = take_waiting(desk, maildir, on_result=on_result)
        for fate, count in summary.counts.items():
            total.counts[fate] += count
        if summary.deferred and on_deferred is not None:
            on_deferred(summary)
        if stop is not None and stop.is_set():
            break
    return total
