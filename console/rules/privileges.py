"""Who may do what in PostgreSQL itself: the desired state of the desk's roles.

console/rules/roles.py is the friendly first check, with the sentence a person
reads. This table is the line nobody can go around: `wmconsole db upgrade`
grants exactly this (and revokes everything else) on every run, and
`wmconsole db check-privileges` compares it with what the database really
grants. Row-level rules that privileges cannot express (who is named on a row,
four-eyes, whose draft) are triggers and policies of migration 0005.

Group roles are NOLOGIN; a person's login role is a member of exactly one
person group, a service's login role of its service group. Supervisors and
security officers are members of wm_operator: they work tickets too, so they
hold its rights and their own on top.
"""

from __future__ import annotations

from dataclasses import dataclass

from models import Role

OPERATOR = "wm_operator"
SUPERVISOR = "wm_supervisor"
SECURITY = "wm_security"
ADMIN = "wm_admin"
INTAKE = "wm_intake"
NOTICES = "wm_notices"
GROUPS = (OPERATOR, SUPERVISOR, SECURITY, ADMIN, INTAKE, NOTICES)
PERSON_GROUPS = {Role.operator: OPERATOR, Role.supervisor: SUPERVISOR, Role.security: SECURITY}
# Group -> the groups it is a member of (and whose rights it inherits).
MEMBER_OF = {SUPERVISOR: (OPERATOR,), SECURITY: (OPERATOR,)}
# Tables whose rows each person sees and writes only for themselves (row-level security).
OWN_ROWS_ONLY = frozenset({"draft", "operatorpreference"})

ALL_COLUMNS = "*"
# Not models: PostgreSQL's one tsvector per ticket (0008), and each ticket's
# words as numbers, for counting (0010); kept by triggers.
SEARCH_TABLES = ("ticketsearch", "ticketwords", "searchword")


@dataclass(frozen=True)
class Rights:
    """What one group may do on one table. `update` names the columns it may
    change; ALL_COLUMNS for every one."""

    select: bool = False
    insert: bool = False
    update: frozenset[str] = frozenset()
    delete: bool = False

    def __or__(self, other: Rights) -> Rights:
        if ALL_COLUMNS in self.update or ALL_COLUMNS in other.update:
            update = frozenset({ALL_COLUMNS})
        else:
            update = self.update | other.update
        return Rights(
            self.select or other.select,
            self.insert or other.insert,
            update,
            self.delete or other.delete,
        )

    @property
    def empty(self) -> bool:
        return not (self.select or self.insert or self.update or self.delete)


def rights(letters: str = "", *update_columns: str) -> Rights:
    """rights('SI'), rights('S', 'state', 'decided_at'); 'U' alone: every column."""
    columns = frozenset(update_columns) | ({ALL_COLUMNS} if "U" in letters else set())
    return Rights("S" in letters, "I" in letters, frozenset(columns), "D" in letters)


READ = rights("S")
APPEND = rights("SI")

# What a person changes on a ticket while working it (tickets.py, escalations.py).
_WORKED_TICKET = (
    "status",
    "assignee_id",
    "assigned_at",
    "updated_at",
    "version",
    "queue_rank",
    "queue_due",
    "due_at",
    "first_answer_due_at",
    "first_answered_at",
    "answered_at",
    "waiting_since",
    "archived_at",
    "archive_reason",
    "escalation_flags",
    # A hotline caller's number, noted on their ticket with the call.
    "customer_phone",
)
# What the customer's side changes: a confirmation, a follow-up mail, the archive
# buttons, expiry; identifiers found in a mail. Never who holds the ticket.
_CUSTOMER_TICKET = (
    "status",
    "updated_at",
    "version",
    "queue_rank",
    "queue_due",
    "due_at",
    "first_answer_due_at",
    "waiting_since",
    "last_customer_at",
    "confirmed_at",
    "archived_at",
    "archive_reason",
    "customer_wmid",
    "customer_purse",
    "customer_phone",
)
_SENDING = ("state", "attempts", "next_attempt_at", "email_message_id", "last_error", "sent_at")

