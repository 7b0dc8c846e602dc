"""Setting a desk up: the schema (`db upgrade`) and demo data (`demo`)."""

from __future__ import annotations

import click

from console.cli.options import CliContext, desk_command, desk_group
from console.cli.output import progress


@desk_group()
def db() -> None:
    """The database schema."""


@db.command("upgrade")
def db_upgrade(cli: CliContext) -> None:
    """Bring the schema to the newest version (also done on first use)."""
    from console.desk import open_desk

    desk = open_desk(cli.db_url, migrate=False)
    try:
        desk.db.upgrade()
        click.echo(f"schema at {desk.db.schema_revision()}")
    finally:
        desk.close()


@desk_command()
@click.option("--tickets", default=2000, show_default=True, type=click.IntRange(0))
@click.option("--seed", default=1, show_default=True, type=int)
def demo(cli: CliContext, tickets: int, seed: int) -> None:
    """Load realistic demo data: operators of every role, templates, tickets."""
    from console.demo.generator import load_demo

    with progress(tickets, "loading tickets") as advance:
        result = load_demo(cli.desk, tickets=tickets, seed=seed, progress=advance)
    click.echo(
        f"loaded {result.tickets} tickets, {result.messages} messages in {result.seconds:.1f} s"
    )
    click.echo("operators (use with --as):")
    for login, role in result.operators:
        click.echo(f"  {login:<10} {role}")
