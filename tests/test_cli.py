"""The scripting command line: its commands, flags and JSON fields are a contract."""

import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from console.cli.main import main
from console.database import open_database
from tests.support.roster import cli_db


@pytest.fixture
def run(db_url):
    runner = CliRunner()

    def invoke(*args: str, input: str | None = None, ok: bool = True):
        result = runner.invoke(main, ["--db", cli_db(db_url, args), *args], input=input)
        if ok:
            assert result.exit_code == 0, (result.output, result.stderr)
        return result

    invoke("operator", "add", "olga", "--name", "Olga Smirnova", "--role", "operator")
    invoke("operator", "add", "sergey", "--name", "Sergey", "--role", "supervisor")
    invoke("operator", "add", "irina", "--name", "Irina", "--role", "security")
    return invoke


def open_ticket(run, *, text: str | None = "x", stdin: str | None = None, **fields) -> str:
    """`wmconsole ticket new` with signed-in defaults (a field set to None is left
    out; text=None reads the message from stdin); returns the number printed."""
    defaults = {
        "service": "keeper",
        "subject": "s",
        "email": "a@example.com",
        "wmid": "123456789012",
    }
    options = [
        part
        for name, value in {**defaults, **fields}.items()
        if value is not None
        for part in (f"--{name}", value)
    ]
    source = ["--file", "-"] if text is None else ["--text", text]
    return run("ticket", "new", *options, *source, input=stdin).stdout.strip()


def test_a_ticket_from_the_form_through_take_reply_and_json(run):
    number = open_ticket(
        run,
        service="transfers",
        subject="Платёж не дошёл",
        email="ivan@mail.ru",
        text="Отправил 100 WMZ",
    )
    assert number.isdigit()
    assert run("take", "--next", "--as", "olga").stdout.strip() == number
    run("reply", number, "--as", "olga", "--text", "Платёж зачислен получателю.")
    run("reply", number, "--as", "olga", "--text", "Checked by phone", "--note")
    ticket = json.loads(run("ticket", number, "--json").stdout)
    assert ticket["number"] == int(number)
    assert ticket["status"] == "answered"
    assert ticket["assignee"] == "olga"
    assert ticket["wmid"] == "123456789012"
    assert ticket["email"] == "ivan@mail.ru"
    assert ticket["escalations"] == []
    assert [m["kind"] for m in ticket["messages"]] == ["customer", "operator", "note"]
    assert ticket["messages"][1] == {
        **ticket["messages"][1],
        "author": "olga",
        "body": "Платёж зачислен получателю.",
    }
    assert [a["action"] for a in ticket["audit"]] == ["create", "take", "reply", "note"]
    assert ticket["audit"][0]["operator"] == "customer"
    assert {"action", "operator", "at"} <= set(ticket["audit"][1])
    assert ticket["created_at"].endswith("+00:00")
    text = run("ticket", number).stdout
    assert "Платёж не дошёл" in text and "NOTE olga" in text


def test_tickets_lists_the_opening_view_in_queue_order_with_the_json_contract(run):
    plain = open_ticket(run, subject="Login", wmid="111111111111")
    fraud = open_ticket(
        run,
        service="security",
        subject="Stolen",
        email="b@example.com",
        wmid="222222222222",
        text="y",
    )
    run("escalate", fraud, "fraud", "--reason", "money taken", "--as", "olga")
    unconfirmed = open_ticket(
        run, service="other", subject="?", email="c@example.com", wmid=None, text="z"
    )
    rows = json.loads(run("tickets", "--json", "--as", "olga").stdout)
    assert [r["number"] for r in rows] == [int(fraud), int(plain)]
    assert rows[0]["escalations"] == ["fraud"]
    for field in (
        "number",
        "service",
        "status",
        "escalations",
        "wmid",
        "email",
        "subject",
        "assignee",
        "created_at",
        "due_at",
    ):
        assert field in rows[0]
    assert rows[0]["assignee"] is None
    everything = json.loads(
        run("tickets", "--json", "--status", "unconfirmed,new", "--assignee", "anyone").stdout
    )
    assert {r["number"] for r in everything} == {int(plain), int(fraud), int(unconfirmed)}
    keeper = json.loads(run("tickets", "--json", "--service", "keeper", "--as", "olga").stdout)
    assert [r["number"] for r in keeper] == [int(plain)]
    found = json.loads(run("tickets", "--json", "--search", "stolen", "--as", "olga").stdout)
    assert [r["number"] for r in found] == [int(fraud)]
    limited = json.loads(run("tickets", "--json", "--limit", "1", "--as", "olga").stdout)
    assert len(limited) == 1
    table = run("tickets", "--as", "olga").stdout
    assert table.splitlines()[0].split()[:3] == ["NUMBER", "AGE", "SLA"]
    assert "FRAUD" in table


