"""the quarantine keeps each mail once: a unique key per mail

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-25
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_KEY = "COALESCE(email_message_id, 'sha256:' || sha256)"


def upgrade() -> None:
    # Plain ALTERs, as in 0002: no table rebuild on SQLite.
    op.add_column("quarantinedmail", sa.Column("mail_key", sa.String(length=998), nullable=True))
    # The intake quarantined the same mail again on every delivery: the first
    # record of each mail takes the key, the repeats keep none (and stay listed).
    op.execute(
        f"""
        UPDATE quarantinedmail SET mail_key = {_KEY}
        WHERE id IN (SELECT MIN(id) FROM quarantinedmail GROUP BY {_KEY})
        """
    )
    op.create_index("ix_quarantinedmail_mail_key", "quarantinedmail", ["mail_key"], unique=True)


def downgrade() -> None:
    op.drop_index("ix_quarantinedmail_mail_key", table_name="quarantinedmail")
    op.drop_column("quarantinedmail", "mail_key")
