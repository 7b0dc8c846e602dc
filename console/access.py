"""The desk's privileges in PostgreSQL, read back as the database really applies
them (console/grants.py grants them). `privilege_report` asks the server what
each group may EFFECTIVELY do (has_table_privilege and has_column_privilege
follow role membership) and whether the triggers and row-level security of
migration 0005 are in place; anything else is drift.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import sqlalchemy as sa

from console.desk import Desk
from console.grants import PUBLIC
from console.identity import file_mode
from console.operations.people import list_people
from console.rules.privileges import (
    ALL_COLUMNS,
    GRANTS,
    GROUPS,
    GUARDS,
    MEMBER_OF,
    OWN_ROWS_ONLY,
    Rights,
    effective,
)


@dataclass(frozen=True)
class Held:
    """What one role may effectively do on one table, as the server says."""

    rights: Rights
    # TRUNCATE, REFERENCES, TRIGGER: never granted to anyone but the owner.
    extra: tuple[str, ...] = ()


_EFFECTIVE = sa.text(
    """
    SELECT t.relname::text, r.name,
           has_table_privilege(r.name, t.oid, 'SELECT'),
           has_table_privilege(r.name, t.oid, 'INSERT'),
           has_table_privilege(r.name, t.oid, 'DELETE'),
           ARRAY(SELECT p FROM unnest(ARRAY['TRUNCATE', 'REFERENCES', 'TRIGGER']) p
                 WHERE has_table_privilege(r.name, t.oid, p)),
           ARRAY(SELECT a.attname::text FROM pg_attribute a
                 WHERE a.attrelid = t.oid AND a.attnum > 0 AND NOT a.attisdropped
                   AND has_column_privilege(r.name, t.oid, a.attnum, 'UPDATE')),
           (SELECT count(*) FROM pg_attribute a
            WHERE a.attrelid = t.oid AND a.attnum > 0 AND NOT a.attisdropped)
    FROM pg_class t CROSS JOIN unnest(CAST(:roles AS text[])) AS r(name)
    WHERE t.relnamespace = current_schema()::regnamespace AND t.relkind IN ('r', 'p')
    """
)


def effective_rights(connection: sa.Connection) -> dict[tuple[str, str], Held]:
    """(table, role) -> what the role may do, for every table in the desk's schema."""
    existing = set(
        connection.execute(
            sa.text("SELECT rolname::text FROM pg_roles WHERE rolname = ANY(:groups)"),
            {"groups": list(GROUPS)},
        ).scalars()
    )
    roles = [PUBLIC, *(group for group in GROUPS if group in existing)]
    held: dict[tuple[str, str], Held] = {}
    for table, role, select, insert, delete, extra, updatable, columns in connection.execute(
        _EFFECTIVE, {"roles": roles}
    ):
        update = frozenset({ALL_COLUMNS}) if len(updatable) == columns else frozenset(updatable)
        held[table, role] = Held(Rights(select, insert, update, delete), tuple(extra))
    return held


@dataclass
class PrivilegeReport:
    """Each table's effective rights per group, and every difference from the
    desired state (empty when the database holds exactly what the code says)."""

    tables: list[str]
    roles: list[str]
    cells: dict[tuple[str, str], Held]
    drift: list[str] = field(default_factory=list)


def _compare(held: dict[tuple[str, str], Held], tables: list[str]) -> list[str]:
    drift = []
    for table in tables:
        if table not in GRANTS:
            drift.append(f"table {table} is not in console/rules/privileges.py: nobody may use it")
            continue
        for role in [*GROUPS, PUBLIC]:
            cell = held.get((table, role))
            if cell is None:
                drift.append(f"role {role} does not exist")
                continue
            wanted = Rights() if role == PUBLIC else effective(table, role)
            if cell.rights != wanted:
                drift.append(
                    f"{role} on {table}: holds {cell_text(cell.rights)}, "
                    f"should hold {cell_text(wanted)}"
                )
            if cell.extra:
                drift.append(f"{role} on {table}: holds {', '.join(cell.extra)}")
    return drift


_GUARDS_IN_PLACE = sa.text(
    """
    SELECT c.relname::text, t.tgname::text FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
    WHERE c.relnamespace = current_schema()::regnamespace AND NOT t.tgisinternal
      AND t.tgenabled <> 'D'
    """
)
_OWN_ROWS_IN_PLACE = sa.text(
    """
    SELECT c.relname::text FROM pg_class c
    WHERE c.relnamespace = current_schema()::regnamespace AND c.relrowsecurity
      AND EXISTS (SELECT FROM pg_policy p WHERE p.polrelid = c.oid AND p.polname = 'wm_own_rows')
    """
)
_GROUP_ROLES = sa.text(
    """
    SELECT r.rolname::text, r.rolcanlogin OR r.rolsuper OR r.rolbypassrls,
           ARRAY(SELECT g.rolname::text FROM pg_auth_members m JOIN pg_roles g ON g.oid = m.roleid
                 WHERE m.member = r.oid AND g.rolname = ANY(:groups))
    FROM pg_roles r WHERE r.rolname = ANY(:groups)
    """
)


