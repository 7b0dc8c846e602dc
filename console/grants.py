"""The desk's privileges in PostgreSQL, granted from console/rules/privileges.py.

`apply_grants` runs inside every `wmconsole db upgrade`: it revokes everything
from the groups and PUBLIC on the desk's tables, sequences and functions, then
grants what the table says, so a hand-made GRANT never outlives the next
upgrade. (console/access.py reads them back and reports drift.)
"""

from __future__ import annotations

import sqlalchemy as sa

from console.rules.privileges import ALL_COLUMNS, FUNCTIONS, GRANTS, GROUPS, Rights

PUBLIC = "public"


def _quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _privileges(rights: Rights) -> list[str]:
    granted = [
        name for name, held in (("SELECT", rights.select), ("INSERT", rights.insert)) if held
    ]
    if ALL_COLUMNS in rights.update:
        granted.append("UPDATE")
    elif rights.update:
        granted.append(f"UPDATE ({', '.join(sorted(rights.update))})")
    if rights.delete:
        granted.append("DELETE")
    return granted


_SERIAL_SEQUENCES = sa.text(
    """
    SELECT c.relname::text, pg_get_serial_sequence(c.oid::regclass::text, 'id')
    FROM pg_class c JOIN pg_attribute a ON a.attrelid = c.oid AND a.attname = 'id'
    WHERE c.relnamespace = current_schema()::regnamespace AND c.relkind = 'r'
      AND NOT a.attisdropped
    """
)


def apply_grants(connection: sa.Connection) -> None:
    """Make the grants exactly console/rules/privileges.py (run by the owner)."""
    everyone = ", ".join([PUBLIC, *GROUPS])
    schema = _quoted(connection.exec_driver_sql("SELECT current_schema()").scalar())
    sequences = dict(connection.execute(_SERIAL_SEQUENCES).all())
    for table, by_group in GRANTS.items():
        name = f"{schema}.{_quoted(table)}"
        connection.exec_driver_sql(f"REVOKE ALL ON TABLE {name} FROM {everyone}")
        for group, rights in by_group.items():
            granted = ", ".join(_privileges(rights))
            if granted:
                connection.exec_driver_sql(f"GRANT {granted} ON TABLE {name} TO {group}")
        sequence = sequences.get(table)
        if sequence is not None:
            connection.exec_driver_sql(f"REVOKE ALL ON SEQUENCE {sequence} FROM {everyone}")
            inserting = [group for group, rights in by_group.items() if rights.insert]
            if inserting:
                connection.exec_driver_sql(
                    f"GRANT USAGE ON SEQUENCE {sequence} TO {', '.join(inserting)}"
                )
    for function, groups in FUNCTIONS.items():
        name = f"{schema}.{function}"
        connection.exec_driver_sql(f"REVOKE ALL ON FUNCTION {name} FROM {everyone}")
        connection.exec_driver_sql(f"GRANT EXECUTE ON FUNCTION {name} TO {', '.join(groups)}")
