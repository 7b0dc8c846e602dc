"""The command line's quick path (console.reads.quick): the same rows as the ORM
path, from SQL that is the ORM path's own statements compiled, without loading
SQLAlchemy, SQLModel or the tables."""

import subprocess
import sys
from pathlib import Path

from sqlalchemy.engine import make_url

from console import operations
from console.desk import Desk, open_desk
from console.reads import quick
from console.reads.facet_counts import facets_from_cells
from console.reads.precompile import TARGET, module_text
from console.reads.queue import Queue, QueueFilter, viewer_id_for
from console.reads.queue_filter import SECURITY_VIEW, Assignee
from console.reads.quick import OPENING_ROWS, console_opening, opening_queue
from console.reads.ticket import load_ticket
from console.settings import Settings
from models import Role
from screens.queue.pager import PAGE_SIZE
from tests.support.roster import cli_db

ROOT = Path(__file__).resolve().parent.parent


def test_the_precompiled_sql_is_what_the_statements_compile_to():
    """Regenerating console/reads/precompiled.py gives the file as committed:
    run `python -m console.reads.precompile` after changing a statement or the schema."""
    assert TARGET.read_text(encoding="utf-8") == module_text()


def _some_tickets(desk, count: int = 7) -> list[int]:
    numbers = [
        operations.create_ticket(
            desk,
            service="transfers",
            subject=f"Payment {n} not received",
            body="The payee got nothing.",
            email=f"customer{n}@example.com",
            wmid=f"12345678901{n}",
        ).number
        for n in range(count)
    ]
    operations.take(desk, numbers[3], by="olga")
    operations.take(desk, numbers[4], by="ivan")
    return numbers


def test_the_quick_opening_queue_is_the_queues_first_page(staffed, db_url):
    _some_tickets(staffed)
    queue = Queue(staffed.db, viewer_id_for(staffed.db, "olga"))
    expected = queue.page(QueueFilter(), staffed.now(), limit=5)

    quick = opening_queue(cli_db(db_url, ["--as", "olga"]), "olga", 5)

    assert quick == expected
    assert [row.assignee for row in quick].count("ivan") == 0


def test_the_quick_ticket_is_the_ticket_load_ticket_reads(staffed, db_url):
    """Every part: the thread, escalations raised and cleared, a block request,
    the customer's other tickets and the audit trail with its JSON."""
    numbers = _some_tickets(staffed)
    number = numbers[3]
    operations.note(staffed, number, "Checked the payment: it went through.", by="olga")
    operations.escalate(staffed, number, "fraud", "Looks like a stolen card", by="olga")
    operations.clear_escalation(staffed, number, "fraud", "The card is the customer's", by="sergey")
    operations.request_block(staffed, number, "123456789013", "Hacked", by="olga")
    operations.create_ticket(
        staffed,
        service="cards",
        subject="And my card too",
        body="Blocked.",
        email="customer3@example.com",
    )
    url = cli_db(db_url, [])

    detail = quick.ticket(url, number)

    assert detail == load_ticket(staffed.db, number)
    assert detail.blocks and detail.escalations and len(detail.audit) >= 4
    assert [other.subject for other in detail.other_tickets] == ["And my card too"]
    assert quick.ticket(url, 999_999_999) is None


def test_the_consoles_opening_is_what_the_orm_path_reads(staffed, db_url):
    """The full-screen console paints from these before SQLAlchemy loads: the
    operator, their saved filter and columns, the opening view's first page, and
    the tally's cells, whose counts are the ones the queue's own facets give."""
    numbers = _some_tickets(staffed)
    operations.escalate(staffed, numbers[5], "fraud", "stolen card", by="olga")
    staffed.clock.advance(hours=30)
    operations.save_preference(staffed, "queue_columns", {"hidden": ["age"]}, by="olga")
    queue = Queue(staffed.db, viewer_id_for(staffed.db, "olga"))
    now = staffed.now()

    opening = console_opening(cli_db(db_url, ["--as", "olga"]), "olga", now=now)

    assert opening is not None
    card = opening.operator
    assert (card.login, card.name, card.role, card.active) == ("olga", "Olga", Role.operator, True)
    assert card.id == viewer_id_for(staffed.db, "olga")
    assert opening.saved_filter is None
    assert opening.saved_columns == {"hidden": ["age"]}
    assert opening.first_page == queue.page(QueueFilter(), now, limit=OPENING_ROWS)
    for f in (QueueFilter(), QueueFilter(assignee=Assignee.anyone)):
        counted = facets_from_cells(opening.cells, f, card.id, None)
        assert counted == queue.facets(f, now)
        assert counted.breached > 0


