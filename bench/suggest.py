"""Speed of text → ESCO suggestions; prints a table.

    python bench/suggest.py          (on the configured database, with ESCO imported)

Times loading the ESCO tables, fitting the suggester (what the first request to
``POST /api/esco/suggest`` pays in a fresh process), and one suggestion for a
short vacancy, a full vacancy and a long CV (p50, p95). The quality numbers are
``kohtaanto evaluate-suggestions``.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import statistics
import time

from kohtaanto.db import session_scope
from ml.suggest import fit_suggester, load_corpus

_VACANCY = (
    "Cook, lunch restaurant in Tampere. We are looking for a cook to prepare lunch dishes, "
    "soups and salads for 200 guests a day, bake bread, follow our recipes and keep the "
    "kitchen clean according to food hygiene rules. You will also order ingredients. "
)
TEXTS = {
    "short vacancy (5 words)": "Cook for a lunch restaurant",
    "vacancy (~60 words)": _VACANCY,
    "long CV (~3 000 words)": _VACANCY * 50,
}


def _ms(samples: list[float]) -> tuple[str, str]:
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return f"{statistics.median(ordered) * 1000:.1f} ms", f"{p95 * 1000:.1f} ms"


async def _bench(repeats: int) -> list[tuple[str, str, str]]:
    started = time.perf_counter()
    async with session_scope() as session:
        corpus = await load_corpus(session)
    loaded = time.perf_counter() - started
    suggester = fit_suggester(corpus)
    rows = [
        (
            f"load ESCO ({len(corpus.skills)} skills, {len(corpus.occupations)} occupations)",
            f"{loaded:.2f} s",
            "",
        ),
        ("fit the suggester", f"{suggester.fit_seconds:.2f} s", ""),
        ("first request in a process (load + fit)", f"{loaded + suggester.fit_seconds:.2f} s", ""),
    ]
    for name, text in TEXTS.items():
        samples = []
        for _ in range(repeats):
            started = time.perf_counter()
            suggester.suggest(text, skills=10, occupations=3)
            samples.append(time.perf_counter() - started)
        rows.append((f"suggest, {name}", *_ms(samples)))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=50)
    args = parser.parse_args()
    rows = asyncio.run(_bench(args.repeats))
    print(f"\n{os.cpu_count()} cores, Python {platform.python_version()}\n")
    header = ("step", "time (p50)", "p95")
    widths = [max(len(r[i]) for r in (header, *rows)) for i in range(3)]
    print("| " + " | ".join(h.ljust(w) for h, w in zip(header, widths, strict=True)) + " |")
    print("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    for row in rows:
        print("| " + " | ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)) + " |")


if __name__ == "__main__":
    main()
