"""the change log names tickets without a foreign key, so numbering changes in
commit order never waits for a ticket's row lock

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-27
"""

from collections.abc import Callable, Sequence

from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_FOREIGN_KEY = "fk_changelog_ticket_id_ticket"


def upgrade() -> None:
    # A change-log row goes in under the commit-order lock (console/changes.py).
    # Its foreign key would take a share lock on the ticket there, and wait for a
    # writer holding that ticket FOR UPDATE, which may itself be waiting for the
    # commit-order lock: a deadlock. The log is a stream of hints about tickets
    # that are never deleted; the key protected nothing.
    _alter_changelog(lambda batch_op: batch_op.drop_constraint(_FOREIGN_KEY, type_="foreignkey"))


def downgrade() -> None:
    _alter_changelog(
        lambda batch_op: batch_op.create_foreign_key(_FOREIGN_KEY, "ticket", ["ticket_id"], ["id"])
    )


def _alter_changelog(alter: Callable) -> None:
    """SQLite rebuilds the table for this, and a rebuilt table has lost its
    triggers (the log is append-only by trigger): they are made again."""
    bind = op.get_bind()
    triggers: list[str] = []
    if bind.dialect.name == "sqlite":
        triggers = list(
            bind.exec_driver_sql(
                "SELECT sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'changelog'"
            ).scalars()
        )
    with op.batch_alter_table("changelog") as batch_op:
        alter(batch_op)
    for trigger in triggers:
        bind.exec_driver_sql(trigger)