def test_status_assign_and_the_four_eyes_block_from_the_command_line(run):
    number = open_ticket(
        run,
        service="security",
        subject="Fraud",
        email="v@example.com",
        wmid="333333333333",
        text="help",
    )
    run("take", number, "--as", "olga")
    run("status", number, "on_hold", "--as", "olga")
    refused = run("assign", number, "olga", "--as", "olga", ok=False)
    assert refused.exit_code == 4
    assert "takes a supervisor" in refused.stderr
    run("assign", number, "--queue", "--as", "sergey")
    request_id = run(
        "block",
        "request",
        number,
        "--wmid",
        "444455556666",
        "--reason",
        "fraudster",
        "--as",
        "olga",
    ).stdout.strip()
    pending = json.loads(run("block", "list", "--json").stdout)
    assert [(p["id"], p["wmid"], p["requested_by"]) for p in pending] == [
        (int(request_id), "444455556666", "olga")
    ]
    own = run("block", "approve", request_id, "--as", "olga", ok=False)
    assert own.exit_code == 4
    run("block", "approve", request_id, "--as", "irina")
    assert json.loads(run("block", "list", "--json").stdout) == []
    ticket = json.loads(run("ticket", number, "--json").stdout)
    assert ticket["blocks"][0]["decided_by"] == "irina"
    assert ticket["status"] == "on_hold"
    assert ticket["assignee"] is None


def test_errors_go_to_stderr_with_distinct_exit_codes(run):
    bad_wmid = run(
        "ticket",
        "new",
        "--service",
        "keeper",
        "--subject",
        "s",
        "--email",
        "a@example.com",
        "--wmid",
        "12ab",
        "--text",
        "x",
        ok=False,
    )
    assert bad_wmid.exit_code == 1
    assert "a WMID is 12 digits 0-9, like 123456789012; got '12ab'" in bad_wmid.stderr
    assert bad_wmid.stdout == ""
    assert run("ticket", "999999", ok=False).exit_code == 3
    assert run("take", "--next", "--as", "nobody", ok=False).exit_code == 3
    usage = run("take", "--as", "olga", ok=False)
    assert usage.exit_code == 2
    number = open_ticket(run)
    run("take", number, "--as", "olga")
    stale = run("status", number, "on_hold", "--version", "1", "--as", "olga", ok=False)
    assert stale.exit_code == 5
    assert "olga took it" in stale.stderr


def test_filters_repeat_or_take_commas_the_assignee_too(run):
    run("operator", "add", "ivan", "--name", "Ivan", "--role", "operator")
    olgas, ivans, nobodys = (open_ticket(run, subject=f"s{i}") for i in range(3))
    run("take", olgas, "--as", "olga")
    run("take", ivans, "--as", "ivan")

    def numbers(*assignee: str) -> set[str]:
        listed = run("tickets", "--as", "olga", *assignee, "--json").stdout
        return {str(row["number"]) for row in json.loads(listed)}

    assert numbers("--assignee", "olga,ivan") == {olgas, ivans}
    assert numbers("--assignee", "ivan", "--assignee", "none") == {ivans, nobodys}
    assert numbers("--assignee", "mine,ivan") == {olgas, ivans}
    assert numbers("--assignee", "anyone,olga") == {olgas, ivans, nobodys}
    assert numbers() == {olgas, nobodys}
    unknown = run("tickets", "--as", "olga", "--assignee", "olga,nobody", ok=False)
    assert (unknown.exit_code, unknown.stderr) == (
        3,
        "wmconsole: no operator 'nobody' to filter by\n",
    )


def test_reply_text_can_come_from_a_file_or_stdin(run, tmp_path):
    number = open_ticket(run, text=None, stdin="Из stdin\n")
    answer = tmp_path / "answer.txt"
    answer.write_text("Ответ из файла", encoding="utf-8")
    run("reply", number, "--as", "olga", "--file", str(answer))
    ticket = json.loads(run("ticket", number, "--json").stdout)
    assert [m["body"] for m in ticket["messages"]] == ["Из stdin\n", "Ответ из файла"]


