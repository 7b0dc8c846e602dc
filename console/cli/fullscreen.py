"""The full-screen console: `wmconsole` with no command, and `wmconsole dashboard`."""

from __future__ import annotations

from console.cli.options import CliContext, desk_command
from console.errors import NotFound


def open_console(cli: CliContext, *, dashboard: bool = False) -> None:
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
    from screens.app import run_console

    status = run_console(cli.desk, login, start_on_dashboard=dashboard)
    if status:
        raise SystemExit(status)


@desk_command(acting=True)
def dashboard(cli: CliContext) -> None:
    """Open the console on the supervisor dashboard (supervisors and security officers)."""
    open_console(cli, dashboard=True)
