"""When the world fails under us: the database, its driver or the operating system.

A person reads one sentence that says what happened and what to do (`explain`);
the driver's own text, the SQL and the stack go to the log file (`record`),
whose path the README names. Refusals of the domain (`DomainError`) are not
failures: they already are sentences.

Nothing here imports SQLAlchemy or a driver: an error from one means it is
loaded, so it is looked up in `sys.modules`, and the command line's `--help`
stays light.
"""

from __future__ import annotations

import errno
import os
import sys
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING

from console.errors import DomainError

if TYPE_CHECKING:
    import logging


# Where our own modules log: the console's screens and everything under console/.
_OUR_LOGGERS = ("console", "screens")
_LOG_FORMAT = "%(asctime)s %(process)d %(levelname)s %(name)s: %(message)s"


class Trouble(StrEnum):
    """What kind of failure, which decides what the console does about it."""

    # The database cannot be reached at all: the console rides it out.
    unreachable = "unreachable"
    # The database's disk is full: nothing was written.
    disk_full = "disk_full"
    # Reached, but it could not do this (busy, read-only, damaged, refused).
    database = "database"
    # A file or folder of ours (a draft, an attachment, a spool, a Maildir).
    system = "system"
    # Text no database takes (lone surrogates from undecodable arguments).
    text = "text"


@dataclass(frozen=True)
class Explained:
    trouble: Trouble
    sentence: str

    @property
    def exit_code(self) -> int:
        """6 for the database (as for every database failure), 1 for the rest."""
        return 1 if self.trouble in (Trouble.system, Trouble.text) else 6


class Failure(DomainError):
    """A failure as the domain's refusal: its sentence, its exit code, and what
    it was (`trouble`), for callers that keep working around it."""

    def __init__(self, explained: Explained) -> None:
        super().__init__(explained.sentence)
        self.trouble = explained.trouble
        self.exit_code = explained.exit_code

    @property
    def unreachable(self) -> bool:
        return self.trouble == Trouble.unreachable


UNREACHABLE = (
    "the database cannot be reached: check that its server is running and that this "
    "host can reach it, then try again"
)
DISK_FULL = (
    "the database's disk is full, so nothing was written: free some space on it "
    "(or ask whoever runs the database to), then try again"
)


def explain(error: BaseException) -> Explained | None:
    """The sentence for a database, driver or OS failure; None for anything else
    (a refusal is already a sentence; a bug keeps its traceback)."""
    if isinstance(error, Failure):
        return Explained(error.trouble, error.message)
    if isinstance(error, DomainError):
        return None
    database = _database_error(error)
    if database is not None:
        return _explain_database(database)
    if isinstance(error, OSError):
        return Explained(Trouble.system, _os_sentence(error))
    if isinstance(error, UnicodeError):
        return Explained(
            Trouble.text,
            "the text is not valid UTF-8 (a byte that is no character was given): "
            "give it again as UTF-8",
        )
    return None


def as_failure(error: BaseException) -> Failure | None:
    explained = explain(error)
    return None if explained is None else Failure(explained)


def _database_error(error: BaseException) -> BaseException | None:
    """The SQLAlchemy (or bare driver) error in `error`, if it is one."""
    for module_name, class_name in (
        ("sqlalchemy.exc", "SQLAlchemyError"),
        ("psycopg", "Error"),
        ("sqlite3", "Error"),
    ):
        module = sys.modules.get(module_name)
        if module is not None and isinstance(error, getattr(module, class_name)):
            return error
    return None


def _disk_full(error: BaseException) -> bool:
    """The error, or one it was raised while handling: SQLite may roll a whole
    transaction back on SQLITE_FULL, and the savepoint's own rollback then fails
    with "no such savepoint", hiding the full disk behind it."""
    seen: BaseException | None = error
    for _ in range(5):
        if seen is None:
            return False
        original = getattr(seen, "orig", None) or seen
        sqlite_name = getattr(original, "sqlite_errorname", "") or ""
        if sqlite_name == "SQLITE_FULL" or "database or disk is full" in str(original).lower():
            return True
        seen = seen.__cause__ or seen.__context__
    return False


def _explain_database(error: BaseException) -> Explained:
    original = getattr(error, "orig", None) or error
    if getattr(error, "connection_invalidated", False) or _no_connection(error, original):
        return Explained(Trouble.unreachable, UNREACHABLE)
    sqlite_name = getattr(original, "sqlite_errorname", "") or ""
    if _disk_full(error):
        return Explained(Trouble.disk_full, DISK_FULL)
    if getattr(original, "sqlstate", None) in ("53100", "53200"):
        return Explained(Trouble.disk_full, DISK_FULL)
    for marker, trouble, sentence in _SQLITE_TROUBLES:
        if sqlite_name.startswith(marker):
            return Explained(trouble, sentence)
    return Explained(
        Trouble.database,
        "the database could not carry this out, and nothing of it was kept: try again, "
        "and if it happens again, send the log's details to whoever runs wmconsole",
    )


