"""Four-eyes WMID blocking: `block request`, `approve`, `reject`, `list`."""

from __future__ import annotations

import click

from console.cli.options import CliContext, desk_group, json_option
from console.cli.output import BLOCK_REQUESTS


@desk_group()
def block() -> None:
    """Four-eyes WMID blocking: one requests, another supervisor or officer decides."""


@block.command("request", acting=True)
@click.argument("number", type=int)
@click.option("--wmid", required=True, metavar="W", help="The fraudster's WMID.")
@click.option("--reason", required=True, metavar="R")
def block_request(cli: CliContext, number: int, wmid: str, reason: str) -> None:
    """Request a WMID block on a ticket; prints the request id."""
    from console import operations

    click.echo(operations.request_block(cli.desk, number, wmid, reason, by=cli.acting_login()))


@block.command("approve", acting=True)
@click.argument("request_id", type=int)
@click.option("--reason", metavar="R")
def block_approve(cli: CliContext, request_id: int, reason: str | None) -> None:
    """Approve someone else's block request."""
    from console import operations

    operations.approve_block(cli.desk, request_id, by=cli.acting_login(), reason=reason)


@block.command("reject", acting=True)
@click.argument("request_id", type=int)
@click.option("--reason", required=True, metavar="R")
def block_reject(cli: CliContext, request_id: int, reason: str) -> None:
    """Reject someone else's block request, with a reason."""
    from console import operations

    operations.reject_block(cli.desk, request_id, reason, by=cli.acting_login())


@block.command("list")
@click.option("--all", "show_all", is_flag=True, help="Decided requests too.")
@json_option
def block_list(cli: CliContext, show_all: bool, as_json: bool) -> None:
    """Block requests waiting for a decision, oldest first."""
    from console.reads.blocks import list_block_requests

    requests = list_block_requests(cli.desk.db, pending_only=not show_all)
    BLOCK_REQUESTS.echo(requests, as_json=as_json)
