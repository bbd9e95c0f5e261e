"""Write ``sentences-{fi,sv,en}.jsonl`` from ``scenarios.py``, with the skills' URIs.

    python -m ml.eval.build        (reads the shipped ESCO; fails on an unknown label)

Every third scenario (0, 3, 6, …) is validation: thresholds, weights and the sentence
split are chosen on it. The rest is the test split, read only to report. A scenario's
three languages share its split, so no translation of a test sentence is seen while
choosing.
"""

from __future__ import annotations

import csv
import io
import json
import zipfile
from pathlib import Path

from kohtaanto.domain.esco import SHIPPED_ESCO_DIR
from ml.eval.scenarios import SCENARIOS

HERE = Path(__file__).resolve().parent
LANGUAGES = ("fi", "sv", "en")


def shipped_skill_uris() -> dict[str, str]:
    """Preferred label → URI of every skill in the shipped ESCO."""
    zip_path = next(SHIPPED_ESCO_DIR.glob("esco-v*-classification-en-csv.zip"))
    with zipfile.ZipFile(zip_path) as archive, archive.open("skills_en.csv") as raw:
        rows = csv.DictReader(io.TextIOWrapper(raw, encoding="utf-8-sig"))
        return {r["preferredLabel"]: r["conceptUri"] for r in rows}


def build(target: Path = HERE) -> dict[str, int]:
    uris = shipped_skill_uris()
    unknown = sorted({label for _, gold, *_ in SCENARIOS for label in gold if label not in uris})
    if unknown:
        raise SystemExit(f"not ESCO skill labels: {unknown}")
    counts = {}
    for column, language in enumerate(LANGUAGES):
        lines = []
        for number, (kind, gold, *texts) in enumerate(SCENARIOS):
            lines.append(
                json.dumps(
                    {
                        "id": f"{language}-{number:03d}",
                        "split": "validation" if number % 3 == 0 else "test",
                        "kind": kind,
                        "text": texts[column],
                        "skills": [uris[label] for label in gold],
                        "labels": list(gold),
                    },
                    ensure_ascii=False,
                )
            )
        (target / f"sentences-{language}.jsonl").write_text("\n".join(lines) + "\n")
        counts[language] = len(lines)
    return counts


if __name__ == "__main__":
    print(build())