def test_a_security_officers_opening_is_their_own_view(staffed, db_url):
    numbers = _some_tickets(staffed)
    operations.escalate(staffed, numbers[2], "hacking", "someone else signed in", by="olga")
    queue = Queue(staffed.db, viewer_id_for(staffed.db, "irina"))
    now = staffed.now()

    opening = console_opening(cli_db(db_url, ["--as", "irina"]), "irina", now=now)

    assert opening is not None and opening.view == SECURITY_VIEW
    assert opening.first_page == queue.page(SECURITY_VIEW, now, limit=OPENING_ROWS)
    assert [row.number for row in opening.first_page] == [numbers[2]]


def test_the_quick_path_leaves_what_it_does_not_cover_to_the_full_path(staffed, db_url):
    _some_tickets(staffed)
    url = cli_db(db_url, ["--as", "olga"])
    assert opening_queue(url, "nobody-here", 5) is None
    assert opening_queue(url, "olga", 501) is None
    assert opening_queue(None, "olga", 5) is None
    now = staffed.now()
    assert console_opening(url, "nobody-here", now=now) is None
    operations.set_operator_active(staffed, "ivan", False)
    assert console_opening(cli_db(db_url, ["--as", "ivan"]), "ivan", now=now) is None


def test_tickets_and_ticket_json_load_no_orm(sqlite_url):
    desk = open_desk(sqlite_url)
    for login in ("olga", "ivan"):
        operations.add_operator(desk, login, name=login.title(), role_name="operator")
    numbers = _some_tickets(desk)
    desk.close()
    probe = (
        "import sys\n"
        "from click.testing import CliRunner\n"
        "from console.cli.main import main\n"
        f"args = ['tickets', '--db', {sqlite_url!r}, '--as', 'olga', '--json']\n"
        "result = CliRunner().invoke(main, args)\n"
        "assert result.exit_code == 0, result.output\n"
        "assert result.output.count('\"number\"') == 6, result.output\n"
        f"args = ['ticket', '{numbers[0]}', '--db', {sqlite_url!r}, '--json']\n"
        "result = CliRunner().invoke(main, args)\n"
        "assert result.exit_code == 0 and 'Payment 0' in result.output, result.output\n"
        "heavy = {'sqlalchemy', 'sqlmodel', 'alembic', 'psycopg', 'textual', 'models.tables'}\n"
        "print(' '.join(sorted(heavy & set(sys.modules))))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "", f"imported by tickets --json: {result.stdout}"


def test_the_consoles_opening_reads_one_page_of_the_queue():
    """console_opening's rows fill the pager's first page exactly."""
    assert OPENING_ROWS == PAGE_SIZE


def test_a_deferred_desk_names_its_database_as_the_opened_one_does(sqlite_url):
    """The console names the database (in the empty queue's hint) before it has
    opened it: as SQLAlchemy would, the password hidden."""
    deferred = Desk.deferred(sqlite_url, Settings())
    opened = open_desk(sqlite_url)
    assert deferred.where == opened.where and not deferred.is_open
    opened.close()
    for url in (
        "postgresql://olga:s3cret@127.0.0.1:5432/wmconsole",
        "postgresql://olga@db.example.com/wmconsole",
        "postgresql://127.0.0.1/wmconsole",
    ):
        shown = make_url(url).render_as_string(hide_password=True)
        assert Desk.deferred(url, Settings()).where == shown
