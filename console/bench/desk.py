"""`wmconsole bench desk`: a busy desk on PostgreSQL, measured from outside.

A durable PostgreSQL server kept under --server-dir (the demo desk loads once
and is reused: the load is the long part; the real-shaped mail is made once and
kept beside it too), consoles following the change feed,
operators taking and answering tickets, and the intake taking mail delivered
at a steady rate, all at once for --minutes. Every actor is its own process
signed in as its own login (desk_actors.py says why, and what a console is
here). Printed: the latencies that matter to people, what PostgreSQL spent
(CPU from /proc, connections from pg_stat_activity) and what one console costs
it, and whether anything was lost: every delivered mail stored on a ticket or
quarantined, every ticket taken once.

"Another console's change visible" runs from the commit (PostgreSQL's own
commit timestamp, which this server records) to the moment a following
console has read the change from the change log.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import queue as queues
import re
import shutil
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import sqlalchemy as sa

from console.bench import desk_actors as actors
from console.bench.desk_report import DeskRun, report
from console.bench.intake import Inflow, owners
from console.bench.server_watch import ServerWatch
from console.bench.throwaway_postgres import ThrowawayPostgres
from console.changes import latest_change
from console.demo.generator import load_demo
from console.desk import Desk, open_desk
from console.operations import add_operator
from models import Operator, Ticket

Echo = Callable[[str], None]

DEFAULT_SERVER_DIR = Path(tempfile.gettempdir()) / "wmconsole-bench-desk"
DATABASE = "wmconsole"
INTAKE_LOGIN = "mailhost"
OPERATOR_PAUSE_SECONDS = 1.0
# A server set up for a desk of this size: the data (about 14 GB at 5M
# tickets) mostly in the page cache, index builds in memory, no checkpoint
# storm during the load; commit timestamps for the visibility latency.
SERVER_SETTINGS = {
    "shared_buffers": "1GB",
    "maintenance_work_mem": "512MB",
    "max_wal_size": "8GB",
    "track_commit_timestamp": "on",
}
# The product's group roles, when the schema has them; otherwise the logins get
# the tables' rights through one role of the benchmark's own.
_GROUP_ROLES = {"operator": "wm_operator", "supervisor": "wm_supervisor", "security": "wm_security"}
_INTAKE_GROUP = "wm_intake"
_BENCH_ROLE = "wmconsole_bench"
_BENCH_GRANTS = (
    f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {_BENCH_ROLE}",
    f"GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA public TO {_BENCH_ROLE}",
)
_READY_SECONDS = 300
# The Message-IDs the bench mail is written with (console/bench/intake.py).
_BENCH_MESSAGE_ID = re.compile(rb"(<bench\.\d+\.[0-9a-f]+)(?:\.[0-9a-f]+)?@mail\.example>")


@dataclass(frozen=True)
class DeskPlan:
    tickets: int = 5_000_000
    minutes: float = 5.0
    consoles: int = 30
    operators: int = 10
    mail_rate: float = 100.0
    seed: int = 7
    server_dir: Path = DEFAULT_SERVER_DIR


def run_desk_benchmark(plan: DeskPlan, echo: Echo) -> bool:
    """Prints the figures; returns whether nothing was lost."""
    server = ThrowawayPostgres(durable=True, root=plan.server_dir, settings=SERVER_SETTINGS)
    server.start()
    scratch = Path(tempfile.mkdtemp(prefix="wmconsole-bench-desk-"))
    try:
        url = _database(server)
        desk = open_desk(f"{url}?application_name=bench")
        try:
            loaded = _ensure_tickets(desk, plan, echo)
            people = _people(desk, plan.operators)
            _grant_logins(desk, people)
            maildir, staged = _stage_mail(desk, plan, scratch, echo)
            first_change, load_before = latest_change(desk.db), os.getloadavg()[0]
            run = _run(plan, url, server.postmaster_pid, people, maildir, staged, echo)
            run.loaded, run.first_change, run.load_before = loaded, first_change, load_before
            return report(desk, plan, run, echo)
        finally:
            desk.close()
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
        server.stop()


def _database(server: ThrowawayPostgres) -> str:
    engine = sa.create_engine(server.url(), isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        if not connection.exec_driver_sql(
            f"SELECT 1 FROM pg_database WHERE datname = '{DATABASE}'"  # noqa: S608 (a constant)
        ).first():
            connection.exec_driver_sql(f"CREATE DATABASE {DATABASE}")
    engine.dispose()
    return server.url(DATABASE)


def _ensure_tickets(desk: Desk, plan: DeskPlan, echo: Echo) -> dict:
    """Loads demo tickets up to --tickets; returns how the desk was loaded (kept
    beside the server, so a later run can say it)."""
    record = plan.server_dir / "loaded.json"
    with desk.db.connect() as connection:
        existing = connection.execute(sa.select(sa.func.count()).select_from(Ticket)).scalar()
    if existing >= plan.tickets:
        loaded = json.loads(record.read_text()) if record.exists() else {}
        echo(f"desk: reusing {existing:,} tickets in {plan.server_dir}")
        return {**loaded, "reused": existing}
    echo(f"desk: loading {plan.tickets - existing:,} demo tickets into {plan.server_dir} ...")
    tenths = [0]

    def progress(done: int, total: int) -> None:
        if done * 10 // total > tenths[0]:
            tenths[0] = done * 10 // total
            echo(f"  {done:,} of {total:,}")

    result = load_demo(desk, tickets=plan.tickets - existing, seed=plan.seed, progress=progress)
    started = time.perf_counter()
    with desk.db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        # The bulk load leaves the visibility map empty: no index-only scans until
        # a vacuum, which the autovacuum would start in the middle of the run.
        connection.exec_driver_sql("VACUUM (ANALYZE)")
    loaded = {
        "tickets": result.tickets,
        "messages": result.messages,
        "seconds": round(result.seconds, 1),
        "vacuum_seconds": round(time.perf_counter() - started, 1),
    }
    record.write_text(json.dumps(loaded))
    echo(
        f"  {result.tickets:,} tickets, {result.messages:,} messages in {result.seconds:,.0f} s "
        f"({result.tickets / result.seconds:,.0f} tickets/s), then VACUUM ANALYZE in "
        f"{loaded['vacuum_seconds']:,.0f} s"
    )
    return loaded


def _people(desk: Desk, operators: int) -> dict[str, str]:
    """Login -> role of everyone who works tickets: the demo's people, and more
    operators when --operators asks for more."""
    with desk.db.connect() as connection:
        people = dict(
            connection.execute(
                sa.select(Operator.login, Operator.role)
                .where(Operator.active.is_(True))
                .order_by(Operator.id)
            ).all()
        )
    for index in range(len(people), operators):
        login = f"bench{index:02d}"
        add_operator(desk, login, name=f"Bench Operator {index}", role_name="operator")
        people[login] = "operator"
    return {login: str(getattr(role, "value", role)) for login, role in people.items()}


def _grant_logins(desk: Desk, people: dict[str, str]) -> None:
    """Each person and the intake sign in as themselves (trust on this server)."""
    with desk.db.write_connection() as connection:
        roles = set(connection.exec_driver_sql("SELECT rolname FROM pg_roles").scalars())
        quote = connection.dialect.identifier_preparer.quote
        if _GROUP_ROLES["operator"] not in roles:
            if _BENCH_ROLE not in roles:
                connection.exec_driver_sql(f"CREATE ROLE {_BENCH_ROLE} NOLOGIN")
            for grant in _BENCH_GRANTS:
                connection.exec_driver_sql(grant)
        groups = {login: _GROUP_ROLES.get(role) for login, role in people.items()}
        for login, group in {**groups, INTAKE_LOGIN: _INTAKE_GROUP}.items():
            verb = "ALTER" if login in roles else "CREATE"
            connection.exec_driver_sql(f"{verb} ROLE {quote(login)} LOGIN")
            member_of = group if group in roles else _BENCH_ROLE
            connection.exec_driver_sql(f"GRANT {member_of} TO {quote(login)}")


def _stage_mail(
    desk: Desk, plan: DeskPlan, scratch: Path, echo: Echo
) -> tuple[Path, list[tuple[Path, str | None]]]:
    """The run's mail, written before it starts (making real-shaped mail costs
    CPU the run should not share), under Message-IDs no earlier run used."""
    root = scratch / "Maildir"
    for folder in ("tmp", "new", "cur", "staged"):
        (root / folder).mkdir(parents=True)
    count = int(plan.mail_rate * plan.minutes * 60)
    started = time.perf_counter()
    prepared = _prepared_mail(desk, plan, count, echo)
    run = f"{time.time_ns():x}"
    staged = []
    for index, source in enumerate(prepared[:count]):
        raw = with_run_message_ids(source.read_bytes(), run)
        path = root / "staged" / f"{int(time.time())}.M{index:07d}P1.bench"
        path.write_bytes(raw)
        staged.append((path, actors.message_id_of(raw)))
    echo(
        f"mail: {count:,} mails staged under this run's Message-IDs in "
        f"{time.perf_counter() - started:.0f} s"
    )
    return root, staged


def with_run_message_ids(raw: bytes, run: str) -> bytes:
    """The prepared mail is the same every run, and the intake would take all of
    it as re-deliveries: the run's own token in every Message-ID the mail names
    (its own, In-Reply-To, References; a re-delivery gets the same) makes it new."""
    return _BENCH_MESSAGE_ID.sub(rb"\1." + run.encode() + b"@mail.example>", raw)


def _prepared_mail(desk: Desk, plan: DeskPlan, count: int, echo: Echo) -> list[Path]:
    """At least `count` real-shaped mails kept beside the server (making them
    takes minutes: a later run reuses them)."""
    kept = plan.server_dir / "mail"
    if kept.is_dir() and len(files := sorted(kept.iterdir())) >= count:
        echo(f"mail: reusing {len(files):,} real-shaped mails prepared earlier in {kept}")
        return files
    started = time.perf_counter()
    making = plan.server_dir / "mail.making"
    shutil.rmtree(making, ignore_errors=True)
    making.mkdir(parents=True)
    inflow = Inflow(plan.seed, owners(desk, 5000, plan.seed))
    for index in range(count):
        (making / f"{index:07d}.eml").write_bytes(inflow.next_mail())
    # Whole or not at all: a run cut off while preparing leaves no half a set.
    shutil.rmtree(kept, ignore_errors=True)
    making.rename(kept)
    echo(f"mail: {count:,} real-shaped mails prepared in {time.perf_counter() - started:.0f} s")
    return sorted(kept.iterdir())


def _cast(context, url: str) -> actors.Cast:
    return actors.Cast(
        url=url,
        go=context.Event(),
        window=context.Array("d", 2),
        results=context.Queue(),
        ready=context.Queue(),
    )


def _processes(context, cast: actors.Cast, plan: DeskPlan, people: dict[str, str], maildir):
    logins = list(people)
    spawned = [
        context.Process(
            target=actors.follow_changes,
            args=(cast, logins[index % len(logins)], f"console-{index}"),
        )
        for index in range(plan.consoles)
    ]
    spawned += [
        context.Process(
            target=actors.work_tickets,
            args=(cast, login, f"operator-{login}", OPERATOR_PAUSE_SECONDS),
        )
        for login in logins[: plan.operators]
    ]
    spawned.append(
        context.Process(target=actors.take_mail, args=(cast, INTAKE_LOGIN, "intake", str(maildir)))
    )
    for process in spawned:
        process.start()
    return spawned


def _results(cast: actors.Cast, processes: list, stop_at: float, echo: Echo) -> list:
    """Every process's report. The intake takes what still waits at the stop, and
    on a loaded machine that backlog can take minutes: wait as long as a process
    that has not reported is still running."""
    results = []
    while len(results) < len(processes):
        try:
            results.append(cast.results.get(timeout=5))
        except queues.Empty:
            if not any(process.is_alive() for process in processes):
                raise
            continue
        if results[-1][0] == "intake" and time.time() > stop_at + 5:
            echo(f"intake: took the mail waiting at the stop in {time.time() - stop_at:.0f} s")
    return results


def _run(plan, url, postmaster_pid, people, maildir, staged, echo) -> DeskRun:
    context = multiprocessing.get_context("spawn")
    cast = _cast(context, url)
    processes = _processes(context, cast, plan, people, maildir)
    try:
        for _ in processes:
            cast.ready.get(timeout=_READY_SECONDS)
        start_at = time.time() + 1.0
        stop_at = start_at + plan.minutes * 60
        cast.window[0], cast.window[1] = start_at, stop_at
        delivery = actors.MailDelivery(
            [path for path, _ in staged], maildir / "new", plan.mail_rate
        )
        delivery.start(start_at, stop_at)
        watch = ServerWatch(url, postmaster_pid)
        cast.go.set()
        time.sleep(max(0.0, start_at - time.time()))
        watch.start()
        echo(f"run: {len(processes)} processes for {plan.minutes:g} min ...")
        time.sleep(max(0.0, (start_at + stop_at) / 2 - time.time()))
        watch.measure_memory()
        time.sleep(max(0.0, stop_at - time.time()))
        server = watch.stop()
        delivery.join()
        results = _results(cast, processes, stop_at, echo)
    except queues.Empty:
        raise RuntimeError("a benchmark process did not report (see its traceback above)") from None
    finally:
        for process in processes:
            process.join(timeout=30)
            if process.is_alive():
                process.terminate()
    ids = dict(staged)
    delivered = [(path, ids[maildir / "staged" / path.name]) for path in delivery.delivered]
    started = datetime.fromtimestamp(start_at, UTC)
    return DeskRun(results, server, delivered, delivery.backlog, maildir, started)
