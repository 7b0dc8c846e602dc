"""The figures of `wmconsole bench desk`, and its checks that nothing was lost."""

from __future__ import annotations

import os
import statistics
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from console.bench.server_watch import SERVER, ServerFigures
from console.desk import Desk
from models import AuditEvent, ChangeLog, Message, QuarantinedMail

Echo = Callable[[str], None]
_COMMIT_TIMES = sa.text(
    "SELECT id, extract(epoch FROM pg_xact_commit_timestamp(xmin)) FROM changelog WHERE id > :after"
)


@dataclass
class DeskRun:
    results: list[tuple[str, str, dict[str, Any]]]
    server: ServerFigures
    delivered: list[tuple[Path, str | None]]
    backlog: list[int]
    maildir: Path
    started: datetime
    loaded: dict = field(default_factory=dict)
    first_change: int = 0
    load_before: float = 0.0

    def of(self, kind: str) -> list[dict[str, Any]]:
        return [measured for actor, _label, measured in self.results if actor == kind]

    def pooled(self, kind: str, key: str) -> list:
        return [value for measured in self.of(kind) for value in measured[key]]


def percentiles(samples: list[float]) -> tuple[float, float]:
    if not samples:
        return float("nan"), float("nan")
    if len(samples) == 1:
        return samples[0], samples[0]
    cuts = statistics.quantiles(samples, n=100, method="inclusive")
    return statistics.median(samples), cuts[98]


def _row(echo: Echo, what: str, seconds: list[float]) -> None:
    p50, p99 = percentiles(seconds)
    echo(f"  {what:<38} {len(seconds):>10,} {p50 * 1000:>9.1f} {p99 * 1000:>9.1f}")


def visibility(desk: Desk, run: DeskRun) -> list[float]:
    """Seconds from each change's commit to each console reading it."""
    with desk.db.connect() as connection:
        committed = dict(connection.execute(_COMMIT_TIMES, {"after": run.first_change}).all())
    return [
        noticed - float(committed[change_id])
        for change_id, noticed in run.pooled("console", "seen")
        if committed.get(change_id) is not None
    ]


def _latencies(desk: Desk, run: DeskRun, echo: Echo) -> None:
    echo(f"  {'':<38} {'count':>10} {'p50 ms':>9} {'p99 ms':>9}")
    _row(echo, "another console's change visible", visibility(desk, run))
    _row(echo, "console re-read (counts, place, page)", run.pooled("console", "refresh"))
    _row(echo, "queue page (a console's re-read)", run.pooled("console", "page"))
    _row(echo, "queue page (an operator's)", run.pooled("operator", "page"))
    _row(echo, "take-next", run.pooled("operator", "take"))
    _row(echo, "reply", run.pooled("operator", "reply"))


def _mail_lost(desk: Desk, run: DeskRun, counts: Counter) -> list[str]:
    """What of the delivered mail is neither stored nor quarantined."""
    problems = []
    waiting = os.listdir(run.maildir / "new")
    if waiting:
        problems.append(f"{len(waiting)} mails still in new/")
    if sum(counts.values()) != len(run.delivered):
        problems.append(f"{len(run.delivered)} delivered, {sum(counts.values())} accounted for")
    ids = sorted({message_id for _, message_id in run.delivered if message_id})
    with desk.db.connect() as connection:
        stored = set()
        for start in range(0, len(ids), 5000):
            chunk = ids[start : start + 5000]
            stored |= set(
                connection.execute(
                    sa.select(Message.email_message_id).where(Message.email_message_id.in_(chunk))
                ).scalars()
            )
            stored |= set(
                connection.execute(
                    sa.select(QuarantinedMail.email_message_id).where(
                        QuarantinedMail.email_message_id.in_(chunk)
                    )
                ).scalars()
            )
    missing = len(ids) - len(stored)
    if missing:
        problems.append(f"{missing} Message-IDs neither on a ticket nor quarantined")
    return problems


def _takes_repeated(desk: Desk, run: DeskRun) -> list[str]:
    taken = run.pooled("operator", "taken")
    problems = []
    twice = [number for number, times in Counter(taken).items() if times > 1]
    if twice:
        problems.append(f"{len(twice)} tickets handed out twice: {twice[:5]}")
    with desk.db.connect() as connection:
        audited = connection.execute(
            sa.select(AuditEvent.ticket_id)
            .where(AuditEvent.action == "take", AuditEvent.at >= run.started)
            .group_by(AuditEvent.ticket_id)
            .having(sa.func.count() > 1)
        ).all()
    if audited:
        problems.append(f"{len(audited)} tickets with two take events")
    return problems


def _changes_skipped(desk: Desk, run: DeskRun) -> list[str]:
    """A console that read change N has read every change logged between its
    first and N: the log is read in commit order, so none may come in behind."""
    with desk.db.connect() as connection:
        logged = (
            connection.execute(
                sa.select(ChangeLog.id)
                .where(ChangeLog.id > run.first_change)
                .order_by(ChangeLog.id)
            )
            .scalars()
            .all()
        )
    problems = []
    for actor, label, measured in run.results:
        if actor != "console" or not measured["seen"]:
            continue
        seen = {change_id for change_id, _noticed in measured["seen"]}
        low, high = min(seen), max(seen)
        skipped = [id_ for id_ in logged if low <= id_ <= high and id_ not in seen]
        if skipped:
            problems.append(f"{label} skipped {len(skipped)} changes: {skipped[:5]}")
    return problems


