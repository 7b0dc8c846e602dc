"""people sign in as themselves: the desk's roles, and the rules the database holds

Revision ID: 0005
Revises: 0003
Create Date: 2026-11-29

PostgreSQL: the group roles (wm_operator, wm_supervisor, wm_security,
wm_admin, wm_intake, wm_notices), a NOLOGIN role for each existing operator
(an admin enables each), and the rules no client can go around:

- the person named on an audit event, a reply or note, a block request or
  decision, an escalation, a template, a scam marker or a presence row is
  stamped from session_user by a BEFORE trigger, whatever the client sent;
- a block is decided only by a supervisor or security officer, never by its
  requester (four-eyes), once, and only to approved or rejected;
- an urgent escalation (fraud, hacking, wmid_block) is cleared only by a
  supervisor or security officer; a ticket changes hands only by a take, a
  give-back or a supervisor;
- a notice goes to its ticket's own customer, whatever recipient a client
  names; a person only puts a failed notice back in the outbox;
- no ticket is created or changed without an audit event for it in the same
  transaction (checked at commit);
- drafts and preferences: each person sees and writes their own rows only
  (row-level security);
- the operator table drives the login roles: adding an operator creates (or
  adopts) their role in the right group, deactivating makes it NOLOGIN and
  takes it out of every group, a role change moves the membership.

The owner of the tables is trusted as given (it loads demo data and runs the
migrations). The grants themselves are console/rules/privileges.py, applied by
every `wmconsole db upgrade`.

SQLite: triggers make the audit and the change log append-only.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_GROUPS = ("wm_operator", "wm_supervisor", "wm_security", "wm_admin", "wm_intake", "wm_notices")
_APPEND_ONLY = ("auditevent", "changelog")
_APPEND_ONLY_MESSAGE = (
    "the audit and the change log are append-only: rows are never changed or deleted"
)


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for table in _APPEND_ONLY:
            for event in ("UPDATE", "DELETE"):
                op.execute(
                    f"CREATE TRIGGER {table}_append_only_{event.lower()} BEFORE {event} ON {table} "
                    f"BEGIN SELECT RAISE(ABORT, '{_APPEND_ONLY_MESSAGE}'); END"
                )
        return
    schema = op.get_bind().exec_driver_sql("SELECT current_schema()").scalar()
    for statement in _postgres_statements(_quoted(schema)):
        # psycopg reads % as a placeholder; format() in the bodies needs it literal.
        op.get_bind().exec_driver_sql(statement.replace("%", "%%"))


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for table in _APPEND_ONLY:
            for event in ("update", "delete"):
                op.execute(f"DROP TRIGGER IF EXISTS {table}_append_only_{event}")
        return
    schema = _quoted(op.get_bind().exec_driver_sql("SELECT current_schema()").scalar())
    for table, trigger in _TRIGGERS:
        op.execute(f"DROP TRIGGER IF EXISTS {trigger} ON {schema}.{table}")
    for table in ("draft", "operatorpreference"):
        op.execute(f"DROP POLICY IF EXISTS wm_own_rows ON {schema}.{table}")
        op.execute(f"ALTER TABLE {schema}.{table} DISABLE ROW LEVEL SECURITY")
    for function in _FUNCTIONS:
        op.execute(f"DROP FUNCTION IF EXISTS {schema}.{function}")
    # The roles stay: they belong to the cluster, and other databases may use them.


def _quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


_TRIGGERS = (
    ("auditevent", "wm_stamp_audit"),
    ("message", "wm_stamp_message"),
    ("blockrequest", "wm_guard_block"),
    ("escalation", "wm_guard_escalation"),
    ("ticket", "wm_guard_assignee"),
    ("ticket", "wm_audited_ticket"),
    ("notice", "wm_guard_notice"),
    ("template", "wm_stamp_template"),
    ("scammarker", "wm_stamp_marker"),
    ("presence", "wm_stamp_presence"),
    ("operator", "wm_sync_person_role"),
)
_FUNCTIONS = (
    "wm_stamp_audit()",
    "wm_stamp_message()",
    "wm_guard_block()",
    "wm_guard_escalation()",
    "wm_guard_assignee()",
    "wm_guard_notice()",
    "wm_audited_ticket()",
    "wm_stamp_template()",
    "wm_stamp_marker()",
    "wm_stamp_presence()",
    "wm_sync_person_role()",
    "wm_set_password(text, text)",
    "wm_ensure_person_role(text, text, boolean)",
    "wm_person(text)",
    "wm_session_operator()",
    "wm_trusted()",
)

_REFUSE = "RAISE EXCEPTION USING ERRCODE = 'insufficient_privilege', MESSAGE = "


def _postgres_statements(s: str) -> list[str]:
    return [
        _CREATE_GROUPS,
        "GRANT wm_operator TO wm_supervisor, wm_security",
        *_helpers(s),
        *_stamps(s),
        *_guards(s),
        *_people(s),
        *_own_rows(s),
        # Only the owner runs these directly; triggers run as their definer.
        *(f"REVOKE ALL ON FUNCTION {s}.{function} FROM PUBLIC" for function in _FUNCTIONS),
        # Existing operators get a role each, unable to sign in until an admin
        # enables it (`wmconsole operator activate LOGIN --password-prompt`).
        f"SELECT {s}.wm_ensure_person_role(login, CASE WHEN active THEN 'wm_' || role END, false) "
        f"FROM {s}.operator ORDER BY login",
    ]


_CREATE_GROUPS = f"""
DO $$
DECLARE
    grp text;
