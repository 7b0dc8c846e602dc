"""The line nobody can go around: PostgreSQL itself refuses what a role may not
do, whatever SQL it sends. Every statement here is plain SQL on a connection
signed in as that person or service (never the superuser), and each refusal
is PostgreSQL's own error text."""

from __future__ import annotations

import uuid

import pytest
import sqlalchemy as sa
from click.testing import CliRunner

from console import operations as ops
from console.cli.main import main
from console.desk import Desk
from console.errors import Forbidden
from console.identity import Duty
from console.rules.privileges import GROUPS
from models import BlockState
from tests.support.desk import new_ticket
from tests.support.roster import OWNER, SERVICE_LOGINS, cli_db, url_as

pytestmark = pytest.mark.postgres
INTAKE, NOTICES, ADMIN = (SERVICE_LOGINS[duty] for duty in (Duty.intake, Duty.notices, Duty.admin))


@pytest.fixture
def db_url(postgres, postgres_template) -> str:
    """PostgreSQL only: SQLite has no roles (tests/test_identity.py says what it holds)."""
    return postgres.create_database(f"t_{uuid.uuid4().hex[:12]}", postgres_template, owner=OWNER)


def _connected(db_url: str, login: str) -> sa.Engine:
    return sa.create_engine(url_as(db_url, login), poolclass=sa.pool.NullPool)


def refusal(db_url: str, login: str, sql: str, **params) -> str:
    """PostgreSQL's error text for `sql` sent as `login`; fails if it was accepted."""
    with (
        _connected(db_url, login).connect() as connection,
        pytest.raises(sa.exc.DBAPIError) as refused,
    ):
        connection.execute(sa.text(sql), params)
    return refused.value.orig.diag.message_primary


def accepted(db_url: str, login: str, sql: str, **params) -> list[sa.Row]:
    """The rows `sql` returns when `login` sends it, committed."""
    with _connected(db_url, login).begin() as connection:
        result = connection.execute(sa.text(sql), params)
        return result.all() if result.returns_rows else []


def audited(db_url: str, login: str, sql: str, **params) -> None:
    """`sql` on ticket number `n` as `login`, with the audit event every ticket change needs."""
    with _connected(db_url, login).begin() as connection:
        connection.execute(sa.text(sql), params)
        connection.execute(
            sa.text(
                "INSERT INTO auditevent (ticket_id, actor, action, at) "
                "SELECT id, 'operator', 'assign', now() FROM ticket WHERE number = :n"
            ),
            {"n": params["n"]},
        )


def operator_id(db_url: str, login: str) -> int:
    [(found,)] = accepted(db_url, OWNER, "SELECT id FROM operator WHERE login = :l", l=login)
    return found


def test_no_one_but_the_owner_changes_the_audit_or_the_change_log(staffed: Desk, db_url):
    ops.take(staffed, new_ticket(staffed), by="olga")
    for login in ("olga", "sergey", INTAKE, ADMIN):
        for table in ("auditevent", "changelog"):
            for sql in (
                f"UPDATE {table} SET at = at",
                f"DELETE FROM {table}",
                f"TRUNCATE {table}",
            ):
                assert refusal(db_url, login, sql) == f"permission denied for table {table}"


def test_an_operator_cannot_add_people_or_decide_a_block_with_plain_sql(staffed: Desk, db_url):
    number = new_ticket(staffed)
    request = ops.request_block(staffed, number, "444455556666", "took the money", by="ivan")
    assert (
        refusal(
            db_url,
            "olga",
            "INSERT INTO operator (login, name, role, active, created_at) "
            "VALUES ('mallory', 'Mallory', 'security', true, now())",
        )
        == "permission denied for table operator"
    )
    assert (
        refusal(db_url, "olga", "UPDATE operator SET role = 'supervisor' WHERE login = 'olga'")
        == "permission denied for table operator"
    )
    assert (
        refusal(
            db_url, "olga", "UPDATE blockrequest SET state = 'approved' WHERE id = :id", id=request
        )
        == "permission denied for table blockrequest"
    )
    assert (
        refusal(db_url, "irina", "UPDATE template SET body = 'send your keys to us'")
        == "permission denied for table template"
    )
    assert (
        refusal(
            db_url,
            "olga",
            "INSERT INTO scammarker (pattern, is_regex, description, active, created_at) "
            "VALUES ('x', false, '', true, now())",
        )
        == "permission denied for table scammarker"
    )
    assert ops.list_operators(staffed)[-1].login != "mallory"