_BUSY = (
    "the database is busy: another program has held it for over 30 seconds; try again in a moment"
)
# SQLite's result codes (extended ones start with the primary's name).
_SQLITE_TROUBLES = (
    (
        "SQLITE_CANTOPEN",
        Trouble.unreachable,
        "the database file cannot be opened: check that its folder is there and "
        "readable, then try again",
    ),
    (
        "SQLITE_IOERR",
        Trouble.unreachable,
        "the database file could not be read or written (a disk or network file "
        "system error): check the disk, then try again",
    ),
    ("SQLITE_BUSY", Trouble.database, _BUSY),
    ("SQLITE_LOCKED", Trouble.database, _BUSY),
    (
        "SQLITE_READONLY",
        Trouble.database,
        "the database cannot be written: its file or folder is read-only for you; "
        "ask its owner to fix the permissions",
    ),
    (
        "SQLITE_CORRUPT",
        Trouble.database,
        "the database file is damaged: restore it from a backup (sqlite3's .recover may help)",
    ),
    (
        "SQLITE_NOTADB",
        Trouble.database,
        "the file is not a wmconsole database: check the --db path",
    ),
)


def _no_connection(error: BaseException, original: BaseException) -> bool:
    """No connection to the server: refused, dropped, timed out, shut down."""
    sqlalchemy_errors = sys.modules.get("sqlalchemy.exc")
    if sqlalchemy_errors is not None and isinstance(
        error, sqlalchemy_errors.TimeoutError | sqlalchemy_errors.DisconnectionError
    ):
        return True
    psycopg = sys.modules.get("psycopg")
    if psycopg is None or not isinstance(
        original, psycopg.OperationalError | psycopg.InterfaceError
    ):
        return False
    if getattr(error, "statement", "") is None:
        # Raised on connecting, before any statement: whatever the server said
        # (not accepting connections, say), there is no connection.
        return True
    sqlstate = getattr(original, "sqlstate", None)
    # No SQLSTATE: libpq failed before the server said anything (connect, a
    # dropped socket). Class 08 is a connection exception.
    return sqlstate is None or sqlstate.startswith("08") or sqlstate in _CANNOT_CONNECT


# The server shutting down or starting up, or out of connection slots.
_CANNOT_CONNECT = {"57P01", "57P02", "57P03", "53300"}


def _os_sentence(error: OSError) -> str:
    where = f" {error.filename}" if error.filename else ""
    if error.errno in (errno.ENOSPC, errno.EDQUOT):
        return f"the disk is full (writing{where}): free some space, then try again"
    if error.errno in (errno.EACCES, errno.EPERM):
        return f"permission denied on{where or ' a file'}: check who owns it and its mode"
    if error.errno == errno.EROFS:
        return f"the file system is read-only (writing{where}): write somewhere else"
    if error.errno == errno.ENOENT:
        return f"there is no{where or ' such file or folder'}: check the path"
    reason = error.strerror or type(error).__name__
    return f"the system refused{where}: {reason.lower()}; check it, then try again"


# The log file ------------------------------------------------------------------------


# logging loads on first use: `wmconsole --help` never needs it.
_handler: logging.FileHandler | None = None


def log_to(path: Path) -> Path:
    """Our modules log to `path` from now on (once per process; a later call
    with another path moves the log). The file appears with the first record."""
    global _handler
    path = Path(path).expanduser().absolute()
    if _handler is not None and Path(_handler.baseFilename) == path:
        return path
    import logging

    class FolderMakingHandler(logging.FileHandler):
        """A log file made (with its folder) only when something is logged."""

        def _open(self):
            Path(self.baseFilename).parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            return super()._open()

    handler = FolderMakingHandler(path, encoding="utf-8", delay=True)
    handler.setFormatter(logging.Formatter(_LOG_FORMAT))
    handler.setLevel(logging.INFO)
    for name in _OUR_LOGGERS:
        logger = logging.getLogger(name)
        if _handler is not None:
            logger.removeHandler(_handler)
        logger.addHandler(handler)
        if logger.level == logging.NOTSET or logger.level > logging.INFO:
            logger.setLevel(logging.INFO)
    if _handler is not None:
        _handler.close()
    _handler = handler
    return path


def log_path() -> Path | None:
    return None if _handler is None else Path(_handler.baseFilename)


def record(error: BaseException, doing: str) -> None:
    """The details of a failure, for whoever looks into it: the stack, the
    driver's text and, for SQLAlchemy, the statement."""
    import logging

    logging.getLogger("console.failures").error(
        "%s failed (pid %s): %r", doing, os.getpid(), error, exc_info=error
    )
