"""the change log names tickets without a foreign key, so numbering changes in
commit order never waits for a ticket's row lock

Revision ID: 0009
Revises: 0003
Create Date: 2026-11-27
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0009"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_FOREIGN_KEY = "fk_changelog_ticket_id_ticket"


def upgrade() -> None:
    # A change-log row goes in under the commit-order lock (console/changes.py).
    # Its foreign key would take a share lock on the ticket there, and wait for a
    # writer holding that ticket FOR UPDATE, which may itself be waiting for the
    # commit-order lock: a deadlock. The log is a stream of hints about tickets
    # that are never deleted; the key protected nothing.
    with op.batch_alter_table("changelog") as batch_op:
        batch_op.drop_constraint(_FOREIGN_KEY, type_="foreignkey")


def downgrade() -> None:
    with op.batch_alter_table("changelog") as batch_op:
        batch_op.create_foreign_key(_FOREIGN_KEY, "ticket", ["ticket_id"], ["id"])
