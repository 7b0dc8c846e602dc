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
        _say_who_cannot_sign_in(desk)
    finally:
        desk.close()


def _say_who_cannot_sign_in(desk) -> None:
    """Operators carried over from before the database knew people (or added
    without a password) wait for an admin to let them sign in."""
    from console.operations import list_people
    from console.rules.labels import plural

    waiting = [p.login for p in list_people(desk) if p.active and p.has_role and not p.can_login]
    if waiting:
        roles = "their roles are" if len(waiting) > 1 else "the role is"
        click.echo(
            f"{plural(len(waiting), 'operator')} cannot sign in yet ({roles} NOLOGIN): "
            f"{', '.join(waiting)}. An admin enables each with "
            "`wmconsole operator activate LOGIN --password-prompt`."
        )


@db.command("check-privileges")
def db_check_privileges(cli: CliContext) -> None:
    """What each desk role may do in the database.

    The rights as the database applies them (effective rights, triggers,
    row-level security, the people's login roles); exits 1 on any difference
    from what this wmconsole grants."""
    from console.access import check_privileges
    from console.errors import DomainError

    lines, drift = check_privileges(cli.desk)
    click.echo("\n".join(lines))
    if drift:
        click.echo("\n".join(f"drift: {line}" for line in drift), err=True)
        raise DomainError(
            f"{len(drift)} differences from what this wmconsole grants: the schema owner "
            "runs `wmconsole db upgrade` to restore the grants; an admin fixes the people "
            "with `wmconsole operator`"
        )


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