def _share(value: float, seconds: float) -> str:
    return f"{value / seconds:.2f}" if seconds else "-"


def _server(run: DeskRun, echo: Echo) -> None:
    server, seconds = run.server, run.server.seconds
    groups = sorted(server.cpu_by_group, key=lambda g: -server.cpu_by_group[g])
    shares = ", ".join(f"{g} {_share(server.cpu_by_group[g], seconds)}" for g in groups)
    echo(
        f"PostgreSQL CPU: {_share(server.cpu_seconds, seconds)} cores on average of "
        f"{os.cpu_count()} ({shares})"
    )
    cycles = max(len(run.pooled("operator", "take")), 1)
    # Mail still waiting at the stop was taken after the CPU was counted.
    mails = max(len(run.delivered) - (run.backlog[-1] if run.backlog else 0), 1)
    echo(
        f"  server CPU per operator cycle (page, take-next, reply) "
        f"{server.cpu_by_group.get('operator', 0.0) * 1000 / cycles:.1f} ms, "
        f"per mail {server.cpu_by_group.get('intake', 0.0) * 1000 / mails:.1f} ms"
    )
    held = {g: server.typical_connections(g) for g in server.connections_by_group if g != SERVER}
    echo(
        f"connections: {max(server.connections, default=0)} at most, "
        + ", ".join(f"{g} {count:g}" for g, count in sorted(held.items()))
        + " (median of the samples)"
    )


def one_console(run: DeskRun, echo: Echo) -> None:
    server = run.server
    if not server.seconds:
        echo("one console: no figures")
        return
    consoles = max(len(run.of("console")), 1)
    memory = server.memory_by_group.get("console", [])
    refreshes = max(len(run.pooled("console", "refresh")), 1)
    cpu = server.cpu_by_group.get("console", 0.0)
    private = statistics.median(m[0] for m in memory) / 1024 if memory else float("nan")
    pss = statistics.median(m[1] for m in memory) / 1024 if memory else float("nan")
    echo(
        f"one console: {server.typical_connections('console') / consoles:g} connections; "
        f"a backend holds {private:.1f} MiB of its own ({pss:.1f} MiB with its share of "
        f"shared memory); per re-read {cpu * 1000 / refreshes:.1f} ms of server CPU and "
        f"{sum(run.pooled('console', 'cpu')) * 1000 / refreshes:.1f} ms of its own (feed "
        f"reads and heartbeats included), {refreshes / consoles / server.seconds:.2f} "
        "re-reads a second"
    )


def _checks(echo: Echo, label: str, problems: Iterable[str]) -> bool:
    problems = list(problems)
    echo(f"{label}: {'ok' if not problems else 'LOST — ' + '; '.join(problems)}")
    return not problems


def _intake(run: DeskRun, echo: Echo) -> Counter:
    counts: Counter = Counter()
    for measured in run.of("intake"):
        counts.update(measured["counts"])
    fates = ", ".join(f"{fate} {count:,}" for fate, count in sorted(counts.items()))
    backlog = run.backlog or [0]
    echo(
        f"intake: {len(run.delivered):,} mails delivered; {fates}; waiting in new/ "
        f"median {statistics.median(backlog):g}, at most {max(backlog)}"
    )
    return counts


def _operators(run: DeskRun, echo: Echo) -> None:
    refused: Counter = Counter()
    for measured in run.of("operator"):
        refused.update(measured["refused"])
    taken = run.pooled("operator", "taken")
    echo(
        f"operators: {len(run.pooled('operator', 'take')):,} take-next calls, "
        f"{len(taken):,} tickets taken and answered; refused: "
        + (", ".join(f"{kind} {n}" for kind, n in refused.items()) or "none")
    )


def report(desk: Desk, plan: Any, run: DeskRun, echo: Echo) -> bool:
    """Prints every figure; returns whether nothing was lost."""
    loaded = run.loaded
    how = (
        f"loaded in {loaded['seconds']:,.0f} s + VACUUM ANALYZE {loaded['vacuum_seconds']:,.0f} s"
        if "seconds" in loaded
        else "load time not recorded"
    )
    echo(
        f"desk: {loaded.get('reused', loaded.get('tickets', 0)):,} tickets ({how}); "
        f"{plan.minutes:g} min, {plan.consoles} consoles, {plan.operators} operators, "
        f"mail at {plan.mail_rate:g}/s"
    )
    echo(
        f"machine: {os.cpu_count()} cores, load average {run.load_before:.1f} before the run "
        f"(other work on it), {os.getloadavg()[0]:.1f} at its end"
    )
    _latencies(desk, run, echo)
    counts = _intake(run, echo)
    _operators(run, echo)
    _server(run, echo)
    one_console(run, echo)
    mail_ok = _checks(echo, "every mail on a ticket or quarantined", _mail_lost(desk, run, counts))
    takes_ok = _checks(echo, "every take unique", _takes_repeated(desk, run))
    changes_ok = _checks(
        echo, "every console read every change, none skipped", _changes_skipped(desk, run)
    )
    return mail_ok and takes_ok and changes_ok