def test_customer_text_cannot_reach_the_terminal_raw(run):
    hostile = "Pay \x1b]52;c;ZXZpbA==\x07 now \u202egpj.exe [bold]x[/bold]"
    number = open_ticket(run, service="other", subject=hostile, text=hostile)
    for output in (
        run("tickets", "--as", "olga").stdout,
        run("ticket", number).stdout,
        run("ticket", number, "--json").stdout,
    ):
        assert "\x1b" not in output and "\u202e" not in output and "\x07" not in output
    text = run("ticket", number).stdout
    assert "⟨U+001B⟩]52;c;ZXZpbA==⟨U+0007⟩" in text
    assert "⟨U+202E⟩gpj.exe [bold]x[/bold]" in text
    raw = json.loads(run("ticket", number, "--json").stdout)
    # A subject is stored as the intake stores one: its controls as placeholders.
    assert raw["subject"] == "Pay ⟨U+001B⟩]52;c;ZXZpbA==⟨U+0007⟩ now ⟨U+202E⟩gpj.exe [bold]x[/bold]"
    assert raw["messages"][0]["body"] == hostile


def test_operator_list_and_deactivation(run):
    listing = json.loads(run("operator", "list", "--json").stdout)
    assert [(o["login"], o["role"]) for o in listing] == [
        ("irina", "security"),
        ("olga", "operator"),
        ("sergey", "supervisor"),
    ]
    run("operator", "deactivate", "olga")
    assert "(deactivated)" in run("operator", "list").stdout
    duplicate = run("operator", "add", "olga", "--name", "Again", "--role", "operator", ok=False)
    assert "already exists" in duplicate.stderr


def test_the_console_refuses_an_unknown_login_before_opening(run, db_url):
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "console.cli",
            "--db",
            cli_db(db_url, ["--as", "stranger"]),
            "--as",
            "stranger",
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 3
    assert "no operator 'stranger'" in result.stderr
    assert "wmconsole operator add stranger" in result.stderr


def test_db_upgrade_reports_the_schema(run):
    assert run("db", "upgrade").stdout.startswith("schema at ")


def test_a_failed_upgrade_is_one_clear_line_and_keeps_the_old_schema(run, db_url):
    database = open_database(db_url, migrate=False)
    with database.write_connection() as connection:
        # As if the last step had been half done by hand: its index is already there.
        connection.exec_driver_sql("UPDATE alembic_version SET version_num = '0002'")
    result = run("db", "upgrade", ok=False)
    assert result.exit_code == 6
    assert result.stderr.startswith("wmconsole: the schema upgrade stopped, nothing of it kept")
    assert "ix_auditevent_activity" in result.stderr
    assert "Traceback" not in result.output
    assert database.schema_revision() == "0002"
    database.dispose()


def test_an_unreachable_database_is_one_clear_line():
    result = CliRunner().invoke(
        main, ["--db", "postgresql://nobody@127.0.0.1:9/none", "tickets", "--as", "x"]
    )
    assert result.exit_code == 6
    said, details = result.stderr.split(" (details in ")
    assert said == (
        "wmconsole: the database cannot be reached: check that its server is running "
        "and that this host can reach it, then try again"
    )
    assert "Traceback" not in result.output and "psycopg" not in result.stderr
    # The driver's own words and the stack are in the log the line names.
    log = Path(details.rstrip(")\n")).read_text(encoding="utf-8")
    assert "Connection refused" in log and "Traceback" in log


