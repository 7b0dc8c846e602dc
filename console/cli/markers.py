"""Scam markers the intake looks for: `marker list`, `add`, `disable`, `enable`."""

from __future__ import annotations

import click

from console.cli.options import CliContext, desk_group, json_option
from console.cli.output import MARKERS


@desk_group()
def marker() -> None:
    """Scam markers intake looks for in each mail (supervisors and security)."""


@marker.command("list")
@click.option("--all", "show_all", is_flag=True, help="Disabled markers too.")
@json_option
def marker_list(cli: CliContext, show_all: bool, as_json: bool) -> None:
    """The markers, oldest first."""
    from console import operations

    MARKERS.echo(operations.list_markers(cli.desk, include_inactive=show_all), as_json=as_json)


@marker.command("add", acting=True)
@click.argument("pattern")
@click.option("--regex", is_flag=True, help="A regular expression, matched as written.")
@click.option("--description", default="", metavar="TEXT")
def marker_add(cli: CliContext, pattern: str, regex: bool, description: str) -> None:
    """Add a marker: a word or phrase (matched ignoring case) or --regex; prints its id."""
    from console import operations

    click.echo(
        operations.add_marker(
            cli.desk, pattern, by=cli.acting_login(), is_regex=regex, description=description
        )
    )


@marker.command("disable", acting=True)
@click.argument("marker_id", type=int)
def marker_disable(cli: CliContext, marker_id: int) -> None:
    """Stop looking for a marker (it is kept; `enable` turns it back on)."""
    from console import operations

    operations.set_marker_active(cli.desk, marker_id, False, by=cli.acting_login())


@marker.command("enable", acting=True)
@click.argument("marker_id", type=int)
def marker_enable(cli: CliContext, marker_id: int) -> None:
    from console import operations

    operations.set_marker_active(cli.desk, marker_id, True, by=cli.acting_login())