# Table -> group -> the rights granted to that group directly. A group missing
# from a table has none there; PUBLIC has none anywhere.
GRANTS: dict[str, dict[str, Rights]] = {
    "alembic_version": {group: READ for group in GROUPS},
    "operator": {
        OPERATOR: READ,
        ADMIN: rights("SI", "name", "role", "active"),
        INTAKE: READ,
        NOTICES: READ,
    },
    # A ticket opened on a hotline call takes the next number (calls.py).
    "counter": {OPERATOR: rights("S", "value"), INTAKE: rights("S", "value")},
    "ticket": {
        # INSERT: a ticket opened for a call the person took, and no other (a
        # trigger of migration 0007).
        OPERATOR: rights("SI", *_WORKED_TICKET),
        INTAKE: rights("SI", *_CUSTOMER_TICKET),
        NOTICES: READ,
    },
    "tickettally": {OPERATOR: rights("SI", "tickets"), INTAKE: rights("SI", "tickets")},
    "message": {OPERATOR: APPEND, INTAKE: APPEND, NOTICES: READ},
    "attachment": {OPERATOR: APPEND, INTAKE: APPEND, NOTICES: READ},
    "attachmentcontent": {OPERATOR: APPEND, INTAKE: APPEND, NOTICES: READ},
    "escalation": {
        OPERATOR: rights("SI", "cleared_by_id", "cleared_at", "clear_reason"),
        INTAKE: READ,
    },
    "blockrequest": {
        OPERATOR: APPEND,
        SUPERVISOR: rights("", "state", "decided_by_id", "decided_at", "decision_reason"),
        SECURITY: rights("", "state", "decided_by_id", "decided_at", "decision_reason"),
    },
    "draft": {OPERATOR: rights("SIUD")},
    "operatorpreference": {OPERATOR: rights("SIU")},
    "presence": {OPERATOR: rights("SIUD")},
    "template": {OPERATOR: READ, SUPERVISOR: rights("SIU")},
    "macro": {OPERATOR: READ, SUPERVISOR: rights("SIU")},
    "scammarker": {
        OPERATOR: READ,
        SUPERVISOR: rights("SI", "active"),
        SECURITY: rights("SI", "active"),
        INTAKE: READ,
    },
    "notice": {
        OPERATOR: rights("SI", "state", "next_attempt_at"),
        INTAKE: APPEND,
        NOTICES: rights("S", *_SENDING),
    },
    "quarantinedmail": {
        SUPERVISOR: rights("S", "resolved_at"),
        SECURITY: rights("S", "resolved_at"),
        # A mail refused again under another name: its record follows the file.
        INTAKE: rights("SI", "path"),
    },
    # Append-only for everyone but the owner: no UPDATE, DELETE or TRUNCATE.
    "auditevent": {OPERATOR: APPEND, ADMIN: APPEND, INTAKE: APPEND, NOTICES: READ},
    "changelog": {OPERATOR: APPEND, ADMIN: APPEND, INTAKE: APPEND, NOTICES: READ},
    # The search documents (PostgreSQL only): read by whoever searches,
    # written only by the owner's triggers.
    **{table: {OPERATOR: READ} for table in SEARCH_TABLES},
}

# The database-side functions each group calls (the rest are the owner's alone).
FUNCTIONS = {
    "wm_session_operator()": GROUPS,
    "wm_trusted()": GROUPS,
    "wm_person(text)": GROUPS,
    "wm_set_password(text, text)": (ADMIN,),
}

# Triggers and policies migrations 0005 and 0007 put in place: check-privileges
# reports any that is missing, as drift.
GUARDS = {
    "auditevent": ("wm_stamp_audit",),
    "message": ("wm_stamp_message",),
    "blockrequest": ("wm_guard_block",),
    "escalation": ("wm_guard_escalation",),
    "ticket": ("wm_guard_assignee", "wm_audited_ticket", "wm_guard_new_ticket"),
    "notice": ("wm_guard_notice",),
    "template": ("wm_stamp_template",),
    "macro": ("wm_stamp_macro",),
    "scammarker": ("wm_stamp_marker",),
    "presence": ("wm_stamp_presence",),
    "operator": ("wm_sync_person_role",),
}


def groups_of(group: str) -> tuple[str, ...]:
    """The group and every group whose rights it inherits."""
    return (
        group,
        *(inherited for parent in MEMBER_OF.get(group, ()) for inherited in groups_of(parent)),
    )


def effective(table: str, group: str) -> Rights:
    """What a member of `group` may do on `table`, inherited rights included."""
    granted = GRANTS.get(table, {})
    result = Rights()
    for source in groups_of(group):
        result = result | granted.get(source, Rights())
    return result