def test_templates_from_a_script(run):
    template_id = run(
        "template",
        "save",
        "--as",
        "sergey",
        "--title",
        "Платёж найден",
        "--language",
        "ru",
        "--service",
        "transfers",
        "--text",
        "Здравствуйте, {name}!",
    ).stdout.strip()
    assert template_id.isdigit()
    run(
        "template",
        "save",
        "--as",
        "sergey",
        "--id",
        template_id,
        "--title",
        "Платёж найден",
        "--language",
        "ru",
        "--service",
        "transfers",
        "--file",
        "-",
        input="Здравствуйте, {name}! Заявка {ticket}.",
    )
    [listed] = json.loads(run("template", "list", "--service", "transfers", "--json").stdout)
    assert listed["body"] == "Здравствуйте, {name}! Заявка {ticket}."
    assert (listed["service"], listed["language"], listed["active"]) == ("transfers", "ru", True)
    forbidden = run("template", "withdraw", template_id, "--as", "olga", ok=False)
    assert forbidden.exit_code == 4
    assert "takes a supervisor" in forbidden.stderr
    run("template", "withdraw", template_id, "--as", "sergey")
    assert json.loads(run("template", "list", "--json").stdout) == []
    assert "(withdrawn)" in run("template", "list", "--all").stdout
    run("template", "restore", template_id, "--as", "sergey")
    assert "Платёж найден" in run("template", "list", "--language", "ru").stdout
    bad = run(
        "template",
        "save",
        "--as",
        "sergey",
        "--title",
        "T",
        "--language",
        "en",
        "--text",
        "{amount}",
        ok=False,
    )
    assert bad.exit_code == 1
    assert "unknown placeholder {amount}" in bad.stderr


def test_scam_markers_from_a_script(run):
    bad = run("marker", "add", "(telegram", "--regex", "--as", "irina", ok=False)
    assert bad.exit_code == 1
    assert "not a valid regular expression" in bad.stderr
    marker_id = run(
        "marker",
        "add",
        r"t\.me/\w+",
        "--regex",
        "--description",
        "deals in a messenger",
        "--as",
        "irina",
    ).stdout.strip()
    run("marker", "add", "webmoneyy", "--as", "sergey")
    listing = json.loads(run("marker", "list", "--json").stdout)
    assert [(m["pattern"], m["is_regex"]) for m in listing] == [
        (r"t\.me/\w+", True),
        ("webmoneyy", False),
    ]
    assert run("marker", "disable", marker_id, "--as", "olga", ok=False).exit_code == 4
    run("marker", "disable", marker_id, "--as", "sergey")
    assert [m["pattern"] for m in json.loads(run("marker", "list", "--json").stdout)] == [
        "webmoneyy"
    ]
    assert "(disabled)" in run("marker", "list", "--all").stdout
    again = run("marker", "disable", marker_id, "--as", "sergey", ok=False)
    assert "already disabled" in again.stderr
    run("marker", "enable", marker_id, "--as", "irina")
    assert len(json.loads(run("marker", "list", "--json").stdout)) == 2


def test_macros_from_a_script(run):
    macro_id = run(
        "macro",
        "save",
        "--as",
        "sergey",
        "--title",
        "Hacked",
        "--language",
        "en",
        "--text",
        "Ticket {ticket} is with security.",
        "--status",
        "on_hold",
        "--escalate",
        "hacking",
        "--note",
        "passed to security",
    ).stdout.strip()
    assert macro_id.isdigit()
    [listed] = json.loads(run("macro", "list", "--language", "en", "--json").stdout)
    assert (listed["status"], listed["escalate"], listed["note"], listed["service"]) == (
        "on_hold",
        "hacking",
        "passed to security",
        None,
    )
    assert "→ on hold, +hacking, note" in run("macro", "list").stdout
    forbidden = run("macro", "withdraw", macro_id, "--as", "olga", ok=False)
    assert (forbidden.exit_code, "takes a supervisor" in forbidden.stderr) == (4, True)
    run("macro", "withdraw", macro_id, "--as", "sergey")
    assert json.loads(run("macro", "list", "--json").stdout) == []
    run("macro", "restore", macro_id, "--as", "sergey")
    bad = run(
        "macro",
        *("save", "--as", "sergey", "--title", "T", "--language", "en", "--text", "x"),
        *("--assign", "nobody"),
        ok=False,
    )
    assert (bad.exit_code, "no operator 'nobody'" in bad.stderr) == (3, True)


def test_a_reply_over_someone_elses_hold_takes_the_override(run):
    number = open_ticket(run)
    run("take", number, "--as", "olga")
    refused = run("reply", number, "--as", "irina", "--text", "Checked.", ok=False)
    assert refused.exit_code == 1
    assert "held by olga" in refused.stderr and "--override-hold" in refused.stderr
    run("reply", number, "--as", "irina", "--text", "Checked.", "--override-hold")
    shown = json.loads(run("ticket", number, "--json").stdout)
    assert (shown["status"], shown["assignee"]) == ("answered", "olga")
    assert "over olga's hold" in shown["audit"][-1]["details"]
