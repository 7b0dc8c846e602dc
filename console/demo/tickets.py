"""The demo's tickets, generated from a seed, in time order.

Each ticket is a short story told in steps: who writes and what became of it
by now, the conversation since, the escalations; `rows` then writes it down.
The odds and delays are the tables in `odds`; the statuses and the clock are
the domain's. While generating, times are seconds since 1970: a float costs
less than a datetime, and there may be a million tickets.
"""

from __future__ import annotations

import random
from bisect import bisect
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from itertools import accumulate
from typing import Any

from console.demo import odds, texts
from console.demo.pools import Pools
from console.demo.rows import DAY, Batch, Entry, RowWriter, Story
from console.rules.lifecycle import CLOCK_RUNS
from console.settings import Settings
from models import EscalationKind, Status

CHUNK = 20_000
_EPOCH = datetime(1970, 1, 1)
# Escalations on these are cleared: nobody works them any more.
_CLOSED = (Status.archived, Status.expired)


@dataclass(frozen=True)
class Spec:
    """Everything the generator needs, picklable for the generating process."""

    seed: int
    total: int
    now: datetime
    settings: Settings
    sqlite: bool
    staff: dict[str, list[int]]
    logins: dict[int, str]
    first_id: int
    first_number: int
    first_message_id: int


def _cumulative(weights: dict[Any, float]) -> tuple[list, list[float]]:
    return list(weights), list(accumulate(weights.values()))


