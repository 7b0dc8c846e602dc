"""Who is at the keyboard: established by the database connection, never declared.

On PostgreSQL each person connects as their own login role, authenticated by
the server (pg_hba.conf: SCRAM, certificates, LDAP, GSSAPI), and the operator
is `session_user`. On SQLite (one host) it is the OS account of the process's
real uid, from the password database; $USER and $LOGNAME are whatever the
environment says and prove nothing.

Every write that acts for a person says whose (`db.write(as_="olga")`), and
every write for the customer's side, the notice sender or an administrator
says which duty (`as_=Duty.intake`). The database refuses a mismatch before
any SQL: one person cannot act as another from one shell. The database itself
then holds the rules (migration 0005), whatever SQL is sent.
"""

from __future__ import annotations

import os
import pwd
import re
import stat
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING

from console.errors import DomainError, Forbidden, FourEyes
from console.rules.privileges import ADMIN, INTAKE, NOTICES

if TYPE_CHECKING:
    import sqlalchemy as sa


class Duty(StrEnum):
    """Work done for no operator in particular, by whoever holds the duty."""

    intake = "intake"
    notices = "notices"
    admin = "admin"

    @property
    def group(self) -> str:
        return {Duty.intake: INTAKE, Duty.notices: NOTICES, Duty.admin: ADMIN}[self]

    @property
    def work(self) -> str:
        return _WORK[self]


_WORK = {
    Duty.intake: "the customer's side (mail intake, the site's form, confirmations, "
    "the archive buttons, expiry)",
    Duty.notices: "sending notices to customers",
    Duty.admin: "adding, deactivating or changing the role of an operator",
}

Acting = str | Duty


class NotSignedIn(DomainError):
    """The connection is not the person (or duty) the command acts for."""


@dataclass(frozen=True)
class Identity:
    """Who this process is to the database."""

    login: str
    postgres: bool
    # PostgreSQL: a member of the role owning the tables (the schema owner, a
    # superuser). SQLite: the owner of the database file (the desk's admin).
    owner: bool
    # PostgreSQL: the duty groups this role is a member of.
    duties: frozenset[Duty] = frozenset()
    # SQLite: the account owning the database file, for the sentences.
    file_owner: str = ""

    def refusal(self, as_: Acting) -> NotSignedIn | None:
        """Why this connection may not act as `as_`, or None when it may."""
        if isinstance(as_, Duty):
            return self._duty_refusal(as_)
        if as_ == self.login or (self.owner and not self.postgres):
            return None
        if self.postgres:
            return NotSignedIn(
                f"you are connected to the database as {self.login}; "
                f"sign in as {as_} to act as {as_}"
            )
        return NotSignedIn(
            f"you are signed in to this host as {self.login}; sign in as {as_} to act as {as_} "
            f"(on SQLite only the owner of the database file, {self.file_owner}, may act for "
            "another operator)"
        )

    def _duty_refusal(self, duty: Duty) -> NotSignedIn | None:
        if self.owner or duty in self.duties:
            return None
        if self.postgres:
            return NotSignedIn(
                f"{duty.work} takes a member of {duty.group}; {self.login} is not one"
            )
        return NotSignedIn(
            f"{duty.work} takes the owner of the database file ({self.file_owner}); "
            f"you are {self.login}"
        )

    def check(self, as_: Acting) -> None:
        refusal = self.refusal(as_)
        if refusal is not None:
            raise refusal

    def how(self, login: str) -> str:
        """How `login` came to be signed in, for the console's help."""
        if self.postgres:
            return f"signed in to PostgreSQL as {self.login}"
        if login == self.login:
            return "this host's account, on SQLite"
        return "by the database file's owner, on SQLite"


def os_account() -> str:
    """The account of the process's real uid (runuser and sudo change it; $USER may lie)."""
    uid = os.getuid()
    try:
        return pwd.getpwuid(uid).pw_name
    except KeyError:
        return str(uid)


def sqlite_identity(path: Path) -> Identity:
    account = os_account()
    try:
        file_uid = path.stat().st_uid
    except FileNotFoundError:
        # About to be created, by and so owned by this process.
        file_uid = os.getuid()
    try:
        file_owner = pwd.getpwuid(file_uid).pw_name
    except KeyError:
        file_owner = str(file_uid)
    return Identity(
        login=account,
        postgres=False,
        owner=file_uid == os.getuid(),
        duties=frozenset({Duty.intake, Duty.notices}),
        file_owner=file_owner,
    )


def file_mode(path: Path) -> str:
    return stat.filemode(path.stat().st_mode)


_WHO_AM_I = """
    SELECT session_user::text,
           coalesce((SELECT pg_has_role(session_user, c.relowner, 'MEMBER')
                     FROM pg_class c WHERE c.oid = to_regclass('alembic_version')),
                    has_schema_privilege(current_schema(), 'CREATE')),
           ARRAY(SELECT rolname::text FROM pg_roles
                 WHERE rolname = ANY(:groups) AND pg_has_role(session_user, oid, 'MEMBER'))
    """


def postgres_identity(connection: sa.Connection) -> Identity:
    # Imported here: the command line's quick path asks who it is on SQLite
    # without loading SQLAlchemy.
    import sqlalchemy as sa

    groups = {duty.group: duty for duty in Duty}
    asked = sa.text(_WHO_AM_I)
    login, owner, member_of = connection.execute(asked, {"groups": list(groups)}).one()
    return Identity(
        login=login,
        postgres=True,
        owner=bool(owner),
        duties=frozenset(groups[group] for group in member_of),
    )


# SQLite's trigger message (migration 0005); PostgreSQL's refusals carry SQLSTATE 42501.
_APPEND_ONLY = "the audit and the change log are append-only"
_NO_LOGIN = re.compile(r'role "([^"]+)" is not permitted to log in')


def refusal_from(error: sa.exc.DBAPIError) -> Forbidden | None:
    """The database's own refusal (a privilege it does not grant, a rule its
    triggers hold) as a sentence, or None for any other error."""
    original = error.orig
    if getattr(original, "sqlstate", None) == "42501":
        said = original.diag.message_primary or str(original)
        if said.startswith("permission denied"):
            return Forbidden(
                f"the database refused: {said}. Your database role does not allow this; "
                "an admin can compare the desk's roles with `wmconsole operator list`"
            )
        if said.startswith("four-eyes"):
            return FourEyes(f"the database refused: {said}")
        return Forbidden(f"the database refused: {said}")
    if _APPEND_ONLY in str(original):
        return Forbidden(f"the database refused: {original!s}")
    no_login = _NO_LOGIN.search(str(original))
    if no_login:
        login = no_login.group(1)
        return Forbidden(
            f"the database does not let {login} sign in: {login} is deactivated, "
            "or not yet enabled by an admin (`wmconsole operator list` shows which)"
        )
    return None