def test_the_person_on_an_audit_row_is_who_is_signed_in(staffed: Desk, db_url):
    number = new_ticket(staffed)
    ticket = accepted(db_url, OWNER, "SELECT id FROM ticket WHERE number = :n", n=number)[0][0]
    [(stamped, after)] = accepted(
        db_url,
        "olga",
        "INSERT INTO auditevent (ticket_id, operator_id, actor, action, after, at) "
        "VALUES (:t, :sergey, 'operator', 'note', CAST(:after AS json), now()) "
        "RETURNING operator_id, after",
        t=ticket,
        sergey=operator_id(db_url, "sergey"),
        after='{"by": "sergey", "note": "done by sergey"}',
    )
    assert stamped == operator_id(db_url, "olga")
    assert after["by"] == "olga"
    [(author,)] = accepted(
        db_url,
        "olga",
        "INSERT INTO message (ticket_id, kind, author_id, channel, body, created_at) "
        "VALUES (:t, 'note', :sergey, 'console', 'signed sergey', now()) RETURNING author_id",
        t=ticket,
        sergey=operator_id(db_url, "sergey"),
    )
    assert author == operator_id(db_url, "olga")
    [(actor, as_system)] = accepted(
        db_url,
        "olga",
        "INSERT INTO auditevent (ticket_id, actor, action, at) "
        "VALUES (:t, 'system', 'auto_archive', now()) RETURNING actor, operator_id",
        t=ticket,
    )
    assert (actor, as_system) == ("operator", operator_id(db_url, "olga"))
    [(system_line_by,)] = accepted(
        db_url,
        "olga",
        "INSERT INTO message (ticket_id, kind, channel, body, created_at) "
        "VALUES (:t, 'system', 'system', 'Block approved by sergey', now()) RETURNING author_id",
        t=ticket,
    )
    assert system_line_by == operator_id(db_url, "olga")
    assert (
        refusal(
            db_url,
            "olga",
            "INSERT INTO message (ticket_id, kind, channel, body, created_at) "
            "VALUES (:t, 'customer', 'email', 'I, the customer, approve', now())",
            t=ticket,
        )
        == "only the customer's side (wm_intake) records a customer's message; "
        "olga is not a member of it"
    )


def test_the_requester_cannot_approve_their_own_block_with_plain_sql(staffed: Desk, db_url):
    number = new_ticket(staffed)
    request = ops.request_block(staffed, number, "444455556666", "took the money", by="sergey")
    approve = (
        "UPDATE blockrequest SET state = 'approved', decided_by_id = :other, decided_at = now() "
        "WHERE id = :id"
    )
    assert (
        refusal(db_url, "sergey", approve, other=operator_id(db_url, "elena"), id=request)
        == f"four-eyes: sergey requested block {request} and cannot decide it; another "
        "supervisor or security officer must"
    )
    # A second officer may, and is named whatever the statement says.
    accepted(db_url, "irina", approve, other=operator_id(db_url, "sergey"), id=request)
    [(state, decider)] = accepted(
        db_url, OWNER, "SELECT state, decided_by_id FROM blockrequest WHERE id = :id", id=request
    )
    assert (state, decider) == ("approved", operator_id(db_url, "irina"))
    assert (
        refusal(
            db_url, "elena", "UPDATE blockrequest SET state = 'rejected' WHERE id = :id", id=request
        )
        == f"block request {request} was already approved; a decision is final"
    )


def test_block_approve_as_sergey_while_connected_as_olga_changes_nothing(staffed: Desk, db_url):
    number = new_ticket(staffed)
    request = ops.request_block(staffed, number, "444455556666", "took the money", by="ivan")
    [(audit_before,)] = accepted(db_url, OWNER, "SELECT count(*) FROM auditevent")
    result = CliRunner().invoke(
        main, ["--db", url_as(db_url, "olga"), "block", "approve", str(request), "--as", "sergey"]
    )
    assert result.exit_code == 1
    assert result.stderr == (
        "wmconsole: you are connected to the database as olga; sign in as sergey to act as sergey\n"
    )
    [(state,)] = accepted(
        db_url, OWNER, "SELECT state FROM blockrequest WHERE id = :id", id=request
    )
    assert state == BlockState.requested
    assert accepted(db_url, OWNER, "SELECT count(*) FROM auditevent") == [(audit_before,)]
    signed_in = CliRunner().invoke(
        main, ["--db", url_as(db_url, "sergey"), "block", "approve", str(request)]
    )
    assert signed_in.exit_code == 0, signed_in.output