class TicketGenerator:
    """Rows ready for the backend, generated from precomputed pools: a per-ticket
    cost of a few dozen random draws keeps a million tickets within the budget."""

    def __init__(self, spec: Spec) -> None:
        self.rng = random.Random(spec.seed)
        self.now = (spec.now.astimezone(UTC).replace(tzinfo=None) - _EPOCH).total_seconds()
        total = self.total = spec.total
        self.span = max(14, min(730, total // 1500)) * DAY
        self.operators = spec.staff["operator"]
        self.everyone = self.operators + spec.staff["supervisor"] + spec.staff["security"]
        self.next_id = spec.first_id
        self.next_number = spec.first_number
        self.services = _cumulative(odds.SERVICE_WEIGHTS)
        self.status_weights = [
            (limit, _cumulative(weights)) for limit, weights in odds.STATUS_BY_AGE
        ]
        self.expire_days = spec.settings.lifecycle_unconfirmed_expire_days
        self.settled_within = {
            kind: odds.SETTLED_WITHIN_DAYS.get(kind, odds.SETTLED_WITHIN_DAYS_OTHERWISE) * DAY
            for kind in EscalationKind
        }
        # Customers come back: about six tickets each over the demo's span.
        self.pools = Pools(self.rng, customers=max(200, total // 6))
        self.rows = RowWriter(self.rng, self.pools, spec, self.now)

    def _pick(self, cumulative: tuple[list, list[float]]) -> Any:
        population, weights = cumulative
        return population[bisect(weights, self.rng.random() * weights[-1])]

    # -- one ticket ---------------------------------------------------------------

    def ticket(self, created: float, batch: Batch, hostile_subject: str | None) -> int:
        """One ticket's rows into the batch; returns how many messages it has."""
        story = self._arrival(created, hostile_subject)
        self._conversation(story)
        self._escalations(story)
        self.rows.write(story, batch)
        return len(story.thread)

    def _status_for(self, age_days: float, confirmed: bool) -> Status:
        rng = self.rng
        if not confirmed:
            if age_days >= self.expire_days:
                return (
                    Status.expired if rng.random() < odds.EXPIRED_UNCONFIRMED else Status.archived
                )
            if rng.random() < odds.STILL_UNCONFIRMED:
                return Status.unconfirmed
        for limit, weights in self.status_weights:
            if age_days < limit:
                return self._pick(weights)
        raise AssertionError("the last age band has no limit")

    def _arrival(self, created: float, hostile_subject: str | None) -> Story:
        """Who writes, about what, and where the ticket stands by now."""
        rng = self.rng
        customer = rng.choice(self.pools.customers)
        lang, wmid = customer.lang, customer.wmid
        service = self._pick(self.services)
        confirmed = wmid is not None or rng.random() < odds.CONFIRMED_WITHOUT_WMID
        status = self._status_for((self.now - created) / DAY, confirmed)
        channel = "keeper" if wmid and rng.random() < odds.KEEPER_NOTICES else "email"
        source = "form" if wmid or rng.random() < odds.FORM_WITHOUT_WMID else "email"
        subject = hostile_subject or rng.choice(texts.SUBJECTS[service][lang])
        confirmed_at = None
        if confirmed and wmid:
            confirmed_at = created
        elif confirmed:
            confirmed_at = min(self.now, created + rng.uniform(*odds.CONFIRMED_AFTER))
        worked = confirmed and status in odds.WORKED
        assignee = None
        if worked and not (status == Status.open and rng.random() < odds.OPEN_BUT_UNASSIGNED):
            held_by = self.everyone if rng.random() < odds.HELD_BY_AN_OFFICER else self.operators
            assignee = rng.choice(held_by)
        first: Entry = (
            "customer",
            None,
            created,
            rng.choice(self.pools.first_messages[service, lang]),
        )
        story = Story(
            self.next_id,
            self.next_number,
            created,
            customer,
            service,
            status,
            confirmed,
            confirmed_at,
            worked,
            channel,
            source,
            subject,
            assignee,
            [first],
            last_at=created,
            waiting_since=confirmed_at,
        )
        self.next_id += 1
        self.next_number += 1
        return story

    def _conversation(self, story: Story) -> None:
        """An operator answers, the customer writes back, maybe more rounds: most
        tickets are one question and one answer. Nothing happens after now: a
        later answer is still to come."""
        rng, now, thread = self.rng, self.now, story.thread
        rounds = 0
        if story.worked:
            rounds = 1 + sum(rng.random() < chance for chance in odds.ANOTHER_ROUND)
        for round_no in range(rounds):
            last_round = round_no == rounds - 1
            reply_at = story.last_at + rng.uniform(*odds.REPLIED_AFTER)
            if reply_at > now:
                break
            story.last_at = reply_at
            if rng.random() < odds.NOTE_IN_A_ROUND:
                thread.append(("note", story.assignee, reply_at, rng.choice(self.pools.notes)))
            # While the clock runs the desk owes an answer: the last one may be still to come.
            owed = story.status in CLOCK_RUNS
            if last_round and owed and rng.random() < odds.LAST_ROUND_UNANSWERED:
                break
            author = story.assignee or rng.choice(self.operators)
            thread.append(
                ("operator", author, reply_at, rng.choice(self.pools.replies[story.customer.lang]))
            )
            story.answered_at = reply_at
            story.first_answered_at = story.first_answered_at or reply_at
            story.waiting_since = None
            if last_round and not owed:
                continue
            follow_up_at = reply_at + rng.uniform(*odds.FOLLOWED_UP_AFTER)
            if follow_up_at > now:
                if owed:
                    story.status = Status.answered
                break
            story.last_at = story.waiting_since = follow_up_at
            thread.append(
                (
                    "customer",
                    None,
                    follow_up_at,
                    rng.choice(self.pools.follow_ups[story.customer.lang]),
                )
            )
        if story.status == Status.answered and story.answered_at is None:
            story.status = Status.open
        if story.status not in CLOCK_RUNS:
            story.waiting_since = None
        elif story.waiting_since is None:
            story.waiting_since = story.confirmed_at or story.created

    def _escalations(self, story: Story) -> None:
        """Rare, likelier for some services; settled after a while, cleared once closed."""
        rng, now = self.rng, self.now
        boost = odds.ESCALATION_BOOST.get(story.service)
        for kind, chance in odds.ESCALATION_ODDS.items():
            if rng.random() < chance * (boost.get(kind, 1) if boost else 1):
                set_at = min(now, story.created + rng.uniform(*odds.ESCALATED_AFTER))
                cleared = (
                    now - set_at > self.settled_within[kind]
                    or story.status in _CLOSED
                    or rng.random() < odds.CLEARED_EARLY
                )
                story.escalations.append((kind, set_at, cleared))

    def batches(self) -> Iterator[tuple[Batch, int]]:
        """Tickets in time order, oldest first, in batches of CHUNK."""
        rng = self.rng
        offsets = sorted(rng.random() * self.span for _ in range(self.total))
        start = self.now - self.span
        hostile_at = {
            self.total - 1 - i: subject
            for i, subject in enumerate(texts.HOSTILE_SUBJECTS)
            if self.total > 50
        }
        done = 0
        while done < self.total:
            batch = Batch()
            messages = 0
            for i in range(done, min(done + CHUNK, self.total)):
                messages += self.ticket(start + offsets[i], batch, hostile_at.get(i))
            done += len(batch.ticket)
            yield batch, messages
