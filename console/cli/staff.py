"""The people who work the desk: `operator add`, `list`, `set-role`, `deactivate`,
`activate`. On PostgreSQL each person is also a login role in their role's group;
changing people takes a member of wm_admin (on SQLite, the database file's owner)."""

from __future__ import annotations

import click

from console.cli.options import CliContext, desk_group, json_option
from console.cli.output import OPERATORS

_ROLES = click.Choice(["operator", "supervisor", "security"])

password_option = click.option(
    "--password-prompt",
    is_flag=True,
    help="Ask for the person's PostgreSQL password (leave out where people sign in "
    "by certificate, LDAP or GSSAPI).",
)


def _password(cli: CliContext, login: str, prompt: bool) -> str | None:
    """Asked only of someone who may set it, and only where there are passwords."""
    if not prompt:
        return None
    from console.identity import Duty

    if cli.desk.db.is_sqlite:
        raise click.UsageError("--password-prompt is for PostgreSQL: SQLite has no passwords")
    cli.desk.db.identity.check(Duty.admin)
    return click.prompt(f"password for {login}", hide_input=True, confirmation_prompt=True)


@desk_group()
def operator() -> None:
    """The people who work the desk."""


@operator.command("add")
@click.argument("login")
@click.option("--name", required=True)
@click.option("--role", "role_name", required=True, type=_ROLES)
@password_option
def operator_add(
    cli: CliContext, login: str, name: str, role_name: str, password_prompt: bool
) -> None:
    """Add an operator, supervisor or security officer.

    On PostgreSQL also their login role, in their role's group. Takes a member
    of wm_admin (on SQLite, the owner of the database file)."""
    from console import operations

    password = _password(cli, login, password_prompt)
    operations.add_operator(cli.desk, login, name=name, role_name=role_name, password=password)


@operator.command("list")
@json_option
def operator_list(cli: CliContext, as_json: bool) -> None:
    """Everyone who may log in, with their role.

    On PostgreSQL also their login role (LOGIN or NOLOGIN, its groups) and,
    marked !, where the two disagree."""
    from console import operations

    OPERATORS.echo(operations.list_people(cli.desk), as_json=as_json)


@operator.command("set-role")
@click.argument("login")
@click.argument("role_name", metavar="ROLE", type=_ROLES)
def operator_set_role(cli: CliContext, login: str, role_name: str) -> None:
    """Change an operator's role (on PostgreSQL, their group too)."""
    from console import operations

    operations.set_operator_role(cli.desk, login, role_name)


@operator.command("deactivate")
@click.argument("login")
def operator_deactivate(cli: CliContext, login: str) -> None:
    """Stop an operator from acting (their history stays).

    On PostgreSQL their role may no longer sign in and leaves its group."""
    from console import operations

    operations.set_operator_active(cli.desk, login, False)


@operator.command("activate")
@click.argument("login")
@password_option
def operator_activate(cli: CliContext, login: str, password_prompt: bool) -> None:
    """Let an operator act again.

    On PostgreSQL their role may sign in again; also how an admin enables an
    operator carried over as NOLOGIN by `db upgrade`."""
    from console import operations

    password = _password(cli, login, password_prompt)
    operations.set_operator_active(cli.desk, login, True, password=password)
