"""`bench`: speed and memory figures. Each benchmark builds its own database (or
takes one with its own `--db`), so these are plain commands, not desk commands."""

from __future__ import annotations

from pathlib import Path

import click

_postgres_option = click.option(
    "--postgres", is_flag=True, help="On a throwaway PostgreSQL server instead."
)
_seed_option = click.option("--seed", default=7, show_default=True, type=int)
_million_tickets_option = click.option(
    "--tickets", default=1_000_000, show_default=True, type=click.IntRange(1000)
)
_demo_db_option = click.option(
    "--db",
    "db_url",
    metavar="URL",
    help="A demo database to measure on (default: one in the temp dir, built on first use).",
)


@click.group()
def bench() -> None:
    """Speed and memory figures, measured on this machine."""


@bench.command("queue")
@click.option("--db", "db_url", metavar="URL", help="Benchmark database (default: a temp file).")
@_postgres_option
@_million_tickets_option
@_seed_option
@click.option(
    "--before-after",
    is_flag=True,
    help="Also each order without its index (dropped for the measure, then built again).",
)
def bench_queue(
    db_url: str | None, postgres: bool, tickets: int, seed: int, before_after: bool
) -> None:
    """Demo load time, queue page, facet-count and search times at N tickets, and
    each order the queue may be sorted by."""
    from console.bench.queue import run_queue_benchmark

    run_queue_benchmark(
        db_url,
        tickets=tickets,
        seed=seed,
        postgres=postgres,
        echo=click.echo,
        before_after=before_after,
    )


@bench.command("search")
@_demo_db_option
@_postgres_option
@_million_tickets_option
@_seed_option
@click.option(
    "--word",
    "words",
    multiple=True,
    default=("карта", "платёж"),
    show_default=True,
    help="A common word to search for (repeat).",
)
def bench_search(
    db_url: str | None, postgres: bool, tickets: int, seed: int, words: tuple[str, ...]
) -> None:
    """Search at N tickets: first page, count, relevance, punctuation and a WMID,
    each beside the raw indexed query and its target."""
    from console.bench.search import run_search_benchmark

    run_search_benchmark(
        db_url, tickets=tickets, seed=seed, postgres=postgres, words=words, echo=click.echo
    )


@bench.command("intake")
@click.option(
    "--db",
    "db_url",
    metavar="URL",
    help="Benchmark database, topped up with demo tickets to --tickets "
    "(default: a temporary SQLite file).",
)
@click.option("--tickets", default=1_000_000, show_default=True, type=click.IntRange(0))
@click.option("--messages", default=10_000, show_default=True, type=click.IntRange(1))
@_seed_option
def bench_intake(db_url: str | None, tickets: int, messages: int, seed: int) -> None:
    """Mails per second through the intake into a desk of N tickets."""
    from console.bench.intake import run_intake_benchmark

    run_intake_benchmark(db_url, tickets=tickets, messages=messages, seed=seed, echo=click.echo)


@bench.command("ui")
@_demo_db_option
@_million_tickets_option
@click.option(
    "--compare",
    default=100_000,
    show_default=True,
    type=click.IntRange(0),
    help="Rows for the stock DataTable beside it (0: skip).",
)
@_seed_option
@click.option("--runs", default=3, show_default=True, type=click.IntRange(1), help="Median of N.")
def bench_ui(db_url: str | None, tickets: int, compare: int, seed: int, runs: int) -> None:
    """The console as a person feels it: start-up, filter, step, PgDn, end, another
    console's change, memory — and the stock DataTable holding every row."""
    from screens.bench import run_ui_benchmark

    run_ui_benchmark(
        db_url, tickets=tickets, compare=compare, seed=seed, runs=runs, echo=click.echo
    )


@bench.command("dashboard")
@_demo_db_option
@_postgres_option
@_million_tickets_option
@_seed_option
@click.option(
    "--refreshes", default=20, show_default=True, type=click.IntRange(1), help="Commits timed."
)
def bench_dashboard(
    db_url: str | None, postgres: bool, tickets: int, seed: int, refreshes: int
) -> None:
    """The dashboard: process start to first paint, another connection's commit
    to the repainted tiles, memory; beside desk_stats() alone."""
    from screens.bench import run_dashboard_benchmark

    run_dashboard_benchmark(
        db_url,
        tickets=tickets,
        seed=seed,
        postgres=postgres,
        refreshes=refreshes,
        echo=click.echo,
    )


@bench.command("desk")
@click.option("--tickets", default=5_000_000, show_default=True, type=click.IntRange(1000))
@click.option("--minutes", default=5.0, show_default=True, type=click.FloatRange(min=0.01))
@click.option("--consoles", default=30, show_default=True, type=click.IntRange(0))
@click.option("--operators", default=10, show_default=True, type=click.IntRange(0))
@click.option(
    "--mail-rate",
    default=100.0,
    show_default=True,
    type=click.FloatRange(min=0.1),
    help="Mails delivered per second.",
)
@_seed_option
@click.option(
    "--server-dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Where the PostgreSQL server and its loaded desk are kept for the next run "
    "[default: wmconsole-bench-desk in the temp dir].",
)
def bench_desk(
    tickets: int,
    minutes: float,
    consoles: int,
    operators: int,
    mail_rate: float,
    seed: int,
    server_dir: Path | None,
) -> None:
    """A busy desk on PostgreSQL: consoles following the change feed, operators
    taking and answering, the intake taking mail, all at once; latencies, the
    server's CPU and connections, what one console costs, and that nothing was lost."""
    from console.bench.desk import DEFAULT_SERVER_DIR, DeskPlan, run_desk_benchmark

    plan = DeskPlan(
        tickets=tickets,
        minutes=minutes,
        consoles=consoles,
        operators=operators,
        mail_rate=mail_rate,
        seed=seed,
        server_dir=server_dir or DEFAULT_SERVER_DIR,
    )
    if not run_desk_benchmark(plan, click.echo):
        raise SystemExit(1)


@bench.command("startup")
@_demo_db_option
@_million_tickets_option
@_seed_option
@click.option("--runs", default=5, show_default=True, type=click.IntRange(1), help="Median of N.")
def bench_startup(db_url: str | None, tickets: int, seed: int, runs: int) -> None:
    """Start-up as ratios: the console and the dashboard to their first paint beside
    a bare Textual app, --help beside `python -c pass`, `ticket N --json` and
    `tickets --json` beside sqlite3 reading the same rows (SQLite)."""
    from console.bench.startup import run_startup_benchmark

    run_startup_benchmark(db_url, tickets=tickets, seed=seed, runs=runs, echo=click.echo)
