"""The ESCO importer against PostgreSQL, in a schema of its own."""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
)

from kohtaanto.db.models import EscoOccupation, EscoSkill, IscoGroup, OccupationSkill, metadata
from kohtaanto.domain.esco import (
    SHIPPED_ESCO_DIR,
    import_esco,
    occupation_by_uri,
    occupation_ids_by_uri,
    skill_ids_by_uri,
)
from tests.isolation import schema_engine


@pytest.fixture(scope="module")
async def engine() -> AsyncIterator[AsyncEngine]:
    async with schema_engine("t_esco") as engine:
        yield engine


@pytest.fixture
async def session(engine: AsyncEngine) -> AsyncIterator[AsyncSession]:
    async with engine.begin() as conn:
        for table in reversed(metadata.sorted_tables):
            await conn.execute(table.delete())
    async with async_sessionmaker(engine, expire_on_commit=False)() as session:
        yield session


def _read(zip_path: Path, name: str) -> list[dict[str, str]]:
    with zipfile.ZipFile(zip_path) as archive, archive.open(name) as raw:
        return list(csv.DictReader(io.TextIOWrapper(raw, encoding="utf-8", newline="")))


def _csv(rows: list[dict[str, str]]) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(rows[0]), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue()


@pytest.fixture(scope="module")
def subset() -> dict[str, list[dict[str, str]]]:
    """Three occupations of the shipped release with their skills and relations."""
    classification = SHIPPED_ESCO_DIR / "esco-v1.1.1-classification-en-csv.zip"
    relations = _read(
        SHIPPED_ESCO_DIR / "esco-v1.1.1-relations-csv.zip", "occupationSkillRelations.csv"
    )
    occupations = _read(classification, "occupations_en.csv")[:3]
    uris = {o["conceptUri"] for o in occupations}
    relations = [r for r in relations if r["occupationUri"] in uris]
    skill_uris = {r["skillUri"] for r in relations}
    skills = [s for s in _read(classification, "skills_en.csv") if s["conceptUri"] in skill_uris]
    codes = {o["iscoGroup"] for o in occupations}
    groups = [g for g in _read(classification, "ISCOGroups_en.csv") if g["code"] in codes]
    return {"skills": skills, "occupations": occupations, "groups": groups, "relations": relations}


def _write_zips(folder: Path, data: dict[str, list[dict[str, str]]], language: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(folder / f"esco-v1.1.1-classification-{language}-csv.zip", "w") as out:
        out.writestr(f"skills_{language}.csv", _csv(data["skills"]))
        out.writestr(f"occupations_{language}.csv", _csv(data["occupations"]))
        out.writestr(f"ISCOGroups_{language}.csv", _csv(data["groups"]))
    with zipfile.ZipFile(folder / "esco-v1.1.1-relations-csv.zip", "w") as out:
        out.writestr("occupationSkillRelations.csv", _csv(data["relations"]))
    return folder


async def _count(session: AsyncSession, model: type) -> int:
    return await session.scalar(select(func.count()).select_from(model)) or 0


async def test_import_counts_and_idempotent(
    session: AsyncSession, subset: dict[str, list[dict[str, str]]], tmp_path: Path
) -> None:
    source = _write_zips(tmp_path / "en", subset, "en")
    first = await import_esco(session, source)
    await session.commit()
    assert (first.skills, first.occupations, first.relations) == (
        len(subset["skills"]),
        3,
        len(subset["relations"]),
    )
    assert first.inserted["skills"] == len(subset["skills"])
    assert first.inserted["relations"] == len(subset["relations"])
    assert first.relations_skipped == 0

    second = await import_esco(session, source)
    await session.commit()
    assert second.changed == 0
    assert await _count(session, EscoSkill) == len(subset["skills"])
    assert await _count(session, EscoOccupation) == 3
    assert await _count(session, IscoGroup) == len(subset["groups"])
    assert await _count(session, OccupationSkill) == len(subset["relations"])

    occupation = subset["occupations"][0]
    found = await occupation_by_uri(session, occupation["conceptUri"])
    assert found is not None
    assert found.label == occupation["preferredLabel"]
    assert found.isco_code == occupation["iscoGroup"]
    assert found.alt_labels == [a for a in occupation["altLabels"].split("\n") if a.strip()]
    assert await occupation_by_uri(session, "http://example.org/none") is None
    skill_uris = [s["conceptUri"] for s in subset["skills"][:5]]
    ids = await skill_ids_by_uri(session, [*skill_uris, "http://example.org/none"])
    assert set(ids) == set(skill_uris)
    assert set(await occupation_ids_by_uri(session, [occupation["conceptUri"]])) == {
        occupation["conceptUri"]
    }


async def test_second_language_from_extracted_files(
    session: AsyncSession, subset: dict[str, list[dict[str, str]]], tmp_path: Path
) -> None:
    await import_esco(session, _write_zips(tmp_path / "en", subset, "en"))
    await session.commit()

    # The same release with Finnish labels, as extracted CSV files.
    folder = tmp_path / "fi"
    folder.mkdir()
    finnish = {
        key: [
            {**row, "preferredLabel": "FI " + row["preferredLabel"]}
            if "preferredLabel" in row
            else row
            for row in rows
        ]
        for key, rows in subset.items()
    }
    (folder / "skills_fi.csv").write_text(_csv(finnish["skills"]), encoding="utf-8")
    (folder / "occupations_fi.csv").write_text(_csv(finnish["occupations"]), encoding="utf-8")
    (folder / "ISCOGroups_fi.csv").write_text(_csv(finnish["groups"]), encoding="utf-8")
    (folder / "occupationSkillRelations.csv").write_text(
        _csv(finnish["relations"]), encoding="utf-8"
    )

    report = await import_esco(session, folder, language="fi")
    await session.commit()
    assert report.language == "fi"
    assert report.inserted == {"isco_groups": 0, "skills": 0, "occupations": 0, "relations": 0}
    assert report.updated["skills"] == len(subset["skills"])
    assert report.updated["relations"] == 0
    labels = list(await session.scalars(select(EscoSkill.label)))
    assert labels and all(label.startswith("FI ") for label in labels)

    with pytest.raises(FileNotFoundError, match=r"skills_sv\.csv"):
        await import_esco(session, folder, language="sv")


async def test_changed_relations_follow_the_source(
    session: AsyncSession, subset: dict[str, list[dict[str, str]]], tmp_path: Path
) -> None:
    await import_esco(session, _write_zips(tmp_path / "v1", subset, "en"))
    await session.commit()

    relations = [dict(r) for r in subset["relations"][1:]]
    relations[0]["relationType"] = (
        "optional" if relations[0]["relationType"] == "essential" else "essential"
    )
    report = await import_esco(
        session, _write_zips(tmp_path / "v2", {**subset, "relations": relations}, "en")
    )
    await session.commit()
    assert report.deleted["relations"] == 1
    assert report.updated["relations"] == 1
    assert report.inserted["relations"] == 0
    assert await _count(session, OccupationSkill) == len(subset["relations"]) - 1
