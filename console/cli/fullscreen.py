"""The full-screen console: `wmconsole` with no command, and `wmconsole dashboard`."""

from __future__ import annotations

from console.cli.options import CliContext, desk_command, log_failures
from console.errors import NotFound


def open_console(cli: CliContext, *, dashboard: bool = False) -> None:
    from screens.starting import create_app, run_console

    app = _quick_console(cli, dashboard)
    if app is None:
        app = create_app(cli.desk, _known_operator(cli, dashboard), start_on_dashboard=dashboard)
    status = run_console(app)
    if status:
        raise SystemExit(status)


def _quick_console(cli: CliContext, dashboard: bool):
    """The console painted before SQLAlchemy and the models load (screens.starting.
    quick_console), or None. Its first reads run while Textual is imported."""
    from concurrent.futures import ThreadPoolExecutor
    from datetime import UTC, datetime

    from console.desk import desk_url
    from console.reads.quick import console_opening
    from console.settings import load_settings

    settings = load_settings()
    log_failures(cli, settings)
    url = desk_url(cli.db_url, settings)
    with ThreadPoolExecutor(max_workers=1) as reader:
        reading = reader.submit(console_opening, url, cli.login, now=datetime.now(UTC))
        from screens.starting import quick_console

        opening = reading.result()
    if opening is None:
        return None
    return quick_console(url, settings, opening, start_on_dashboard=dashboard)


def _known_operator(cli: CliContext, dashboard: bool) -> str:
    """Who the console opens for, refused in the domain's words."""
    from console.operations import get_operator
    from console.rules.roles import Permission, require

    login = cli.acting_login()
    try:
        operator = get_operator(cli.desk, login)
    except NotFound:
        raise NotFound(
            f"no operator {login!r} in this database. Add one with:\n"
            f"  wmconsole operator add {login} --name 'Full Name' --role operator\n"
            "or choose one with --as LOGIN (`wmconsole operator list` shows them)."
        ) from None
    if dashboard:
        require(operator, Permission.view_dashboard)
    return login


@desk_command(acting=True)
def dashboard(cli: CliContext) -> None:
    """Open the console on the supervisor dashboard (supervisors and security officers)."""
    open_console(cli, dashboard=True)