def test_the_intake_cannot_assign_a_ticket_or_decide_a_block(staffed: Desk, db_url):
    number = new_ticket(staffed)
    request = ops.request_block(staffed, number, "444455556666", "took the money", by="ivan")
    olga = operator_id(db_url, "olga")
    assert (
        refusal(
            db_url, INTAKE, "UPDATE ticket SET assignee_id = :o WHERE number = :n", o=olga, n=number
        )
        == "permission denied for table ticket"
    )
    assert (
        refusal(
            db_url, INTAKE, "UPDATE blockrequest SET state = 'approved' WHERE id = :id", id=request
        )
        == "permission denied for table blockrequest"
    )
    assert refusal(db_url, INTAKE, "SELECT * FROM draft") == "permission denied for table draft"


def test_the_notice_sender_cannot_read_drafts(staffed: Desk, db_url):
    number = new_ticket(staffed)
    ops.save_draft(staffed, number, "half an answer", by="olga", ticket_version=1)
    assert refusal(db_url, NOTICES, "SELECT body FROM draft") == "permission denied for table draft"
    assert (
        refusal(
            db_url, NOTICES, "UPDATE ticket SET status = 'archived' WHERE number = :n", n=number
        )
        == "permission denied for table ticket"
    )
    # Operators see only their own drafts: another's are not there to read or change.
    assert accepted(db_url, "olga", "SELECT body FROM draft") == [("half an answer",)]
    assert accepted(db_url, "ivan", "SELECT body FROM draft") == []
    assert accepted(db_url, "ivan", "UPDATE draft SET body = 'mine now' RETURNING id") == []


def test_only_a_supervisor_gives_a_ticket_to_someone_else(staffed: Desk, db_url):
    number = new_ticket(staffed)
    give = "UPDATE ticket SET assignee_id = :to WHERE number = :n"
    assert (
        refusal(db_url, "olga", give, to=operator_id(db_url, "ivan"), n=number)
        == f"olga may take ticket {number} from the queue or give their own back; giving it "
        "to someone else takes a supervisor"
    )
    audited(db_url, "olga", give, to=operator_id(db_url, "olga"), n=number)
    audited(db_url, "sergey", give, to=operator_id(db_url, "ivan"), n=number)
    [(holder,)] = accepted(
        db_url, OWNER, "SELECT assignee_id FROM ticket WHERE number = :n", n=number
    )
    assert holder == operator_id(db_url, "ivan")


def test_clearing_a_fraud_escalation_takes_an_officer(staffed: Desk, db_url):
    number = new_ticket(staffed)
    escalation = ops.escalate(staffed, number, "fraud", "money taken", by="olga")
    assert (
        refusal(
            db_url,
            "olga",
            "UPDATE escalation SET cleared_at = now(), clear_reason = 'fine' WHERE id = :id",
            id=escalation,
        )
        == "olga is not a supervisor or security officer: clearing a fraud escalation takes one"
    )


def _role(postgres, login: str) -> tuple[bool, list[str], bool]:
    """(may log in, desk groups, has a SCRAM verifier), read as the superuser."""
    engine = sa.create_engine(postgres.url())
    with engine.connect() as connection:
        row = connection.execute(
            sa.text(
                "SELECT rolcanlogin, ARRAY(SELECT g.rolname::text FROM pg_auth_members m "
                "JOIN pg_roles g ON g.oid = m.roleid WHERE m.member = a.oid ORDER BY 1), "
                "coalesce(rolpassword LIKE 'SCRAM-SHA-256$%', false) "
                "FROM pg_authid a WHERE rolname = :l"
            ),
            {"l": login},
        ).one()
    engine.dispose()
    return tuple(row)


def test_the_operator_table_drives_the_login_roles(staffed: Desk, postgres, db_url):
    login = f"mila{uuid.uuid4().hex[:6]}"
    ops.add_operator(staffed, login, name="Mila", role_name="operator", password="correct horse")
    assert _role(postgres, login) == (True, ["wm_operator"], True)
    ops.set_operator_role(staffed, login, "supervisor")
    assert _role(postgres, login)[:2] == (True, ["wm_supervisor"])
    ops.set_operator_active(staffed, login, False)
    assert _role(postgres, login)[:2] == (False, [])
    with pytest.raises(sa.exc.OperationalError, match="is not permitted to log in"):
        _connected(db_url, login).connect()
    ops.set_operator_active(staffed, login, True)
    assert _role(postgres, login)[:2] == (True, ["wm_supervisor"])
    [person] = [p for p in ops.list_people(staffed) if p.login == login]
    assert (person.can_login, person.groups, person.mismatch) == (True, ("wm_supervisor",), None)


