"""What every command shares, defined once: the CliContext it works in, and its options.

A command on the desk is a `DeskCommand`: it takes `--db` first among its
options (so a script may put it anywhere after the command's name), `--as` next
when it acts as an operator (`acting=True`), and its function receives the
`CliContext` first. Make one with `desk_command`, or with `.command()` on a
group made by `desk_group`."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from console.cli.input import check_arguments
from console.errors import DomainError

AS_HELP = "Act as this operator (default: your PostgreSQL login, or OS account on SQLite)."


class CliContext:
    """What the options said; the desk is opened on first use."""

    def __init__(self, db: str | None, login: str | None) -> None:
        self.db_url = db
        self.login = login
        self._desk = None

    @property
    def desk(self):
        if self._desk is None:
            from console.desk import open_desk
            from console.settings import load_settings

            settings = load_settings()
            log_failures(self, settings)
            self._desk = open_desk(self.db_url, settings=settings)
        return self._desk

    def acting_login(self) -> str:
        """Who this command acts for: --as, else who the database says you are
        (your PostgreSQL login, or your OS account on SQLite). --as someone
        else is refused: one person cannot act as another (the owner of a
        SQLite file aside)."""
        identity = self.desk.db.identity
        login = self.login or identity.login
        identity.check(login)
        return login

    def close(self) -> None:
        if self._desk is not None:
            self._desk.close()


def log_failures(cli: CliContext | None, settings=None) -> Path:
    """Our modules log to the log file the settings name (the desk's, or read
    afresh when the desk could not be opened); returns its path."""
    from console.failures import log_to

    if settings is None and cli is not None and cli._desk is not None:
        settings = cli._desk.settings
    if settings is None:
        from console.settings import Settings, load_settings

        try:
            settings = load_settings()
        except DomainError:
            settings = Settings()
    return log_to(settings.log_path)


def _remembered(decls: list[str], metavar: str, attribute: str, help: str) -> click.Option:
    """An option stored on the CliContext, over what the root options said."""

    def remember(ctx: click.Context, _param: click.Parameter, value: str | None) -> None:
        if value:
            setattr(ctx.find_object(CliContext), attribute, value)

    return click.Option(decls, metavar=metavar, expose_value=False, callback=remember, help=help)


def _shared_options(acting: bool) -> list[click.Parameter]:
    db = _remembered(
        ["--db", "db"],
        "URL",
        "db_url",
        help="Database URL or SQLite path (default: WMCONSOLE_DB, the config file, "
        "or a file in the user data dir).",
    )
    login = _remembered(
        ["--as", "as_login"],
        "LOGIN",
        "login",
        help=AS_HELP,
    )
    return [db, login] if acting else [db]


_pass_cli = click.make_pass_decorator(CliContext)


class DeskCommand(click.Command):
    """A command on the desk: `--db` (and `--as` when acting), the CliContext
    passed, and its text arguments checked before it runs (console.cli.input)."""

    def __init__(
        self,
        *args: Any,
        acting: bool = False,
        callback: Callable[..., Any] | None = None,
        params: list[click.Parameter] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(
            *args,
            callback=_pass_cli(callback) if callback else None,
            params=[*_shared_options(acting), *(params or [])],
            **kwargs,
        )

    def invoke(self, ctx: click.Context) -> Any:
        check_arguments(ctx)
        return super().invoke(ctx)


class DeskGroup(click.Group):
    """A group whose commands are DeskCommands."""

    command_class = DeskCommand


def desk_command(**attrs: Any) -> Callable[[Callable], DeskCommand]:
    return click.command(cls=DeskCommand, **attrs)


def desk_group() -> Callable[[Callable], click.Group]:
    return click.group(cls=DeskGroup)


json_option = click.option("--json", "as_json", is_flag=True, help="Print JSON.")
limit_option = click.option(
    "--limit", default=50, show_default=True, type=click.IntRange(1, 100_000)
)
expected_version_option = click.option(
    "--version", "expected_version", type=int, help="Refuse if the ticket moved on."
)


def text_options(command: Callable) -> Callable:
    """--file (a path, '-' for stdin) or --text: the body of a message; see
    `console.cli.input.read_text`."""
    command = click.option("--text", "text", metavar="T")(command)
    return click.option("--file", "file", type=click.Path(path_type=Path, allow_dash=True))(command)


def split_values(values: tuple[str, ...]) -> list[str]:
    """`--service a,b --service c` as ["a", "b", "c"]."""
    return [part.strip() for value in values for part in value.split(",") if part.strip()]
