"""The people who work the desk: `operator add`, `list`, `deactivate`, `activate`."""

from __future__ import annotations

import click

from console.cli.options import CliContext, desk_group, json_option
from console.cli.output import OPERATORS


@desk_group()
def operator() -> None:
    """The people who work the desk."""


@operator.command("add")
@click.argument("login")
@click.option("--name", required=True)
@click.option(
    "--role", "role_name", required=True, type=click.Choice(["operator", "supervisor", "security"])
)
def operator_add(cli: CliContext, login: str, name: str, role_name: str) -> None:
    """Add an operator, supervisor or security officer."""
    from console import operations

    operations.add_operator(cli.desk, login, name=name, role_name=role_name)


@operator.command("list")
@json_option
def operator_list(cli: CliContext, as_json: bool) -> None:
    """Everyone who may log in, with their role."""
    from console import operations

    OPERATORS.echo(operations.list_operators(cli.desk), as_json=as_json)


@operator.command("deactivate")
@click.argument("login")
def operator_deactivate(cli: CliContext, login: str) -> None:
    """Stop an operator from acting (their history stays)."""
    from console import operations

    operations.set_operator_active(cli.desk, login, False)


@operator.command("activate")
@click.argument("login")
def operator_activate(cli: CliContext, login: str) -> None:
    from console import operations

    operations.set_operator_active(cli.desk, login, True)