BEGIN
    FOREACH grp IN ARRAY ARRAY{list(_GROUPS)!r} LOOP
        CONTINUE WHEN EXISTS (SELECT FROM pg_roles WHERE rolname = grp);
        IF NOT (SELECT rolcreaterole OR rolsuper FROM pg_roles WHERE rolname = current_user) THEN
            {_REFUSE} format(
                'the schema owner %s may not create roles: a superuser runs ALTER ROLE %I '
                'CREATEROLE, then wmconsole db upgrade again', current_user, current_user);
        END IF;
        EXECUTE format('CREATE ROLE %I NOLOGIN', grp);
    END LOOP;
END
$$"""


def _helpers(s: str) -> list[str]:
    return [
        # Members of the tables' owner (the owner itself, superusers) are trusted as given.
        f"""CREATE FUNCTION {s}.wm_trusted() RETURNS boolean LANGUAGE sql STABLE AS $$
            SELECT pg_has_role(session_user, c.relowner, 'MEMBER')
            FROM pg_catalog.pg_class c WHERE c.oid = '{s}.operator'::regclass
        $$""",
        # The operator signed in on this connection: session_user, which a
        # client cannot change (SET ROLE changes current_user only).
        f"""CREATE FUNCTION {s}.wm_session_operator() RETURNS integer LANGUAGE sql STABLE AS $$
            SELECT id FROM {s}.operator WHERE login = session_user::text AND active
        $$""",
        f"""CREATE FUNCTION {s}.wm_person(doing text) RETURNS integer LANGUAGE plpgsql STABLE AS $$
        DECLARE
            me integer := {s}.wm_session_operator();
        BEGIN
            IF me IS NULL THEN
                {_REFUSE} format('%s is not an active operator of this desk: %s takes one',
                                 session_user, doing);
            END IF;
            RETURN me;
        END $$""",
    ]


def _trigger(s: str, table: str, name: str, when: str, body: str) -> list[str]:
    return [
        f"""CREATE FUNCTION {s}.{name}() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            {body}
            RETURN NEW;
        END $$""",
        f"CREATE TRIGGER {name} {when} ON {s}.{table} FOR EACH ROW EXECUTE FUNCTION {s}.{name}()",
    ]


def _stamps(s: str) -> list[str]:
    trusted = f"IF {s}.wm_trusted() THEN RETURN NEW; END IF;"
    return [
        *_trigger(
            s,
            "auditevent",
            "wm_stamp_audit",
            "BEFORE INSERT",
            f"""{trusted}
            -- A person's every audit event is theirs: they cannot write one as
            -- the system or the customer.
            IF {s}.wm_session_operator() IS NOT NULL THEN
                NEW.actor := 'operator';
                NEW.operator_id := {s}.wm_session_operator();
            ELSIF NEW.actor = 'operator' THEN
                NEW.operator_id := {s}.wm_person('an operator''s audit event');
            ELSIF NEW.actor = 'customer' AND NOT pg_has_role(session_user, 'wm_intake', 'MEMBER') THEN
                {_REFUSE} format('only the customer''s side (wm_intake) records what a customer '
                                 'did; %s is not a member of it', session_user);
            ELSE
                NEW.operator_id := NULL;
            END IF;
            -- Who ran an administrative change, from the connection, not the client.
            IF jsonb_typeof(NEW.after::jsonb) = 'object' AND NEW.after::jsonb ? 'by' THEN
                NEW.after := jsonb_set(NEW.after::jsonb, '{{by}}', to_jsonb(session_user::text))::json;
            END IF;""",
        ),
        *_trigger(
            s,
            "message",
            "wm_stamp_message",
            "BEFORE INSERT",
            f"""{trusted}
            IF NEW.kind = 'customer' AND NOT pg_has_role(session_user, 'wm_intake', 'MEMBER') THEN
                {_REFUSE} format('only the customer''s side (wm_intake) records a customer''s '
                                 'message; %s is not a member of it', session_user);
            ELSIF NEW.kind IN ('operator', 'note') THEN
                NEW.author_id := {s}.wm_person('a reply or a note');
            ELSE
                -- A system line a person's action wrote (a block requested, say)
                -- keeps who wrote it; the customer's side's have no author.
                NEW.author_id := {s}.wm_session_operator();
            END IF;""",
        ),
        *_trigger(
            s,
            "template",
            "wm_stamp_template",
            "BEFORE INSERT OR UPDATE",
            f"{trusted} NEW.updated_by_id := {s}.wm_person('editing a template');",
        ),
        *_trigger(
            s,
            "scammarker",
            "wm_stamp_marker",
            "BEFORE INSERT",
            f"{trusted} NEW.created_by_id := {s}.wm_person('adding a scam marker');",
        ),
        *_trigger(
            s,
            "presence",
            "wm_stamp_presence",
            "BEFORE INSERT OR UPDATE",
            f"{trusted} NEW.operator_id := {s}.wm_person('a console''s presence');",
        ),
    ]


_OFFICER = (
    "(pg_has_role(session_user, 'wm_supervisor', 'MEMBER') "
    "OR pg_has_role(session_user, 'wm_security', 'MEMBER'))"
)


def _guards(s: str) -> list[str]:
    trusted = f"{s}.wm_trusted()"
    return [
        *_trigger(
            s,
            "blockrequest",
            "wm_guard_block",
            "BEFORE INSERT OR UPDATE",
            f"""IF TG_OP = 'INSERT' AND NOT {trusted} THEN
                NEW.requested_by_id := {s}.wm_person('requesting a WMID block');
                IF NEW.state <> 'requested' OR NEW.decided_by_id IS NOT NULL THEN
                    {_REFUSE} 'a WMID block request starts undecided: a second person decides it';
                END IF;
            ELSIF TG_OP = 'UPDATE' AND NOT {trusted} THEN
                IF NOT {_OFFICER} THEN
                    {_REFUSE} format('%s is not a supervisor or security officer: deciding a '
                                     'WMID block takes one', session_user);
                END IF;
                IF OLD.state <> 'requested' THEN
                    {_REFUSE} format('block request %s was already %s; a decision is final',
                                     OLD.id, OLD.state);
                END IF;
                IF NEW.state NOT IN ('approved', 'rejected') THEN
                    {_REFUSE} format('block request %s is approved or rejected, nothing else', OLD.id);
                END IF;
                NEW.decided_by_id := {s}.wm_person('deciding a WMID block');
            END IF;
            IF NEW.decided_by_id = NEW.requested_by_id THEN
                {_REFUSE} format('four-eyes: %s requested block %s and cannot decide it; another '
                                 'supervisor or security officer must',
                                 (SELECT login FROM {s}.operator WHERE id = NEW.requested_by_id),
                                 NEW.id);
            END IF;""",
        ),
        *_trigger(
            s,
            "escalation",
            "wm_guard_escalation",
            "BEFORE INSERT OR UPDATE",
            f"""IF {trusted} THEN RETURN NEW; END IF;
            IF TG_OP = 'INSERT' THEN
                NEW.set_by_id := {s}.wm_person('escalating a ticket');
                NEW.cleared_by_id := NULL;
                NEW.cleared_at := NULL;
            ELSE
                IF OLD.cleared_at IS NOT NULL THEN
                    {_REFUSE} format('escalation %s was already cleared', OLD.id);
                END IF;
                IF NEW.kind IN ('fraud', 'hacking', 'wmid_block') AND NOT {_OFFICER} THEN
                    {_REFUSE} format('%s is not a supervisor or security officer: clearing a %s '
                                     'escalation takes one', session_user, NEW.kind);
                END IF;
                NEW.cleared_by_id := {s}.wm_person('clearing an escalation');
            END IF;""",
        ),
        *_trigger(
            s,
            "ticket",
            "wm_guard_assignee",
            "BEFORE UPDATE OF assignee_id",
            f"""IF {trusted} OR NEW.assignee_id IS NOT DISTINCT FROM OLD.assignee_id
               OR pg_has_role(session_user, 'wm_supervisor', 'MEMBER') THEN
                RETURN NEW;
            END IF;
            IF NOT ((OLD.assignee_id IS NULL AND NEW.assignee_id = {s}.wm_session_operator())
                    OR (NEW.assignee_id IS NULL AND OLD.assignee_id = {s}.wm_session_operator())) THEN
                {_REFUSE} format('%s may take ticket %s from the queue or give their own back; '
                                 'giving it to someone else takes a supervisor',
                                 session_user, OLD.number);
            END IF;""",
        ),
        # Checked at commit: the ticket's new row and an audit event for it were
        # written by the same (sub)transaction, so they share their xmin.
        f"""CREATE FUNCTION {s}.wm_audited_ticket() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF NOT EXISTS (
                SELECT FROM {s}.auditevent a
                WHERE a.ticket_id = NEW.id
                  AND a.xmin = (SELECT t.xmin FROM {s}.ticket t WHERE t.id = NEW.id)) THEN
                {_REFUSE} format('ticket %s changed without its audit event: every change to a '
                                 'ticket is audited in the same transaction', NEW.number);
            END IF;
            RETURN NULL;
        END $$""",
        f"CREATE CONSTRAINT TRIGGER wm_audited_ticket AFTER INSERT OR UPDATE ON {s}.ticket "
        # The owner's rows are not even queued (a bulk load rebuilds indexes
        # in its transaction, which pending events would forbid).
        f"DEFERRABLE INITIALLY DEFERRED FOR EACH ROW WHEN (NOT {trusted}) "
        f"EXECUTE FUNCTION {s}.wm_audited_ticket()",
        *_trigger(
            s,
            "notice",
            "wm_guard_notice",
            "BEFORE INSERT OR UPDATE",
            f"""IF {trusted} OR pg_has_role(session_user, 'wm_notices', 'MEMBER') THEN
                RETURN NEW;
            END IF;
            IF TG_OP = 'INSERT' THEN
                -- The desk writes to a ticket's own customer, never to an address a client names.
                NEW.recipient := (SELECT CASE NEW.channel WHEN 'email' THEN customer_email
                                                          ELSE customer_wmid END
                                  FROM {s}.ticket WHERE id = NEW.ticket_id);
            ELSIF NOT (OLD.state = 'failed' AND NEW.state = 'pending') THEN
                {_REFUSE} format('notice %s is %s: a person only puts a failed notice back in '
                                 'the outbox', OLD.id, OLD.state);
            END IF;""",
        ),
    ]


def _people(s: str) -> list[str]:
    definer = "SECURITY DEFINER SET search_path = pg_catalog, pg_temp"
    return [
        # Runs as the owner (who holds CREATEROLE): creates or adopts the login
        # role, sets whether it may sign in, and makes `grp` its only desk group.
        f"""CREATE FUNCTION {s}.wm_ensure_person_role(person text, grp text, can_login boolean)
        RETURNS void LANGUAGE plpgsql {definer} AS $$
        DECLARE
            existing pg_roles%ROWTYPE;
            desk_group text;
        BEGIN
            SELECT * INTO existing FROM pg_roles WHERE rolname = person;
            IF NOT FOUND THEN
                EXECUTE format('CREATE ROLE %I %s', person,
                               CASE WHEN can_login THEN 'LOGIN' ELSE 'NOLOGIN' END);
            ELSE
                IF existing.rolsuper OR existing.rolcreaterole OR existing.rolcreatedb
                   OR existing.rolreplication OR existing.rolbypassrls OR person LIKE 'wm\\_%'
                   OR pg_has_role(person, (SELECT relowner FROM pg_class
                                           WHERE oid = '{s}.operator'::regclass), 'MEMBER') THEN
                    {_REFUSE} format('the PostgreSQL role %s administers the database; an '
                                     'operator signs in with a role of their own', person);
                END IF;
                EXECUTE format('ALTER ROLE %I %s', person,
                               CASE WHEN can_login THEN 'LOGIN' ELSE 'NOLOGIN' END);
            END IF;
            FOREACH desk_group IN ARRAY ARRAY['wm_operator', 'wm_supervisor', 'wm_security'] LOOP
                IF desk_group = grp THEN
                    EXECUTE format('GRANT %I TO %I', desk_group, person);
                ELSIF EXISTS (SELECT FROM pg_auth_members
                              WHERE roleid = desk_group::regrole AND member = person::regrole) THEN
                    EXECUTE format('REVOKE %I FROM %I', desk_group, person);
                END IF;
            END LOOP;
        END $$""",
        f"""CREATE FUNCTION {s}.wm_sync_person_role() RETURNS trigger LANGUAGE plpgsql {definer} AS $$
        BEGIN
            PERFORM {s}.wm_ensure_person_role(
                NEW.login, CASE WHEN NEW.active THEN 'wm_' || NEW.role END, NEW.active);
            RETURN NEW;
        END $$""",
        f"CREATE TRIGGER wm_sync_person_role AFTER INSERT OR UPDATE ON {s}.operator "
        f"FOR EACH ROW EXECUTE FUNCTION {s}.wm_sync_person_role()",
        # A password arrives as a SCRAM verifier computed by the client: the
        # password itself never reaches the server or its log.
        f"""CREATE FUNCTION {s}.wm_set_password(person text, verifier text)
        RETURNS void LANGUAGE plpgsql {definer} AS $$
        BEGIN
            IF NOT (pg_has_role(session_user, 'wm_admin', 'MEMBER') OR {s}.wm_trusted()) THEN
                {_REFUSE} format('%s is not a member of wm_admin: setting a password takes one',
                                 session_user);
            END IF;
            IF NOT EXISTS (SELECT FROM {s}.operator WHERE login = person) THEN
                {_REFUSE} format('%s is not an operator of this desk', person);
            END IF;
            IF verifier NOT LIKE 'SCRAM-SHA-256$%' THEN
                {_REFUSE} 'a password is set as a SCRAM-SHA-256 verifier, never in the clear';
            END IF;
            EXECUTE format('ALTER ROLE %I PASSWORD %L', person, verifier);
        END $$""",
    ]


def _own_rows(s: str) -> list[str]:
    statements = []
    for table in ("draft", "operatorpreference"):
        statements += [
            f"ALTER TABLE {s}.{table} ENABLE ROW LEVEL SECURITY",
            f"CREATE POLICY wm_own_rows ON {s}.{table} "
            f"USING (operator_id = {s}.wm_session_operator()) "
            f"WITH CHECK (operator_id = {s}.wm_session_operator())",
        ]
    return statements
