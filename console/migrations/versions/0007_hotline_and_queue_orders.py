"""the hotline: a caller's phone on the ticket, calls in the thread; the queue's other orders

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-30

- ticket.customer_phone (indexed): a caller is found by it, as by WMID or purse;
- "phone" is a channel: a call noted in the thread, a ticket opened on a call;
- an index per order an operator may sort the queue by (age, the last
  customer message, the last change), each leading with queue_rank so that
  live work is one short stretch per rank (console/rules/queue_order.py), the
  holder last so "mine and unassigned" is checked in the index; and
  answered_at, for "answered by me today";
- PostgreSQL: a person may open a ticket only as a call they took (source
  phone, held by nobody or by themselves); the customer's side opens the rest.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_ORDER_INDEXES = {
    "ix_ticket_age": ["queue_rank", "created_at", "id", "assignee_id"],
    "ix_ticket_last_customer": ["queue_rank", "last_customer_at", "id", "assignee_id"],
    "ix_ticket_updated": ["queue_rank", "updated_at", "id", "assignee_id"],
    "ix_ticket_answered_at": ["answered_at"],
}
_CHANNELS = "'form', 'email', 'keeper', 'console', 'system'"
# The CHECK constraints that list the channels, by table.
_CHANNEL_CHECKS = {
    "message": ("ck_message_message_channel", "channel"),
    "ticket": ("ck_ticket_source", "source"),
}


def upgrade() -> None:
    # Plain ALTERs, as in 0002: rebuilding the ticket table on SQLite would drop
    # the search triggers that hang on it.
    op.add_column("ticket", sa.Column("customer_phone", sa.String(length=16), nullable=True))
    op.create_index("ix_ticket_customer_phone", "ticket", ["customer_phone"])
    # Every ticket has had one since it arrived; a row with none sorts nowhere.
    op.execute("UPDATE ticket SET last_customer_at = created_at WHERE last_customer_at IS NULL")
    for name, columns in _ORDER_INDEXES.items():
        op.create_index(name, "ticket", columns)
    _channels(f"{_CHANNELS}, 'phone'")
    if op.get_bind().dialect.name == "postgresql":
        for statement in _guard_new_ticket(_schema()):
            op.get_bind().exec_driver_sql(statement.replace("%", "%%"))


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        s = _schema()
        op.execute(f"DROP TRIGGER IF EXISTS wm_guard_new_ticket ON {s}.ticket")
        op.execute(f"DROP FUNCTION IF EXISTS {s}.wm_guard_new_ticket()")
    # What came by phone reads as the console's, as it did before.
    op.execute("UPDATE message SET channel = 'console' WHERE channel = 'phone'")
    op.execute("UPDATE ticket SET source = 'console' WHERE source = 'phone'")
    _channels(_CHANNELS)
    for name in _ORDER_INDEXES:
        op.drop_index(name, table_name="ticket")
    op.drop_index("ix_ticket_customer_phone", table_name="ticket")
    op.drop_column("ticket", "customer_phone")


def _channels(allowed: str) -> None:
    """The channel CHECK constraints, allowing `allowed`."""
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        for table, (constraint, column) in _CHANNEL_CHECKS.items():
            op.execute(f"ALTER TABLE {table} DROP CONSTRAINT {constraint}")
            op.execute(
                f"ALTER TABLE {table} ADD CONSTRAINT {constraint} CHECK ({column} IN ({allowed}))"
            )
        return
    # SQLite cannot alter a CHECK constraint, and rebuilding the ticket and
    # message tables would drop their search triggers and copy every row. A
    # constraint that only widens needs no change on disk: SQLite's documented
    # procedure for such changes edits the table's SQL in sqlite_schema and
    # bumps the schema version, in one transaction (lang_altertable.html,
    # "Making Other Kinds Of Table Schema Changes").
    version = bind.exec_driver_sql("PRAGMA schema_version").scalar()
    bind.exec_driver_sql("PRAGMA writable_schema = ON")
    for table, (constraint, column) in _CHANNEL_CHECKS.items():
        sql = bind.exec_driver_sql(
            "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?", (table,)
        ).scalar()
        start = sql.index(f"CONSTRAINT {constraint} CHECK")
        end = sql.index("))", start) + 2
        changed = (
            sql[:start] + f"CONSTRAINT {constraint} CHECK ({column} IN ({allowed}))" + sql[end:]
        )
        bind.exec_driver_sql(
            "UPDATE sqlite_master SET sql = ? WHERE type = 'table' AND name = ?", (changed, table)
        )
    bind.exec_driver_sql(f"PRAGMA schema_version = {version + 1}")
    bind.exec_driver_sql("PRAGMA writable_schema = OFF")


def _schema() -> str:
    name = op.get_bind().exec_driver_sql("SELECT current_schema()").scalar()
    return '"' + name.replace('"', '""') + '"'


_REFUSE = "RAISE EXCEPTION USING ERRCODE = 'insufficient_privilege', MESSAGE = "


def _guard_new_ticket(s: str) -> list[str]:
    """A person opens a ticket only as the call they took; everything else a
    customer opens reaches the desk through the customer's side (wm_intake)."""
    return [
        f"""CREATE FUNCTION {s}.wm_guard_new_ticket() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF {s}.wm_trusted() OR pg_has_role(session_user, 'wm_intake', 'MEMBER') THEN
                RETURN NEW;
            END IF;
            IF NEW.source <> 'phone' THEN
                {_REFUSE} format('%s may open a ticket only for a call they took (source phone); '
                                 'the customer''s side opens the others', session_user);
            END IF;
            IF NEW.assignee_id IS NOT NULL
               AND NEW.assignee_id <> {s}.wm_person('opening a ticket for a call') THEN
                {_REFUSE} format('%s may open a ticket for a call held by nobody or by '
                                 'themselves', session_user);
            END IF;
            RETURN NEW;
        END $$""",
        f"CREATE TRIGGER wm_guard_new_ticket BEFORE INSERT ON {s}.ticket "
        f"FOR EACH ROW EXECUTE FUNCTION {s}.wm_guard_new_ticket()",
        f"REVOKE ALL ON FUNCTION {s}.wm_guard_new_ticket() FROM PUBLIC",
    ]
