"""What every command shares, defined once: the CliContext it works in, and its options.

A command on the desk is a `DeskCommand`: it takes `--db` first among its
options (so a script may put it anywhere after the command's name), `--as` next
when it acts as an operator (`acting=True`), and its function receives the
`CliContext` first. Make one with `desk_command`, or with `.command()` on a
group made by `desk_group`."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

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

            self._desk = open_desk(self.db_url)
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
    """A command on the desk: `--db` (and `--as` when acting), the CliContext passed."""

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
    """--file (a path, '-' for stdin) or --text: the body of a message; see `read_text`."""
    command = click.option("--text", "text", metavar="T")(command)
    return click.option("--file", "file", type=click.Path(path_type=Path, allow_dash=True))(command)


def read_text(file: Path | None, text: str | None, what: str) -> str:
    if (file is None) == (text is None):
        raise click.UsageError(f"give the {what} with exactly one of --file or --text")
    if text is not None:
        return text
    if str(file) == "-":
        return sys.stdin.read()
    try:
        return file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise click.BadParameter(f"cannot read {file}: {error}") from None


def split_values(values: tuple[str, ...]) -> list[str]:
    """`--service a,b --service c` as ["a", "b", "c"]."""
    return [part.strip() for value in values for part in value.split(",") if part.strip()]
