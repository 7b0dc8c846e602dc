"""The command line's quick path (console.reads.quick): the same rows as the ORM
path, from SQL that is the ORM path's own statements compiled, without loading
SQLAlchemy, SQLModel or the tables."""

import subprocess
import sys
from pathlib import Path

from console import operations
from console.desk import open_desk
from console.reads.precompile import TARGET, module_text
from console.reads.queue import Queue, QueueFilter, viewer_id_for
from console.reads.quick import opening_queue
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


def test_the_quick_path_leaves_what_it_does_not_cover_to_the_full_path(staffed, db_url):
    _some_tickets(staffed)
    url = cli_db(db_url, ["--as", "olga"])
    assert opening_queue(url, "nobody-here", 5) is None
    assert opening_queue(url, "olga", 501) is None
    assert opening_queue(None, "olga", 5) is None


def test_tickets_json_loads_no_orm(sqlite_url):
    desk = open_desk(sqlite_url)
    for login in ("olga", "ivan"):
        operations.add_operator(desk, login, name=login.title(), role_name="operator")
    _some_tickets(desk)
    desk.close()
    probe = (
        "import sys\n"
        "from click.testing import CliRunner\n"
        "from console.cli.main import main\n"
        f"args = ['tickets', '--db', {sqlite_url!r}, '--as', 'olga', '--json']\n"
        "result = CliRunner().invoke(main, args)\n"
        "assert result.exit_code == 0, result.output\n"
        "assert result.output.count('\"number\"') == 6, result.output\n"
        "heavy = {'sqlalchemy', 'sqlmodel', 'alembic', 'textual', 'models.tables'}\n"
        "print(' '.join(sorted(heavy & set(sys.modules))))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "", f"imported by tickets --json: {result.stdout}"
