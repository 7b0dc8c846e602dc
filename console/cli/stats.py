"""`stats`: the dashboard's numbers for scripts and monitoring."""

from __future__ import annotations

import click

from console.cli.options import CliContext, desk_command
from console.cli.output import print_json


@desk_command()
@click.option("--json", "as_json", is_flag=True, help="JSON for scripts.")
@click.option("--prometheus", is_flag=True, help="Prometheus text exposition format.")
def stats(cli: CliContext, as_json: bool, prometheus: bool) -> None:
    """The dashboard's numbers: open work, SLA, escalations waiting, operator load."""
    if as_json and prometheus:
        raise click.UsageError("choose one of --json and --prometheus")
    from console.formatting import stats_text
    from console.reads.stats import desk_stats, prometheus_text

    numbers = desk_stats(cli.desk)
    if as_json:
        print_json(numbers.as_json())
    elif prometheus:
        click.echo(prometheus_text(numbers), nl=False)
    else:
        click.echo(stats_text(numbers))