def test_an_operator_cannot_add_or_deactivate_people(staffed: Desk, db_url):
    runner = CliRunner()
    added = runner.invoke(
        main,
        [
            "--db",
            url_as(db_url, "olga"),
            "operator",
            "add",
            "mallory",
            "--name",
            "M",
            "--role",
            "security",
        ],
    )
    assert added.exit_code == 1
    assert added.stderr == (
        "wmconsole: adding, deactivating or changing the role of an operator takes a member "
        "of wm_admin; olga is not one\n"
    )
    gone = runner.invoke(main, ["--db", url_as(db_url, "olga"), "operator", "deactivate", "sergey"])
    assert gone.exit_code == 1
    assert [p.login for p in ops.list_people(staffed) if not p.active] == []


def test_check_privileges_prints_the_matrix_and_fails_on_drift(staffed: Desk, db_url):
    runner = CliRunner()
    clean = runner.invoke(main, ["--db", db_url, "db", "check-privileges"])
    assert clean.exit_code == 0, clean.output
    matrix = clean.stdout.split("\n\n")[0].splitlines()
    assert matrix[0].split() == ["table", *GROUPS, "public"]
    rows = {line.split()[0]: line.split()[1:] for line in matrix[1:]}
    assert rows["auditevent"] == ["SI", "SI", "SI", "SI", "SI", "S", "-"]
    assert rows["blockrequest"] == ["SI", "SIu", "SIu", "-", "-", "-", "-"]
    assert rows["draft"] == ["SIUD", "own", "SIUD", "own", "SIUD", "own", "-", "-", "-", "-"]
    accepted(db_url, OWNER, "GRANT UPDATE ON auditevent TO wm_operator")
    accepted(db_url, OWNER, "ALTER TABLE blockrequest DISABLE TRIGGER wm_guard_block")
    drifted = runner.invoke(main, ["--db", db_url, "db", "check-privileges"])
    assert drifted.exit_code == 1
    assert "drift: wm_operator on auditevent: holds SIU, should hold SI" in drifted.stderr
    assert "drift: trigger wm_guard_block on blockrequest is missing or disabled" in drifted.stderr
    accepted(db_url, OWNER, "ALTER TABLE blockrequest ENABLE TRIGGER wm_guard_block")
    assert runner.invoke(main, ["--db", db_url, "db", "upgrade"]).exit_code == 0
    assert runner.invoke(main, ["--db", db_url, "db", "check-privileges"]).exit_code == 0


def test_an_upgrade_carries_existing_operators_over_unable_to_sign_in(postgres):
    from alembic import command

    from console.database import SCHEMA_HEAD, Database, _migrations_config

    url = postgres.create_database(f"old_{uuid.uuid4().hex[:8]}", owner=OWNER)
    old = f"old{uuid.uuid4().hex[:6]}"
    database = Database(url)
    with database.write_connection() as connection:
        config = _migrations_config()
        config.attributes["connection"] = connection
        command.upgrade(config, "0003")
        connection.execute(
            sa.text(
                "INSERT INTO operator (login, name, role, active, created_at) "
                "VALUES (:l, 'Old Hand', 'security', true, now())"
            ),
            {"l": old},
        )
    database.dispose()
    upgraded = CliRunner().invoke(main, ["--db", url, "db", "upgrade"])
    assert upgraded.exit_code == 0, upgraded.output
    assert upgraded.stdout == (
        f"schema at {SCHEMA_HEAD}\n"
        f"1 operators cannot sign in yet (their roles are NOLOGIN): {old}. An admin enables "
        "each with `wmconsole operator activate LOGIN --password-prompt`.\n"
    )
    assert _role(postgres, old)[:2] == (False, ["wm_security"])
    listed = CliRunner().invoke(main, ["--db", url, "operator", "list"])
    assert f"! cannot sign in yet (NOLOGIN): wmconsole operator activate {old}" in listed.stdout


