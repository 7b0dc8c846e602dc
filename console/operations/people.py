"""The people who work the desk, on both sides: the operator table and, on
PostgreSQL, each person's login role.

Adding, deactivating and changing the role of an operator is an admin's duty:
on PostgreSQL a member of wm_admin, on SQLite the owner of the database file.
On PostgreSQL the operator table drives the roles (migration 0005's trigger):
a new operator gets a login role in their group, a deactivated one cannot
sign in and is in no group, a role change moves the membership. A password
reaches the server only as a SCRAM verifier computed here.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from sqlmodel import Session, select

from console.desk import Desk
from console.errors import InvalidInput, TransitionRefused
from console.identity import Duty
from console.operations.editing import find_operator
from console.operations.staff import audit_staff, role
from console.rules import validation
from console.rules.privileges import PERSON_GROUPS
from models import Operator, Role


def _set_password(session: Session, desk: Desk, login: str, password: str) -> None:
    if not desk.db.is_postgres:
        raise InvalidInput(
            "on SQLite there are no passwords: each person is their own account on this host"
        )
    if not password:
        raise InvalidInput("an empty password cannot be set")
    driver = session.connection().connection.driver_connection
    verifier = driver.pgconn.encrypt_password(
        password.encode(), login.encode(), b"scram-sha-256"
    ).decode()
    session.execute(
        sa.text("SELECT wm_set_password(:login, :verifier)"),
        {"login": login, "verifier": verifier},
    )


def _audit(session: Session, desk: Desk, action: str, before: dict | None, after: dict) -> None:
    # "by": who ran it. PostgreSQL's trigger writes session_user there, whatever is sent.
    after = {**after, "by": desk.db.identity.login}
    audit_staff(
        session, desk, action=action, operator=None, before=before, after=after, topic="operator"
    )


def add_operator(
    desk: Desk, login: str, *, name: str, role_name: Role | str, password: str | None = None
) -> Operator:
    """A new operator; on PostgreSQL also their login role (with a password when
    given; without one where the deployment signs people in by certificate,
    LDAP or GSSAPI)."""
    login = validation.login(login)
    name = name.strip()
    if not name:
        raise InvalidInput("an operator needs a name")
    new_role = role(role_name)
    with desk.db.write(as_=Duty.admin) as session:
        if session.exec(select(Operator).where(Operator.login == login)).first():
            raise TransitionRefused(f"operator {login!r} already exists")
        operator = Operator(login=login, name=name, role=new_role, created_at=desk.now())
        session.add(operator)
        session.flush()
        if password is not None:
            _set_password(session, desk, login, password)
        after = {"login": login, "name": name, "role": new_role.value}
        _audit(session, desk, "operator_add", None, after)
        return operator


def set_operator_active(
    desk: Desk, login: str, active: bool, *, password: str | None = None
) -> None:
    """Deactivate (history stays; on PostgreSQL the role becomes NOLOGIN and leaves
    its group) or activate (the role may sign in again, with a new password
    when given). On PostgreSQL the row is written even when the table already
    agrees: its trigger then brings the login role in line, which is how an
    operator carried over as NOLOGIN by the upgrade is enabled."""
    with desk.db.write(as_=Duty.admin) as session:
        operator = find_operator(session, login)
        could_sign_in = _can_login(session, desk, login)
        if operator.active == active and could_sign_in in (None, active) and password is None:
            return
        session.execute(sa.update(Operator).where(Operator.id == operator.id).values(active=active))
        if password is not None:
            _set_password(session, desk, login, password)
        _audit(
            session,
            desk,
            "operator_activate" if active else "operator_deactivate",
            {"login": login, "active": operator.active},
            {"login": login, "active": active},
        )


def set_operator_role(desk: Desk, login: str, role_name: Role | str) -> None:
    """A new role; on PostgreSQL the login role moves to the new group."""
    new_role = role(role_name)
    with desk.db.write(as_=Duty.admin) as session:
        operator = find_operator(session, login)
        if operator.role == new_role:
            raise TransitionRefused(f"{login} is already {new_role.value}")
        session.execute(sa.update(Operator).where(Operator.id == operator.id).values(role=new_role))
        _audit(
            session,
            desk,
            "operator_role",
            {"login": login, "role": operator.role.value},
            {"login": login, "role": new_role.value},
        )


_LOGIN_ROLES = sa.text(
    """
    SELECT r.rolname::text, r.rolcanlogin,
           ARRAY(SELECT g.rolname::text FROM pg_auth_members m JOIN pg_roles g ON g.oid = m.roleid
                 WHERE m.member = r.oid AND g.rolname LIKE 'wm\\_%' ORDER BY g.rolname)
    FROM pg_roles r WHERE r.rolname = ANY(:logins)
    """
)


def _can_login(session: Session, desk: Desk, login: str) -> bool | None:
    if not desk.db.is_postgres:
        return None
    row = session.execute(_LOGIN_ROLES, {"logins": [login]}).first()
    return row.rolcanlogin if row else None


@dataclass(frozen=True)
class Person:
    """An operator as the desk's table and (on PostgreSQL) the server see them."""

    login: str
    name: str
    role: Role
    active: bool
    # PostgreSQL only: does the login role exist, may it sign in, its desk groups.
    has_role: bool | None = None
    can_login: bool | None = None
    groups: tuple[str, ...] = ()

    @property
    def mismatch(self) -> str | None:
        """Where the two sides disagree, in words; None when they agree (or on SQLite)."""
        gap = self._gap()
        return gap[0] if gap else None

    @property
    def risky(self) -> bool:
        """A mismatch that lets someone do more than the desk says: drift. (An
        operator who cannot sign in yet is only waiting for an admin.)"""
        gap = self._gap()
        return bool(gap and gap[1])

    def _gap(self) -> tuple[str, bool] | None:
        if self.has_role is None:
            return None
        if not self.has_role:
            return "no PostgreSQL role", False
        wanted = (PERSON_GROUPS[self.role],) if self.active else ()
        if self.groups != wanted:
            now = ", ".join(self.groups) or "no group"
            return f"in {now}, should be in {', '.join(wanted) or 'no group'}", True
        if self.can_login and not self.active:
            return "deactivated, yet may still sign in", True
        if self.active and not self.can_login:
            return f"cannot sign in yet (NOLOGIN): wmconsole operator activate {self.login}", False
        return None


def list_people(desk: Desk) -> list[Person]:
    with desk.db.read() as session:
        operators = list(session.exec(select(Operator).order_by(Operator.login)).all())
        if not desk.db.is_postgres:
            return [Person(o.login, o.name, o.role, o.active) for o in operators]
        roles = {
            name: (can_login, tuple(groups))
            for name, can_login, groups in session.execute(
                _LOGIN_ROLES, {"logins": [o.login for o in operators]}
            )
        }
    return [
        Person(
            o.login,
            o.name,
            o.role,
            o.active,
            has_role=o.login in roles,
            can_login=roles.get(o.login, (False, ()))[0],
            groups=roles.get(o.login, (False, ()))[1],
        )
        for o in operators
    ]
