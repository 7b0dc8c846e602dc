"""since when a ticket is held; templates can be withdrawn

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# models.UTCDateTime: a timestamp on PostgreSQL, integer microseconds on SQLite.
_WHEN = sa.DateTime().with_variant(sa.BigInteger(), "sqlite")


def upgrade() -> None:
    # Plain ALTERs, not batch mode: rebuilding the ticket table on SQLite would
    # drop the search triggers that hang on it.
    op.add_column("ticket", sa.Column("assigned_at", _WHEN, nullable=True))
    op.add_column(
        "template", sa.Column("active", sa.Boolean(), nullable=False, server_default=sa.true())
    )
    # A held ticket was taken or assigned at its last such audit event; one the
    # holder got by replying to it unassigned, at its last change.
    op.execute(
        """
        UPDATE ticket SET assigned_at = COALESCE(
            (SELECT MAX(auditevent.at) FROM auditevent
             WHERE auditevent.ticket_id = ticket.id AND auditevent.action IN ('take', 'assign')),
            ticket.updated_at)
        WHERE assignee_id IS NOT NULL
        """
    )


def downgrade() -> None:
    op.drop_column("template", "active")
    op.drop_column("ticket", "assigned_at")