def _guard_drift(connection: sa.Connection) -> list[str]:
    drift = []
    triggers = {tuple(row) for row in connection.execute(_GUARDS_IN_PLACE)}
    for table, names in GUARDS.items():
        drift += [
            f"trigger {name} on {table} is missing or disabled"
            for name in names
            if (table, name) not in triggers
        ]
    protected = set(connection.execute(_OWN_ROWS_IN_PLACE).scalars())
    drift += [
        f"row-level security (own rows only) is off on {table}"
        for table in sorted(OWN_ROWS_ONLY - protected)
    ]
    for group, powerful, member_of in connection.execute(_GROUP_ROLES, {"groups": list(GROUPS)}):
        if powerful:
            drift.append(f"group {group} may log in, is a superuser or bypasses row security")
        if sorted(member_of) != sorted(MEMBER_OF.get(group, ())):
            wanted = ", ".join(MEMBER_OF.get(group, ())) or "no group"
            drift.append(
                f"group {group} is a member of {', '.join(member_of) or 'none'}, not {wanted}"
            )
    return drift


def privilege_report(connection: sa.Connection) -> PrivilegeReport:
    held = effective_rights(connection)
    tables = sorted({table for table, _ in held})
    roles = [*GROUPS, PUBLIC]
    drift = _compare(held, tables) + _guard_drift(connection)
    return PrivilegeReport(tables, roles, held, drift)


def cell_text(rights: Rights) -> str:
    """S select, I insert, U update (every column), u update (some columns), D delete."""
    letters = ("S" if rights.select else "") + ("I" if rights.insert else "")
    if ALL_COLUMNS in rights.update:
        letters += "U"
    elif rights.update:
        letters += "u"
    letters += "D" if rights.delete else ""
    return letters or "-"


def report_lines(report: PrivilegeReport) -> list[str]:
    """The matrix as `wmconsole db check-privileges` prints it."""
    width = max(len(table) for table in report.tables) + 2
    columns = [max(len(role), 6) + 2 for role in report.roles]
    header = "table".ljust(width) + "".join(
        role.ljust(w) for role, w in zip(report.roles, columns, strict=True)
    )
    lines = [header.rstrip()]
    # (table, columns) -> the roles that may update just those columns.
    partial: dict[tuple[str, tuple[str, ...]], list[str]] = {}
    for table in report.tables:
        row = table.ljust(width)
        for role, w in zip(report.roles, columns, strict=True):
            cell = report.cells.get((table, role))
            text = "?" if cell is None else cell_text(cell.rights)
            if cell is not None and table in OWN_ROWS_ONLY and not cell.rights.empty:
                text += " own"
            row += text.ljust(w)
            if cell is not None and cell.rights.update and ALL_COLUMNS not in cell.rights.update:
                partial.setdefault((table, tuple(sorted(cell.rights.update))), []).append(role)
        lines.append(row.rstrip())
    lines += [
        "",
        "S select  I insert  U update  u update of these columns only  D delete  - nothing",
        "own: row-level security, each person's own rows only",
        *(
            f"  {table} ({', '.join(roles)}): {', '.join(names)}"
            for (table, names), roles in partial.items()
        ),
    ]
    return lines


def check_privileges(desk: Desk) -> tuple[list[str], list[str]]:
    """What `wmconsole db check-privileges` prints, and the drift it fails on."""
    if desk.db.is_sqlite:
        return _sqlite_check(desk)
    with desk.db.connect() as connection:
        report = privilege_report(connection)
    people = list_people(desk)
    lines = report_lines(report)
    waiting = [f"  {p.login}: {p.mismatch}" for p in people if p.mismatch and not p.risky]
    if waiting:
        lines += ["", "people who cannot sign in yet:", *waiting]
    drift = report.drift + [f"operator {p.login}: {p.mismatch}" for p in people if p.risky]
    return lines, drift


def _sqlite_check(desk: Desk) -> tuple[list[str], list[str]]:
    path = desk.db.sqlite_path
    identity = desk.db.identity
    lines = [
        "SQLite has no database roles: every account that can write the file is trusted.",
        f"  {path}: {file_mode(path)}, owned by {identity.file_owner}",
        "Only the file's owner may act for another operator or add, deactivate or change "
        "the role of one; separation of duties between people needs PostgreSQL.",
    ]
    with desk.db.connect() as connection:
        triggers = set(
            connection.exec_driver_sql("SELECT name FROM sqlite_master WHERE type = 'trigger'")
            .scalars()
            .all()
        )
    drift = [
        f"trigger {table}_append_only_{event} is missing: {table} can be changed"
        for table in ("auditevent", "changelog")
        for event in ("update", "delete")
        if f"{table}_append_only_{event}" not in triggers
    ]
    if not drift:
        lines.append("The audit and the change log are append-only (triggers in place).")
    return lines, drift
