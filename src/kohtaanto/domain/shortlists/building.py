"""Composing a vacancy's shortlist from the model's ranked suggestions.

The worker (``jobs.matching``) retrieves and ranks the candidates; what goes on the
list is decided here:

- Anyone a coordinator has already worked with (contacted, asked for consent, added
  by hand, ...) stays, with their status and history, ahead of the suggestions.
- Untouched model suggestions keep their entry ids across a rebuild: a suggestion
  still ranked is updated in place, only new people are inserted and only those who
  dropped out are deleted. A coordinator may have the board open while the worker
  rebuilds it, and a move on an entry id that a rebuild had replaced would answer 404.
- The exposure cap: someone already on enough active shortlists elsewhere is left for
  the others, so opportunities spread (their suggestion on this list is not
  "elsewhere").
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, cast
from uuid import UUID

from sqlalchemy import Table, bindparam, delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from kohtaanto.db.models import EntryStatus, Shortlist, ShortlistEntry, Vacancy
from kohtaanto.domain.shortlists.workflow import active_counts

entry_table = cast(Table, ShortlistEntry.__table__)


@dataclass(frozen=True)
class Suggestion:
    """One ranked candidate as the model proposes them: who, how well, and why.

    ``explain`` is called only for the suggestions that make the list: of the hundreds
    ranked, a few dozen are kept, and explaining them all costs about as much as
    scoring them.
    """

    jobseeker_id: UUID
    score: float
    features: dict[str, Any]
    explain: Callable[[], dict[str, Any]]

    @property
    def search_score(self) -> float:
        return float(self.features.get("search_score", 0.0))


async def compose(
    session: AsyncSession,
    vacancy_id: UUID,
    ranked: Sequence[Suggestion],
    *,
    retrieved: int,
    model_version: str,
    size: int,
    exposure_cap: int,
    fingerprint: str | None = None,
    reload: bool = True,
) -> Shortlist:
    """Build (or rebuild) the vacancy's shortlist from ``ranked`` (best first): at most
    ``size`` entries, the worked ones first, then the suggestions under the cap.

    ``fingerprint``: what the ranking was made from (``Shortlist.fingerprint``).
    ``reload``: return the shortlist with its entries as written (for a push); the
    nightly refresh, which reads nothing back, saves the two queries."""
    shortlist = await session.scalar(select(Shortlist).where(Shortlist.vacancy_id == vacancy_id))
    kept: list[ShortlistEntry] = []
    # Untouched model suggestions already on the shortlist: jobseeker id -> entry id.
    suggested: dict[UUID, UUID] = {}
    if shortlist is None:
        shortlist = Shortlist(
            vacancy_id=vacancy_id,
            model_version=model_version,
            retrieved=retrieved,
            fingerprint=fingerprint,
        )
        session.add(shortlist)
        await session.flush()
    else:
        shortlist.model_version = model_version
        shortlist.retrieved = retrieved
        shortlist.fingerprint = fingerprint
        entries = (
            await session.scalars(
                select(ShortlistEntry)
                .where(ShortlistEntry.shortlist_id == shortlist.id)
                .order_by(ShortlistEntry.rank)
            )
        ).all()
        for entry in entries:
            if entry.status is EntryStatus.SUGGESTED and entry.source == "model":
                suggested[entry.jobseeker_id] = entry.id
            else:
                kept.append(entry)
    taken = {e.jobseeker_id for e in kept}
    fresh = [c for c in ranked if c.jobseeker_id not in taken]
    wanted = max(0, size - len(kept))
    chosen: list[Suggestion] = []
    # The cap is looked up for the head of the list, a chunk at a time, not for all the
    # hundreds ranked: a few dozen are kept, and the count is a query over every
    # active shortlist.
    chunk = max(2 * wanted, 1)
    for start in range(0, len(fresh), chunk):
        if len(chosen) >= wanted:
            break
        head = fresh[start : start + chunk]
        busy = await active_counts(
            session, [c.jobseeker_id for c in head], excluding_shortlist=shortlist.id
        )
        chosen += [c for c in head if busy.get(c.jobseeker_id, 0) < exposure_cap]
    chosen = chosen[:wanted]
    for rank, entry in enumerate(kept, start=1):
        entry.rank = rank
    await session.flush()
    # Every write on a suggestion is conditional on it still being an untouched
    # suggestion: a move committed since the read above (by the coordinator, in
    # another transaction) is never undone, reranked among the suggestions or
    # deleted. PostgreSQL re-checks the condition on the row's newest committed
    # version (READ COMMITTED), and a move still in flight holds the row lock,
    # so the write waits for it and then re-checks.
    still_suggested = (
        entry_table.c.status == EntryStatus.SUGGESTED,
        entry_table.c.source == "model",
    )
    ranks = list(enumerate(chosen, start=len(kept) + 1))
    updates = [
        {
            "entry_id": suggested[c.jobseeker_id],
            "rank": rank,
            "score": float(c.score),
            "explanation": c.explain(),
            "features": c.features,
            "search_score": c.search_score,
        }
        for rank, c in ranks
        if c.jobseeker_id in suggested
    ]
    if updates:
        await session.execute(
            update(entry_table)
            .where(entry_table.c.id == bindparam("entry_id"), *still_suggested)
            .values(
                rank=bindparam("rank"),
                score=bindparam("score"),
                explanation=bindparam("explanation"),
                features=bindparam("features"),
                search_score=bindparam("search_score"),
            ),
            updates,
        )
    staying = {c.jobseeker_id for c in chosen}
    dropped = [e for j, e in suggested.items() if j not in staying]
    if dropped:
        await session.execute(
            delete(entry_table).where(entry_table.c.id.in_(dropped), *still_suggested)
        )
    session.add_all(
        ShortlistEntry(
            shortlist_id=shortlist.id,
            jobseeker_id=c.jobseeker_id,
            rank=rank,
            score=float(c.score),
            explanation=c.explain(),
            features=c.features,
            search_score=c.search_score,
        )
        for rank, c in ranks
        if c.jobseeker_id not in suggested
    )
    await session.flush()
    if not reload:
        return shortlist
    # The writes above went past the session: reload what it holds of this shortlist.
    await session.scalars(
        select(ShortlistEntry)
        .where(ShortlistEntry.shortlist_id == shortlist.id)
        .execution_options(populate_existing=True)
    )
    await session.refresh(shortlist, ["entries"])
    return shortlist


def summary(vacancy: Vacancy, shortlist: Shortlist) -> dict[str, Any]:
    """What the coordinator is pushed (a JSON payload): enough to decide to open the
    shortlist."""
    return {
        "vacancy_id": str(vacancy.id),
        "vacancy_title": vacancy.title,
        "employer": vacancy.employer.name,
        "candidates": len(shortlist.entries),
        "retrieved": shortlist.retrieved,
        "model_version": shortlist.model_version,
        "top": [
            {"rank": e.rank, "jobseeker_id": str(e.jobseeker_id), "score": round(e.score, 3)}
            for e in shortlist.entries[:5]
        ],
        "shortlist_url": f"/api/vacancies/{vacancy.id}/shortlist",
    }