def test_a_database_refusal_reaches_a_person_as_a_sentence(staffed: Desk, db_url):
    """The friendly checks and the database disagree (someone moved sergey's
    role by hand): the database's refusal is what sergey reads, not a traceback."""
    number = new_ticket(staffed)
    request = ops.request_block(staffed, number, "444455556666", "took the money", by="ivan")
    accepted(db_url, OWNER, "REVOKE wm_supervisor FROM sergey")
    accepted(db_url, OWNER, "GRANT wm_operator TO sergey")
    result = CliRunner().invoke(
        main, ["--db", cli_db(db_url, ["--as", "sergey"]), "block", "approve", str(request)]
    )
    assert result.exit_code == 4
    assert result.stderr.startswith(
        "wmconsole: the database refused: permission denied for table blockrequest."
    )
    assert "Traceback" not in result.output


def test_a_deactivated_persons_open_session_loses_its_rights(staffed: Desk, db_url):
    engine = sa.create_engine(url_as(db_url, "ivan"))
    with engine.connect() as session:
        assert session.exec_driver_sql("SELECT count(*) FROM ticket").scalar() == 0
        session.rollback()
        ops.set_operator_active(staffed, "ivan", False)
        with pytest.raises(sa.exc.ProgrammingError) as refused:
            session.exec_driver_sql("SELECT count(*) FROM ticket")
    engine.dispose()
    assert refused.value.orig.diag.message_primary == "permission denied for table ticket"


def test_a_role_that_administers_the_database_is_never_made_an_operator(staffed: Desk):
    with pytest.raises(Forbidden) as refused:
        ops.add_operator(staffed, OWNER, name="The Owner", role_name="security")
    assert str(refused.value) == (
        f"the database refused: the PostgreSQL role {OWNER} administers the database; an "
        "operator signs in with a role of their own"
    )


def test_only_the_owner_upgrades_the_schema(staffed: Desk, db_url):
    result = CliRunner().invoke(main, ["--db", url_as(db_url, "olga"), "db", "upgrade"])
    assert result.exit_code == 6
    assert result.stderr == (
        "wmconsole: the schema is the owner's to upgrade and olga does not own it: the schema "
        "owner runs `wmconsole db upgrade`\n"
    )


def test_a_password_is_asked_only_of_an_admin_and_reaches_the_server_hashed(
    staffed: Desk, postgres, db_url
):
    login = f"nina{uuid.uuid4().hex[:6]}"
    add = ["operator", "add", login, "--name", "Nina", "--role", "operator", "--password-prompt"]
    refused = CliRunner().invoke(main, ["--db", url_as(db_url, "olga"), *add], input="pw\npw\n")
    assert refused.exit_code == 1
    assert "password for" not in refused.output
    added = CliRunner().invoke(main, ["--db", url_as(db_url, ADMIN), *add], input="pw\npw\n")
    assert added.exit_code == 0, added.output
    assert _role(postgres, login) == (True, ["wm_operator"], True)


def test_a_notice_goes_to_the_tickets_customer_whoever_it_names(staffed: Desk, db_url):
    number = new_ticket(staffed, email="customer@example.com")
    ops.take(staffed, number, by="olga")
    [(ticket,)] = accepted(db_url, OWNER, "SELECT id FROM ticket WHERE number = :n", n=number)
    [(notice, recipient)] = accepted(
        db_url,
        "olga",
        "INSERT INTO notice (ticket_id, channel, recipient, kind, state, attempts, "
        "next_attempt_at, created_at) VALUES (:t, 'email', 'friend@elsewhere.example', "
        "'answer', 'pending', 0, now(), now()) RETURNING id, recipient",
        t=ticket,
    )
    assert recipient == "customer@example.com"
    assert (
        refusal(db_url, "olga", "UPDATE notice SET state = 'pending' WHERE id = :id", id=notice)
        == f"notice {notice} is pending: a person only puts a failed notice back in the outbox"
    )


def test_no_ticket_changes_without_its_audit_event(staffed: Desk, db_url):
    number = new_ticket(staffed)
    ops.take(staffed, number, by="olga")
    archive = "UPDATE ticket SET status = 'archived' WHERE number = :n"
    with pytest.raises(sa.exc.DBAPIError) as refused, _connected(db_url, "olga").begin() as c:
        c.execute(sa.text(archive), {"n": number})
    assert refused.value.orig.diag.message_primary == (
        f"ticket {number} changed without its audit event: every change to a ticket is "
        "audited in the same transaction"
    )
    [(status,)] = accepted(db_url, OWNER, "SELECT status FROM ticket WHERE number = :n", n=number)
    assert status == "open"
