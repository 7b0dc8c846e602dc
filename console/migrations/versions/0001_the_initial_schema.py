"""the initial schema

Revision ID: 0001
Revises:
Create Date: 2026-11-25
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# models.UTCDateTime: a timestamp on PostgreSQL, integer microseconds on SQLite.
_WHEN = sa.DateTime().with_variant(sa.BigInteger(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "attachmentcontent",
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint("sha256", name=op.f("pk_attachmentcontent")),
    )
    op.create_table(
        "counter",
        sa.Column("name", sa.String(length=32), nullable=False),
        sa.Column("value", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_counter")),
    )
    op.create_table(
        "operator",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("login", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column(
            "role",
            sa.Enum(
                "operator",
                "supervisor",
                "security",
                name="role",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", _WHEN, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_operator")),
        sa.UniqueConstraint("login", name=op.f("uq_operator_login")),
    )
    op.create_table(
        "quarantinedmail",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("path", sa.String(length=1000), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("email_message_id", sa.String(length=998), nullable=True),
        sa.Column("sender", sa.String(length=998), nullable=True),
        sa.Column("subject", sa.Text(), nullable=True),
        sa.Column("received_at", _WHEN, nullable=False),
        sa.Column("resolved_at", _WHEN, nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_quarantinedmail")),
    )
    with op.batch_alter_table("quarantinedmail", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_quarantinedmail_sha256"), ["sha256"], unique=False)

    op.create_table(
        "operatorpreference",
        sa.Column("operator_id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("value", sa.JSON(), nullable=False),
        sa.Column("updated_at", _WHEN, nullable=False),
        sa.ForeignKeyConstraint(
            ["operator_id"],
            ["operator.id"],
            name=op.f("fk_operatorpreference_operator_id_operator"),
        ),
        sa.PrimaryKeyConstraint("operator_id", "key", name=op.f("pk_operatorpreference")),
    )
    op.create_table(
        "scammarker",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("pattern", sa.String(length=500), nullable=False),
        sa.Column("is_regex", sa.Boolean(), nullable=False),
        sa.Column("description", sa.String(length=500), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", _WHEN, nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["operator.id"], name=op.f("fk_scammarker_created_by_id_operator")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_scammarker")),
    )
    op.create_table(
        "template",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column(
            "service",
            sa.Enum(
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
                name="template_service",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=True,
        ),
        sa.Column(
            "language",
            sa.Enum(
                "ru", "en", name="template_language", native_enum=False, create_constraint=True
            ),
            nullable=False,
        ),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("updated_by_id", sa.Integer(), nullable=True),
        sa.Column("updated_at", _WHEN, nullable=False),
        sa.ForeignKeyConstraint(
            ["updated_by_id"], ["operator.id"], name=op.f("fk_template_updated_by_id_operator")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_template")),
        sa.UniqueConstraint(
            "service", "language", "title", name=op.f("uq_template_service_language_title")
        ),
    )
    op.create_table(
        "ticket",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column(
            "service",
            sa.Enum(
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
                name="service",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column("subject", sa.String(length=500), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "unconfirmed",
                "new",
                "open",
                "answered",
                "on_hold",
                "archived",
                "expired",
                name="status",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column("customer_wmid", sa.String(length=12), nullable=True),
        sa.Column("customer_purse", sa.String(length=13), nullable=True),
        sa.Column("customer_email", sa.String(length=320), nullable=True),
        sa.Column("customer_name", sa.String(length=200), nullable=True),
        sa.Column(
            "notice_channel",
            sa.Enum(
                "keeper", "email", name="notice_channel", native_enum=False, create_constraint=True
            ),
            nullable=False,
        ),
        sa.Column(
            "language",
            sa.Enum("ru", "en", name="language", native_enum=False, create_constraint=True),
            nullable=False,
        ),
        sa.Column(
            "source",
            sa.Enum(
                "form",
                "email",
                "keeper",
                "console",
                "system",
                name="source",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column("assignee_id", sa.Integer(), nullable=True),
        sa.Column("created_at", _WHEN, nullable=False),
        sa.Column("updated_at", _WHEN, nullable=False),
        sa.Column("first_answer_due_at", _WHEN, nullable=True),
        sa.Column("first_answered_at", _WHEN, nullable=True),
        sa.Column("due_at", _WHEN, nullable=True),
        sa.Column("last_customer_at", _WHEN, nullable=True),
        sa.Column("waiting_since", _WHEN, nullable=True),
        sa.Column("answered_at", _WHEN, nullable=True),
        sa.Column("escalation_flags", sa.Integer(), nullable=False),
        sa.Column("queue_rank", sa.Integer(), nullable=False),
        sa.Column("queue_due", _WHEN, nullable=False),
        sa.Column("confirm_token", sa.String(length=64), nullable=True),
        sa.Column("confirmed_at", _WHEN, nullable=True),
        sa.Column("archived_at", _WHEN, nullable=True),
        sa.Column("archive_reason", sa.String(length=500), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["assignee_id"], ["operator.id"], name=op.f("fk_ticket_assignee_id_operator")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ticket")),
        sa.UniqueConstraint("confirm_token", name=op.f("uq_ticket_confirm_token")),
        sa.UniqueConstraint("number", name=op.f("uq_ticket_number")),
    )
    with op.batch_alter_table("ticket", schema=None) as batch_op:
        batch_op.create_index(
            "ix_ticket_assignee_queue",
            ["assignee_id", "queue_rank", "queue_due", "created_at", "id"],
            unique=False,
        )
        batch_op.create_index("ix_ticket_customer_email", ["customer_email"], unique=False)
        batch_op.create_index("ix_ticket_customer_wmid", ["customer_wmid"], unique=False)
        batch_op.create_index(
            "ix_ticket_waiting",
            ["waiting_since", "assignee_id"],
            unique=False,
            sqlite_where=sa.text("waiting_since IS NOT NULL"),
            postgresql_where=sa.text("waiting_since IS NOT NULL"),
        )
        batch_op.create_index(
            "ix_ticket_due_at",
            ["due_at", "status", "service", "assignee_id", "escalation_flags"],
            unique=False,
        )
        batch_op.create_index(
            "ix_ticket_queue", ["queue_rank", "queue_due", "created_at", "id"], unique=False
        )
        batch_op.create_index(
            "ix_ticket_service_queue",
            ["service", "queue_rank", "queue_due", "created_at", "id"],
            unique=False,
        )

    op.create_table(
        "auditevent",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ticket_id", sa.Integer(), nullable=True),
        sa.Column("operator_id", sa.Integer(), nullable=True),
        sa.Column(
            "actor",
            sa.Enum(
                "operator",
                "customer",
                "system",
                name="actor",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column("action", sa.String(length=64), nullable=False),
        sa.Column("before", sa.JSON(), nullable=True),
        sa.Column("after", sa.JSON(), nullable=True),
        sa.Column("ticket_version", sa.Integer(), nullable=True),
        sa.Column("at", _WHEN, nullable=False),
        sa.ForeignKeyConstraint(
            ["operator_id"], ["operator.id"], name=op.f("fk_auditevent_operator_id_operator")
        ),
        sa.ForeignKeyConstraint(
            ["ticket_id"], ["ticket.id"], name=op.f("fk_auditevent_ticket_id_ticket")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_auditevent")),
    )
    with op.batch_alter_table("auditevent", schema=None) as batch_op:
        batch_op.create_index("ix_auditevent_ticket", ["ticket_id", "id"], unique=False)
        batch_op.create_index("ix_auditevent_at", ["at"], unique=False)

    op.create_table(
        "blockrequest",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ticket_id", sa.Integer(), nullable=False),
        sa.Column("wmid", sa.String(length=12), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("requested_by_id", sa.Integer(), nullable=False),
        sa.Column("requested_at", _WHEN, nullable=False),
        sa.Column(
            "state",
            sa.Enum(
                "requested",
                "approved",
                "rejected",
                name="block_state",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column("decided_by_id", sa.Integer(), nullable=True),
        sa.Column("decided_at", _WHEN, nullable=True),
        sa.Column("decision_reason", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["decided_by_id"], ["operator.id"], name=op.f("fk_blockrequest_decided_by_id_operator")
        ),
        sa.ForeignKeyConstraint(
            ["requested_by_id"],
            ["operator.id"],
            name=op.f("fk_blockrequest_requested_by_id_operator"),
        ),
        sa.ForeignKeyConstraint(
            ["ticket_id"], ["ticket.id"], name=op.f("fk_blockrequest_ticket_id_ticket")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_blockrequest")),
    )
    with op.batch_alter_table("blockrequest", schema=None) as batch_op:
        batch_op.create_index("ix_blockrequest_state", ["state", "requested_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_blockrequest_ticket_id"), ["ticket_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_blockrequest_wmid"), ["wmid"], unique=False)

    op.create_table(
        "changelog",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ticket_id", sa.Integer(), nullable=True),
        sa.Column("topic", sa.String(length=32), nullable=False),
        sa.Column("at", _WHEN, nullable=False),
        sa.ForeignKeyConstraint(
            ["ticket_id"], ["ticket.id"], name=op.f("fk_changelog_ticket_id_ticket")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_changelog")),
    )
    op.create_table(
        "draft",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ticket_id", sa.Integer(), nullable=False),
        sa.Column("operator_id", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum("reply", "note", name="draft_kind", native_enum=False, create_constraint=True),
            nullable=False,
        ),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("ticket_version", sa.Integer(), nullable=False),
        sa.Column("updated_at", _WHEN, nullable=False),
        sa.ForeignKeyConstraint(
            ["operator_id"], ["operator.id"], name=op.f("fk_draft_operator_id_operator")
        ),
        sa.ForeignKeyConstraint(
            ["ticket_id"], ["ticket.id"], name=op.f("fk_draft_ticket_id_ticket")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_draft")),
        sa.UniqueConstraint(
            "ticket_id", "operator_id", name=op.f("uq_draft_ticket_id_operator_id")
        ),
    )
    op.create_table(
        "escalation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ticket_id", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "wmid_block",
                "fraud",
                "hacking",
                "arbitration",
                "hotline",
                name="escalation_kind",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("set_by_id", sa.Integer(), nullable=True),
        sa.Column("set_at", _WHEN, nullable=False),
        sa.Column("cleared_by_id", sa.Integer(), nullable=True),
        sa.Column("cleared_at", _WHEN, nullable=True),
        sa.Column("clear_reason", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["cleared_by_id"], ["operator.id"], name=op.f("fk_escalation_cleared_by_id_operator")
        ),
        sa.ForeignKeyConstraint(
            ["set_by_id"], ["operator.id"], name=op.f("fk_escalation_set_by_id_operator")
        ),
        sa.ForeignKeyConstraint(
            ["ticket_id"], ["ticket.id"], name=op.f("fk_escalation_ticket_id_ticket")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_escalation")),
    )
    with op.batch_alter_table("escalation", schema=None) as batch_op:
        batch_op.create_index(
            "ix_escalation_kind_open", ["kind", "cleared_at", "ticket_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_escalation_ticket_id"), ["ticket_id"], unique=False)

    op.create_table(
        "tickettally",
        sa.Column(
            "status",
            sa.Enum(
                "unconfirmed",
                "new",
                "open",
                "answered",
                "on_hold",
                "archived",
                "expired",
                name="tally_status",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column(
            "service",
            sa.Enum(
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
                name="tally_service",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column("assignee_id", sa.Integer(), nullable=False),
        sa.Column("escalation_flags", sa.Integer(), nullable=False),
        sa.Column("tickets", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint(
            "status", "service", "assignee_id", "escalation_flags", name=op.f("pk_tickettally")
        ),
    )
    op.create_table(
        "message",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ticket_id", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "customer",
                "operator",
                "note",
                "system",
                name="message_kind",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column("author_id", sa.Integer(), nullable=True),
        sa.Column(
            "channel",
            sa.Enum(
                "form",
                "email",
                "keeper",
                "console",
                "system",
                name="message_channel",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("email_message_id", sa.String(length=998), nullable=True),
        sa.Column("created_at", _WHEN, nullable=False),
        sa.ForeignKeyConstraint(
            ["author_id"], ["operator.id"], name=op.f("fk_message_author_id_operator")
        ),
        sa.ForeignKeyConstraint(
            ["ticket_id"], ["ticket.id"], name=op.f("fk_message_ticket_id_ticket")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_message")),
        sa.UniqueConstraint("email_message_id", name=op.f("uq_message_email_message_id")),
    )
    with op.batch_alter_table("message", schema=None) as batch_op:
        batch_op.create_index("ix_message_ticket", ["ticket_id", "id"], unique=False)

    op.create_table(
        "presence",
        sa.Column("console_id", sa.String(length=64), nullable=False),
        sa.Column("operator_id", sa.Integer(), nullable=False),
        sa.Column("ticket_id", sa.Integer(), nullable=True),
        sa.Column(
            "state",
            sa.Enum(
                "viewing",
                "typing",
                name="presence_state",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column("host", sa.String(length=255), nullable=False),
        sa.Column("seen_at", _WHEN, nullable=False),
        sa.ForeignKeyConstraint(
            ["operator_id"], ["operator.id"], name=op.f("fk_presence_operator_id_operator")
        ),
        sa.ForeignKeyConstraint(
            ["ticket_id"], ["ticket.id"], name=op.f("fk_presence_ticket_id_ticket")
        ),
        sa.PrimaryKeyConstraint("console_id", name=op.f("pk_presence")),
    )
    with op.batch_alter_table("presence", schema=None) as batch_op:
        batch_op.create_index("ix_presence_ticket_seen", ["ticket_id", "seen_at"], unique=False)

    op.create_table(
        "attachment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ticket_id", sa.Integer(), nullable=False),
        sa.Column("message_id", sa.Integer(), nullable=True),
        sa.Column("filename", sa.String(length=255), nullable=False),
        sa.Column("content_type", sa.String(length=255), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(), nullable=True),
        sa.Column("refused_reason", sa.String(length=500), nullable=True),
        sa.Column("created_at", _WHEN, nullable=False),
        sa.ForeignKeyConstraint(
            ["message_id"], ["message.id"], name=op.f("fk_attachment_message_id_message")
        ),
        sa.ForeignKeyConstraint(
            ["sha256"],
            ["attachmentcontent.sha256"],
            name=op.f("fk_attachment_sha256_attachmentcontent"),
        ),
        sa.ForeignKeyConstraint(
            ["ticket_id"], ["ticket.id"], name=op.f("fk_attachment_ticket_id_ticket")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_attachment")),
    )
    with op.batch_alter_table("attachment", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_attachment_message_id"), ["message_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_attachment_ticket_id"), ["ticket_id"], unique=False)

    op.create_table(
        "notice",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ticket_id", sa.Integer(), nullable=False),
        sa.Column("message_id", sa.Integer(), nullable=True),
        sa.Column(
            "channel",
            sa.Enum(
                "keeper", "email", name="notice_channel", native_enum=False, create_constraint=True
            ),
            nullable=False,
        ),
        sa.Column("recipient", sa.String(length=320), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "confirm",
                "answer",
                "archived",
                "reopened",
                name="notice_kind",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column(
            "state",
            sa.Enum(
                "pending",
                "sending",
                "sent",
                "failed",
                name="notice_state",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", _WHEN, nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("email_message_id", sa.String(length=998), nullable=True),
        sa.Column("created_at", _WHEN, nullable=False),
        sa.Column("sent_at", _WHEN, nullable=True),
        sa.ForeignKeyConstraint(
            ["message_id"], ["message.id"], name=op.f("fk_notice_message_id_message")
        ),
        sa.ForeignKeyConstraint(
            ["ticket_id"], ["ticket.id"], name=op.f("fk_notice_ticket_id_ticket")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notice")),
        sa.UniqueConstraint("email_message_id", name=op.f("uq_notice_email_message_id")),
    )
    with op.batch_alter_table("notice", schema=None) as batch_op:
        batch_op.create_index("ix_notice_state_next", ["state", "next_attempt_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_notice_ticket_id"), ["ticket_id"], unique=False)
    counter = sa.table("counter", sa.column("name", sa.String), sa.column("value", sa.Integer))
    op.bulk_insert(counter, [{"name": "ticket", "value": 100000}])
    if op.get_bind().dialect.name == "sqlite":
        _create_sqlite_search()
    else:
        _create_postgres_search()


_TICKET_TEXT = "subject, customer_name, customer_email, customer_wmid, customer_purse"
_new_text = ", ".join(f"new.{column}" for column in _TICKET_TEXT.split(", "))
_old_text = ", ".join(f"old.{column}" for column in _TICKET_TEXT.split(", "))
# Word-prefix full text, case-folded for Cyrillic as well (console/search.py).
_TOKENIZER = "tokenize='unicode61 remove_diacritics 2'"


def _create_sqlite_search() -> None:
    # External-content FTS5 indexes kept by triggers. Messages are never updated
    # or deleted, so one insert trigger keeps theirs.
    op.execute(
        "CREATE VIRTUAL TABLE message_search USING fts5("
        f"body, content='message', content_rowid='id', {_TOKENIZER})"
    )
    op.execute(
        "CREATE TRIGGER message_search_insert AFTER INSERT ON message BEGIN "
        "INSERT INTO message_search(rowid, body) VALUES (new.id, new.body); END"
    )
    op.execute(
        f"CREATE VIRTUAL TABLE ticket_search USING fts5({_TICKET_TEXT}, "
        f"content='ticket', content_rowid='id', {_TOKENIZER})"
    )
    op.execute(
        "CREATE TRIGGER ticket_search_insert AFTER INSERT ON ticket BEGIN "
        f"INSERT INTO ticket_search(rowid, {_TICKET_TEXT}) VALUES (new.id, {_new_text}); END"
    )
    op.execute(
        f"CREATE TRIGGER ticket_search_update AFTER UPDATE OF {_TICKET_TEXT} ON ticket BEGIN "
        f"INSERT INTO ticket_search(ticket_search, rowid, {_TICKET_TEXT}) "
        f"VALUES ('delete', old.id, {_old_text}); "
        f"INSERT INTO ticket_search(rowid, {_TICKET_TEXT}) VALUES (new.id, {_new_text}); END"
    )


def _create_postgres_search() -> None:
    # The same word-prefix search through tsvector: punctuation turned to spaces
    # first so words split as SQLite's unicode61 splits them, then the 'simple'
    # configuration (no stemming, lower-cased). The vectors are stored generated
    # columns, not index expressions: a prefix query rechecks every candidate
    # row, and recomputing the vector there costs ten times reading it.
    words = "to_tsvector('simple', regexp_replace({text}, '[^[:alnum:]]+', ' ', 'g'))"
    ticket_text = (
        "subject || ' ' || coalesce(customer_name, '') || ' ' || coalesce(customer_email, '')"
        " || ' ' || coalesce(customer_wmid, '') || ' ' || coalesce(customer_purse, '')"
    )
    op.execute(
        "ALTER TABLE message ADD COLUMN body_words tsvector "
        f"GENERATED ALWAYS AS ({words.format(text='body')}) STORED"
    )
    op.execute("CREATE INDEX ix_message_body_fts ON message USING gin (body_words)")
    op.execute(
        "ALTER TABLE ticket ADD COLUMN text_words tsvector "
        f"GENERATED ALWAYS AS ({words.format(text=ticket_text)}) STORED"
    )
    op.execute("CREATE INDEX ix_ticket_text_fts ON ticket USING gin (text_words)")


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for trigger in ("message_search_insert", "ticket_search_insert", "ticket_search_update"):
            op.execute(f"DROP TRIGGER IF EXISTS {trigger}")
        op.execute("DROP TABLE IF EXISTS message_search")
        op.execute("DROP TABLE IF EXISTS ticket_search")
    else:
        op.execute("DROP INDEX IF EXISTS ix_message_body_fts")
        op.execute("DROP INDEX IF EXISTS ix_ticket_text_fts")
        op.execute("ALTER TABLE message DROP COLUMN IF EXISTS body_words")
        op.execute("ALTER TABLE ticket DROP COLUMN IF EXISTS text_words")
    op.drop_table("tickettally")
    with op.batch_alter_table("notice", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_notice_ticket_id"))
        batch_op.drop_index("ix_notice_state_next")

    op.drop_table("notice")
    with op.batch_alter_table("attachment", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_attachment_ticket_id"))
        batch_op.drop_index(batch_op.f("ix_attachment_message_id"))

    op.drop_table("attachment")
    with op.batch_alter_table("presence", schema=None) as batch_op:
        batch_op.drop_index("ix_presence_ticket_seen")

    op.drop_table("presence")
    with op.batch_alter_table("message", schema=None) as batch_op:
        batch_op.drop_index("ix_message_ticket")

    op.drop_table("message")
    with op.batch_alter_table("escalation", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_escalation_ticket_id"))
        batch_op.drop_index("ix_escalation_kind_open")

    op.drop_table("escalation")
    op.drop_table("draft")
    op.drop_table("changelog")
    with op.batch_alter_table("blockrequest", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_blockrequest_wmid"))
        batch_op.drop_index(batch_op.f("ix_blockrequest_ticket_id"))
        batch_op.drop_index("ix_blockrequest_state")

    op.drop_table("blockrequest")
    with op.batch_alter_table("auditevent", schema=None) as batch_op:
        batch_op.drop_index("ix_auditevent_at")
        batch_op.drop_index("ix_auditevent_ticket")

    op.drop_table("auditevent")
    with op.batch_alter_table("ticket", schema=None) as batch_op:
        batch_op.drop_index("ix_ticket_service_queue")
        batch_op.drop_index("ix_ticket_queue")
        batch_op.drop_index("ix_ticket_due_at")
        batch_op.drop_index("ix_ticket_waiting")
        batch_op.drop_index("ix_ticket_customer_wmid")
        batch_op.drop_index("ix_ticket_customer_email")
        batch_op.drop_index("ix_ticket_assignee_queue")

    op.drop_table("ticket")
    op.drop_table("template")
    op.drop_table("scammarker")
    op.drop_table("operatorpreference")
    with op.batch_alter_table("quarantinedmail", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_quarantinedmail_sha256"))

    op.drop_table("quarantinedmail")
    op.drop_table("operator")
    op.drop_table("counter")
    op.drop_table("attachmentcontent")
