"""Layers point one way (screens -> console -> models) and the core starts headless."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _printed_by(probe: str, *args: str) -> str:
    """What a fresh interpreter running `probe` printed (it must succeed)."""
    result = subprocess.run(
        [sys.executable, "-c", probe, *args], cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_import_contracts_hold():
    linter = Path(sys.executable).with_name("lint-imports")
    result = subprocess.run([str(linter)], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_command_line_core_never_imports_textual(sqlite_url):
    probe = (
        "import sys\n"
        "from click.testing import CliRunner\n"
        "from console.cli.main import main\n"
        f"result = CliRunner().invoke(main, ['--db', {sqlite_url!r}, 'tickets', '--as', 'x'])\n"
        "assert 'textual' not in sys.modules, 'textual imported'\n"
        "assert 'screens' not in sys.modules, 'screens imported'\n"
        "print(result.exit_code)\n"
    )
    assert _printed_by(probe) == "0"


def test_every_help_text_is_built_without_the_database_or_the_screens():
    """Scripts call `wmconsole` in loops, so building the commands and their help
    loads no ORM, driver, model or Textual: those wait inside the command bodies."""
    heavy = ["sqlalchemy", "sqlmodel", "psycopg", "alembic", "models", "textual", "screens"]
    probe = (
        "import sys\n"
        "from click.testing import CliRunner\n"
        "from console.cli import main\n"
        "import click\n"
        "def paths(command, path):\n"
        "    yield path\n"
        "    if isinstance(command, click.Group):\n"
        "        context = click.Context(command)\n"
        "        for name in command.list_commands(context):\n"
        "            yield from paths(command.get_command(context, name), [*path, name])\n"
        "for path in paths(main, []):\n"
        "    result = CliRunner().invoke(main, [*path, '--help'])\n"
        "    assert result.exit_code == 0 and 'Usage:' in result.output, (path, result.output)\n"
        "loaded = {name.split('.')[0] for name in sys.modules}\n"
        "print(' '.join(sorted(loaded & set(sys.argv[1:]))))\n"
    )
    loaded = _printed_by(probe, *heavy)
    assert loaded == "", f"imported by --help: {loaded}"


def test_the_command_list_imports_no_command():
    """`wmconsole --help` lists the commands without importing them; a command
    imports its own module and no other command's."""
    probe = (
        "import sys\n"
        "from click.testing import CliRunner\n"
        "from console.cli.main import COMMANDS, main\n"
        "modules = {module for module, _, _ in COMMANDS.values()}\n"
        "for args in (['--help'], ['ticket', '--help']):\n"
        "    result = CliRunner().invoke(main, args)\n"
        "    assert result.exit_code == 0, result.output\n"
        "    print('loaded:', *sorted(modules & set(sys.modules)))\n"
    )
    assert _printed_by(probe).splitlines() == ["loaded:", "loaded: console.cli.ticket"]


def test_the_vocabulary_and_the_rules_import_without_the_orm():
    """models loads its tables on first use (PEP 562): the enums, the queue's
    rules and the shapes the quick path builds start without SQLAlchemy."""
    probe = (
        "import sys\n"
        "from models import ACTIVE_STATUSES, EscalationKind, Status\n"
        "import console.reads.queue_row, console.reads.ticket_detail, console.reads.quick\n"
        "import console.settings, console.identity\n"
        "print(' '.join(sorted({'sqlalchemy', 'sqlmodel', 'models.tables'} & set(sys.modules))))\n"
        "from models import Ticket\n"
        "assert Ticket.__tablename__ == 'ticket' and 'sqlalchemy' in sys.modules\n"
    )
    loaded = _printed_by(probe)
    assert loaded == "", f"imported without need: {loaded}"


def test_the_console_screens_import_without_the_orm():
    """The App, the queue and the dashboard import the database's side where
    they use it, so a console can paint before SQLAlchemy and the tables load."""
    probe = (
        "import sys\n"
        "import screens.app\n"
        "print(' '.join(sorted({'sqlalchemy', 'sqlmodel', 'models.tables'} & set(sys.modules))))\n"
    )
    loaded = _printed_by(probe)
    assert loaded == "", f"imported by screens.app: {loaded}"


def test_the_console_paints_its_first_queue_before_the_orm_loads(ui_demo):
    """`wmconsole` paints the first queue from the quick path's reads; the
    database's side loads behind it (the desk opens after the first paint)."""
    url = ui_demo.db.url.render_as_string(hide_password=False)
    probe = (
        "import asyncio, sys\n"
        "from datetime import UTC, datetime\n"
        "from console.reads.quick import console_opening\n"
        "from console.settings import Settings\n"
        "from screens.starting import quick_console\n"
        f"opening = console_opening({url!r}, 'olga', now=datetime.now(UTC))\n"
        f"app = quick_console({url!r}, Settings(), opening, live=False, heartbeat=False)\n"
        "seen = []\n"
        "shown = app.first_screen_shown\n"
        "def first_paint():\n"
        "    orm = {'sqlalchemy', 'sqlmodel', 'models.tables'} & set(sys.modules)\n"
        "    seen.append((app.screen.queue_view.row_count, sorted(orm)))\n"
        "    shown()\n"
        "app.first_screen_shown = first_paint\n"
        "async def run():\n"
        "    async with app.run_test(size=(120, 40)) as pilot:\n"
        "        await pilot.pause(0.5)\n"
        "asyncio.run(run())\n"
        "rows, orm = seen[0]\n"
        "print(rows > 0, ' '.join(orm))\n"
    )
    assert _printed_by(probe) == "True"
