"""The queue: `tickets` lists it, `take` takes from it."""

from __future__ import annotations

from typing import Any

import click

from console.cli.options import (
    CliContext,
    desk_command,
    expected_version_option,
    json_option,
    limit_option,
    split_values,
)
from console.cli.output import print_json, queue_row_json
from console.errors import DomainError


def _queue_filter(
    *,
    service: tuple[str, ...],
    status: tuple[str, ...],
    escalation: tuple[str, ...],
    assignee: str | None,
    breached: bool,
    search: str,
    order: str,
):
    """The QueueFilter the options describe; with none, the opening view. A
    search looks through the whole desk, narrowed by the options given."""
    from console.operations.escalations import escalation_kind
    from console.reads.queue import Assignee, Order, QueueFilter
    from console.rules import validation

    narrowed = bool(service or status or escalation or assignee or breached)
    default_scope = Assignee.anyone if search and not narrowed else Assignee.mine_or_unassigned
    scope = {None: default_scope, "none": Assignee.unassigned}.get(assignee, assignee)
    filters = QueueFilter(
        services=frozenset(validation.service(s) for s in split_values(service)),
        escalations=frozenset(escalation_kind(k) for k in split_values(escalation)),
        assignee=scope,
        breached=breached,
        search=search,
        search_in_view=narrowed,
        order=Order(order),
    )
    if status:
        statuses = frozenset(validation.status(s) for s in split_values(status))
        filters = filters.with_(statuses=statuses)
    return filters


@desk_command(acting=True)
@click.option("--service", multiple=True, metavar="S", help="Service (repeat or comma-separate).")
@click.option("--status", multiple=True, metavar="S", help="Status (repeat or comma-separate).")
@click.option("--escalation", multiple=True, metavar="K", help="Escalation kind.")
@click.option(
    "--assignee",
    metavar="LOGIN|mine|none|anyone",
    help="Whose tickets (default: yours and the unassigned).",
)
@click.option("--breached", is_flag=True, help="Only tickets past their SLA due time.")
@click.option(
    "--search",
    metavar="TEXT",
    default="",
    help="Free text, as in the console: the whole desk, narrowed by the options given.",
)
@click.option(
    "--order",
    type=click.Choice(["queue", "relevance"]),
    default="queue",
    show_default=True,
    help="Queue order, or with --search the best match first.",
)
@limit_option
@json_option
def tickets(cli: CliContext, limit: int, as_json: bool, **filter_options: Any) -> None:
    """List tickets in queue order. With no filter: what a new operator's console
    shows on opening (your work and the unassigned queue, live statuses only)."""
    from console.formatting import queue_table
    from console.reads.queue import Queue, viewer_id_for

    desk = cli.desk
    filters = _queue_filter(**filter_options)
    queue = Queue(desk.db, viewer_id_for(desk.db, cli.acting_login()))
    now = desk.now()
    rows = []
    while len(rows) < limit:
        page = queue.page(
            filters, now, after=rows[-1].key if rows else None, limit=min(500, limit - len(rows))
        )
        rows.extend(page)
        if len(page) == 0 or len(rows) >= limit:
            break
    if as_json:
        print_json([queue_row_json(row, desk.sla, now) for row in rows])
    else:
        click.echo(queue_table(rows, desk.sla, now))


@desk_command(acting=True)
@click.argument("number", type=int, required=False)
@click.option("--next", "take_next", is_flag=True, help="The next ticket in queue order.")
@click.option("--service", multiple=True, metavar="S", help="With --next: only these services.")
@expected_version_option
def take(
    cli: CliContext,
    number: int | None,
    take_next: bool,
    service: tuple[str, ...],
    expected_version: int | None,
) -> None:
    """Take a ticket (N) or the next one in the queue (--next); prints its number."""
    from console import operations
    from console.rules import validation

    if (number is None) == (not take_next):
        raise click.UsageError("give a ticket number or --next")
    login = cli.acting_login()
    if take_next:
        services = [validation.service(s) for s in split_values(service)]
        taken = operations.take_next(cli.desk, by=login, services=services)
        if taken is None:
            raise DomainError("the queue has nothing to take")
    else:
        taken = operations.take(cli.desk, number, by=login, expected_version=expected_version)
    click.echo(taken)
