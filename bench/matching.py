"""Matching speed at demo scale; prints a table.

    scripts/bench            (sets up, starts services, seeds the demo if needed)

Times, on the configured database (the demo's PostgreSQL by default):
1. indexing every jobseeker profile into a fresh Meilisearch index (documents/s),
2. the Meilisearch candidate search alone, for 100 open vacancies (p50, p95),
3. building a whole shortlist — retrieve, load, featurise, rank, explain,
   write — for the same 100 vacancies (p50, p95). Shortlist writes are rolled
   back, so the demo's data is left as it was.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import statistics
import time
import uuid

from sqlalchemy import func, select

from kohtaanto.db import alchemy_config, session_scope
from kohtaanto.db.models import Jobseeker, Vacancy, VacancyStatus
from kohtaanto.settings import get_settings


def _percentiles(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return statistics.median(ordered) * 1000, p95 * 1000


async def _bench(vacancy_count: int) -> list[tuple[str, str, str]]:
    from dataclasses import replace

    from jobs.matching import build_shortlist
    from ml.registry import load_current
    from search import retrieve
    from search.client import search_client
    from search.documents import iter_jobseekers, jobseeker_document, load_vacancies
    from search.indexes import delete_indexes, ensure_indexes
    from search.sync import upsert_jobseekers

    base = get_settings()
    prefix = f"bench_{uuid.uuid4().hex[:6]}_"
    settings = replace(base, search=replace(base.search, index_prefix=prefix))
    rows: list[tuple[str, str, str]] = []
    async with search_client(settings.search) as client:
        await ensure_indexes(client, prefix)
        try:
            # 1. Index every jobseeker profile.
            started = time.perf_counter()
            docs = []
            async with session_scope() as session:
                async for batch in iter_jobseekers(session, 5000):
                    docs.extend(jobseeker_document(j) for j in batch)
            loaded = time.perf_counter() - started
            started = time.perf_counter()
            await upsert_jobseekers(client, docs, prefix)
            indexed = time.perf_counter() - started
            rows.append(
                (
                    f"index {len(docs):,} jobseeker profiles",
                    f"{len(docs) / indexed:,.0f} docs/s",
                    f"{indexed:.1f} s in Meilisearch; {loaded:.1f} s reading from the database",
                )
            )
            # The vacancies themselves come from the database in the shortlist step.
            model = load_current(settings.matching.model_dir)
            async with session_scope() as session:
                ids = list(
                    (
                        await session.scalars(
                            select(Vacancy.id)
                            .where(Vacancy.status == VacancyStatus.OPEN)
                            .order_by(Vacancy.id)
                            .limit(vacancy_count)
                        )
                    ).all()
                )
            search_times, shortlist_times, sizes = [], [], []
            for vacancy_id in ids:
                async with alchemy_config().get_session() as session:
                    vacancy = (await load_vacancies(session, [vacancy_id]))[0]
                    started = time.perf_counter()
                    hits = await retrieve.candidates_for_vacancy(
                        client,
                        vacancy,
                        prefix=prefix,
                        limit=settings.search.retrieve_limit,
                        radius_km=settings.search.retrieve_radius_km,
                    )
                    search_times.append(time.perf_counter() - started)
                    started = time.perf_counter()
                    shortlist = await build_shortlist(session, client, model, vacancy_id, settings)
                    shortlist_times.append(time.perf_counter() - started)
                    sizes.append(len(hits))
                    assert shortlist is not None
                    await session.rollback()
            p50, p95 = _percentiles(search_times)
            rows.append(
                (
                    f"Meilisearch candidate search ({len(ids)} vacancies)",
                    f"p50 {p50:.1f} ms, p95 {p95:.1f} ms",
                    f"{statistics.mean(sizes):.0f} candidates retrieved on average",
                )
            )
            p50, p95 = _percentiles(shortlist_times)
            rows.append(
                (
                    f"build a shortlist ({len(ids)} vacancies)",
                    f"p50 {p50:.1f} ms, p95 {p95:.1f} ms",
                    "retrieve + load + rank + explain + write top "
                    f"{settings.matching.shortlist_size}",
                )
            )
        finally:
            await delete_indexes(client, prefix)
    return rows


async def _population() -> tuple[int, int]:
    async with session_scope() as session:
        people = await session.scalar(select(func.count()).select_from(Jobseeker)) or 0
        open_ = await session.scalar(
            select(func.count()).select_from(Vacancy).where(Vacancy.status == VacancyStatus.OPEN)
        )
    return people, open_ or 0


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--vacancies", type=int, default=100, help="vacancies to shortlist")
    args = parser.parse_args()
    people, open_vacancies = asyncio.run(_population())
    if not people:
        raise SystemExit("no demo data: run scripts/demo --no-serve first (scripts/bench does)")
    rows = asyncio.run(_bench(args.vacancies))
    database = get_settings().database.url.split(":")[0]
    print(
        f"\nKohtaanto matching benchmark — {people:,} jobseekers, "
        f"{open_vacancies:,} open vacancies, {database}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}\n"
    )
    widths = [max(len(r[i]) for r in [*rows, ("what", "result", "notes")]) for i in range(3)]
    header = ("what", "result", "notes")
    print("| " + " | ".join(h.ljust(w) for h, w in zip(header, widths, strict=True)) + " |")
    print("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    for row in rows:
        print("| " + " | ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)) + " |")


if __name__ == "__main__":
    main()
