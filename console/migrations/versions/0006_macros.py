"""macros: named answers that do more than the text; what a draft had seen

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-30

The macro table: per service and language like templates, a text plus what
else its answer does in the same transaction (a status after it, an
escalation raised or cleared, an internal note, who holds the ticket).
Supervisors write it, everyone reads it (console/rules/privileges.py); on
PostgreSQL the person named as its last editor is stamped from session_user,
as for templates.

Drafts remember the last audit event their author had seen (everything after
it, notes included, is shown before the reply goes out) and the macro applied
to them.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# models.UTCDateTime: a timestamp on PostgreSQL, integer microseconds on SQLite.
_WHEN = sa.DateTime().with_variant(sa.BigInteger(), "sqlite")
_SERVICES = (
    "keeper",
    "enum",
    "check",
    "attestation",
    "merchant",
    "transfers",
    "exchange",
    "credit",
    "debt",
    "cards",
    "arbitration",
    "contracts",
    "personal_data",
    "security",
    "other",
)
_STATUSES = ("unconfirmed", "new", "open", "answered", "on_hold", "archived", "expired")
_ESCALATIONS = ("wmid_block", "fraud", "hacking", "arbitration", "hotline")


def _enum(name: str, *values: str) -> sa.Enum:
    return sa.Enum(*values, name=name, native_enum=False, create_constraint=True)


def upgrade() -> None:
    op.create_table(
        "macro",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("service", _enum("macro_service", *_SERVICES), nullable=True),
        sa.Column("language", _enum("macro_language", "ru", "en"), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("status", _enum("macro_status", *_STATUSES), nullable=True),
        sa.Column("escalate", _enum("macro_escalate", *_ESCALATIONS), nullable=True),
        sa.Column(
            "clear_escalation", _enum("macro_clear_escalation", *_ESCALATIONS), nullable=True
        ),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("handover", _enum("macro_handover", "take", "queue", "person"), nullable=True),
        sa.Column("handover_to_id", sa.Integer(), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("updated_by_id", sa.Integer(), nullable=True),
        sa.Column("updated_at", _WHEN, nullable=False),
        sa.ForeignKeyConstraint(
            ["handover_to_id"], ["operator.id"], name=op.f("fk_macro_handover_to_id_operator")
        ),
        sa.ForeignKeyConstraint(
            ["updated_by_id"], ["operator.id"], name=op.f("fk_macro_updated_by_id_operator")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_macro")),
        sa.UniqueConstraint(
            "service", "language", "title", name=op.f("uq_macro_service_language_title")
        ),
    )
    # Plain ALTERs, as in 0002: no table rebuild on SQLite.
    op.add_column("draft", sa.Column("seen_event", sa.Integer(), nullable=True))
    op.add_column("draft", sa.Column("macro_id", sa.Integer(), nullable=True))
    if op.get_bind().dialect.name == "postgresql":
        schema = op.get_bind().exec_driver_sql("SELECT current_schema()").scalar()
        for statement in _stamp_macro('"' + schema.replace('"', '""') + '"'):
            op.get_bind().exec_driver_sql(statement)


def _stamp_macro(s: str) -> list[str]:
    return [
        f"""CREATE FUNCTION {s}.wm_stamp_macro() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF {s}.wm_trusted() THEN RETURN NEW; END IF;
            NEW.updated_by_id := {s}.wm_person('editing a macro');
            RETURN NEW;
        END $$""",
        f"CREATE TRIGGER wm_stamp_macro BEFORE INSERT OR UPDATE ON {s}.macro "
        f"FOR EACH ROW EXECUTE FUNCTION {s}.wm_stamp_macro()",
        f"REVOKE ALL ON FUNCTION {s}.wm_stamp_macro() FROM PUBLIC",
    ]


def downgrade() -> None:
    op.drop_column("draft", "macro_id")
    op.drop_column("draft", "seen_event")
    op.drop_table("macro")
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP FUNCTION IF EXISTS wm_stamp_macro()")
