"""Layers point one way (screens -> console -> models) and the core starts headless."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


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
    result = subprocess.run(
        [sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "0"
