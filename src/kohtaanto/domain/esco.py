"""The ESCO vocabulary: import the official CSV export into the database.

ESCO classification, European Commission (reuse under Commission Decision
2011/833/EU). The importer reads the official download as published: the
classification zip ``esco-v*-classification-{lang}-csv.zip`` (``skills_{lang}.csv``,
``occupations_{lang}.csv``, ``ISCOGroups_{lang}.csv``) and the language-independent
relations zip ``esco-v*-relations-csv.zip`` (``occupationSkillRelations.csv``).
A folder holding the extracted CSV files works too.

The product ships a trimmed copy of ESCO v1.1.1 in English in ``kohtaanto/data/esco``,
in the same format, made by :func:`pack_esco`. Finnish or Swedish labels are loaded
by pointing :func:`import_esco` at the official download with ``language="fi"``.

The import is an upsert by URI (ISCO groups by code): rows are compared with what
the database holds, new ones are inserted, changed ones updated, so a second run
writes nothing.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from sqlalchemy import Table, bindparam, delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from kohtaanto.data import SHIPPED_ESCO_DIR
from kohtaanto.db.models import EscoOccupation, EscoSkill, IscoGroup, OccupationSkill

SHIPPED_ESCO_VERSION = "v1.1.1"

# Rows per INSERT/UPDATE batch: at most 7 columns, so well under asyncpg's
# 32 767 bind parameters even when rendered as one multi-row statement.
BATCH_ROWS = 2_000

# The columns the importer reads; pack_esco keeps exactly these.
_COLUMNS: dict[str, tuple[str, ...]] = {
    "skills": (
        "conceptUri",
        "skillType",
        "reuseLevel",
        "preferredLabel",
        "altLabels",
        "description",
    ),
    "occupations": (
        "conceptUri",
        "iscoGroup",
        "preferredLabel",
        "altLabels",
        "description",
        "code",
    ),
    "ISCOGroups": ("conceptUri", "code", "preferredLabel"),
    "occupationSkillRelations": ("occupationUri", "relationType", "skillType", "skillUri"),
}


@dataclass
class EscoImportReport:
    """What an import found in the source and what it changed in the database."""

    language: str
    source: str
    isco_groups: int = 0
    skills: int = 0
    occupations: int = 0
    relations: int = 0
    # Relations naming a skill or occupation the source does not define.
    relations_skipped: int = 0
    inserted: dict[str, int] = field(default_factory=dict)
    updated: dict[str, int] = field(default_factory=dict)
    deleted: dict[str, int] = field(default_factory=dict)

    @property
    def changed(self) -> int:
        """Rows written in total; 0 when the database already matched the source."""
        return sum(self.inserted.values()) + sum(self.updated.values()) + sum(self.deleted.values())


# --- reading the official files ------------------------------------------------------


class _EscoFiles:
    """Opens the four CSV files of an ESCO release, zipped or extracted."""

    def __init__(self, source: Path, language: str) -> None:
        self.source = source
        self.language = language
        self._stack = ExitStack()
        self._members: dict[str, tuple[zipfile.ZipFile | None, str]] = {}

    def __enter__(self) -> _EscoFiles:
        lang = self.language
        wanted = {
            "skills": f"skills_{lang}.csv",
            "occupations": f"occupations_{lang}.csv",
            "ISCOGroups": f"ISCOGroups_{lang}.csv",
            "occupationSkillRelations": "occupationSkillRelations.csv",
        }
        if not self.source.is_dir():
            raise FileNotFoundError(f"ESCO source {self.source} is not a folder")
        zips = [
            _latest(self.source, f"esco-v*-classification-{lang}-csv.zip"),
            _latest(self.source, "esco-v*-relations-csv.zip"),
        ]
        for zip_path in (z for z in zips if z is not None):
            archive = self._stack.enter_context(zipfile.ZipFile(zip_path))
            names = {Path(n).name: n for n in archive.namelist()}
            for key, name in wanted.items():
                if name in names and key not in self._members:
                    self._members[key] = (archive, names[name])
        for key, name in wanted.items():
            if key not in self._members and (self.source / name).is_file():
                self._members[key] = (None, str(self.source / name))
        missing = [wanted[k] for k in wanted if k not in self._members]
        if missing:
            raise FileNotFoundError(
                f"ESCO source {self.source} lacks {', '.join(missing)} for language {lang!r}: "
                f"expected esco-v*-classification-{lang}-csv.zip and esco-v*-relations-csv.zip "
                "or the extracted CSV files"
            )
        return self

    def __exit__(self, *exc: object) -> None:
        self._stack.close()

    def file_name(self, key: str) -> str:
        """The bare file name of one of the four files, e.g. ``skills_en.csv``."""
        return Path(self._members[key][1]).name

    def rows(self, key: str) -> Iterator[dict[str, str]]:
        archive, name = self._members[key]
        raw: IO[bytes] = archive.open(name) if archive is not None else open(name, "rb")  # noqa: SIM115
        with io.TextIOWrapper(raw, encoding="utf-8-sig", newline="") as text:
            yield from csv.DictReader(text)


def _latest(folder: Path, pattern: str) -> Path | None:
    found = sorted(folder.glob(pattern))
    return found[-1] if found else None


def _labels(text: str) -> list[str]:
    # altLabels are newline separated; keep their order, drop blanks and repeats.
    seen: dict[str, None] = {}
    for label in text.split("\n"):
        label = label.strip()
        if label:
            seen.setdefault(label, None)
    return list(seen)


# --- writing: upsert by natural key ---------------------------------------------------


def _batches(
    rows: Sequence[dict[str, Any]], size: int = BATCH_ROWS
) -> Iterator[Sequence[dict[str, Any]]]:
    for start in range(0, len(rows), size):
        yield rows[start : start + size]


async def _upsert(
    session: AsyncSession, table: Table, key: str, rows: list[dict[str, Any]]
) -> tuple[int, int]:
    """Insert rows whose ``key`` is new, update rows that differ; return the counts."""
    columns = [table.c[name] for name in rows[0]] if rows else []
    existing = {
        row[key]: row for row in (await session.execute(select(table.c.id, *columns))).mappings()
    }
    new = [r for r in rows if r[key] not in existing]
    changed = [
        {"b_id": existing[r[key]]["id"], **r}
        for r in rows
        if r[key] in existing and any(existing[r[key]][c] != v for c, v in r.items())
    ]
    for batch in _batches(new):
        await session.execute(table.insert(), list(batch))
    if changed:
        statement = (
            update(table)
            .where(table.c.id == bindparam("b_id"))
            .values({name: bindparam(name) for name in rows[0] if name != key})
        )
        for batch in _batches(changed):
            await session.execute(statement, list(batch))
    return len(new), len(changed)


async def _ids(session: AsyncSession, table: Table, key: str) -> dict[str, int]:
    result = await session.execute(select(table.c[key], table.c.id))
    return {k: i for k, i in result.tuples()}


async def import_esco(
    session: AsyncSession, source: Path | None = None, language: str = "en"
) -> EscoImportReport:
    """Load ISCO groups, skills, occupations and their relations from an ESCO CSV release.

    ``source`` is a folder with the official zips (or the extracted CSVs); None means
    the trimmed ESCO v1.1.1 (English) shipped with Kohtaanto. Labels come from the
    ``language`` files. Idempotent: rows are matched by URI, and for every occupation
    in the source its skill relations are made to equal the source's. The caller
    commits.
    """
    folder = Path(source) if source is not None else SHIPPED_ESCO_DIR
    report = EscoImportReport(language=language, source=str(folder))
    with _EscoFiles(folder, language) as files:
        isco_rows = [
            {"code": r["code"], "label": r["preferredLabel"]}
            for r in files.rows("ISCOGroups")
            if r["code"]
        ]
        skill_rows = [
            {
                "uri": r["conceptUri"],
                "label": r["preferredLabel"],
                "alt_labels": _labels(r.get("altLabels", "")),
                "skill_type": r.get("skillType", ""),
                "reuse_level": r.get("reuseLevel", ""),
                "description": r.get("description", ""),
            }
            for r in files.rows("skills")
        ]
        occupation_rows = [
            {
                "uri": r["conceptUri"],
                "label": r["preferredLabel"],
                "alt_labels": _labels(r.get("altLabels", "")),
                "isco_code": r["iscoGroup"],
                "description": r.get("description", ""),
            }
            for r in files.rows("occupations")
        ]
        relation_rows = [
            (r["occupationUri"], r["skillUri"], r["relationType"] == "essential")
            for r in files.rows("occupationSkillRelations")
        ]

    report.isco_groups, report.skills = len(isco_rows), len(skill_rows)
    report.occupations, report.relations = len(occupation_rows), len(relation_rows)
    for name, model, key, rows in (
        ("isco_groups", IscoGroup, "code", isco_rows),
        ("skills", EscoSkill, "uri", skill_rows),
        ("occupations", EscoOccupation, "uri", occupation_rows),
    ):
        inserted, updated = await _upsert(session, model.__table__, key, rows)  # type: ignore[arg-type]
        report.inserted[name], report.updated[name] = inserted, updated

    skill_ids = await _ids(session, EscoSkill.__table__, "uri")  # type: ignore[arg-type]
    occupation_ids = await _ids(session, EscoOccupation.__table__, "uri")  # type: ignore[arg-type]
    wanted: dict[tuple[int, int], bool] = {}
    for occupation_uri, skill_uri, essential in relation_rows:
        occupation_id = occupation_ids.get(occupation_uri)
        skill_id = skill_ids.get(skill_uri)
        if occupation_id is None or skill_id is None:
            report.relations_skipped += 1
            continue
        # Listed twice with different types: essential wins.
        wanted[(occupation_id, skill_id)] = (
            wanted.get((occupation_id, skill_id), False) or essential
        )
    inserted, updated, deleted = await _sync_relations(
        session, wanted, {occupation_ids[str(r["uri"])] for r in occupation_rows}
    )
    report.inserted["relations"], report.updated["relations"] = inserted, updated
    report.deleted["relations"] = deleted
    return report


async def _sync_relations(
    session: AsyncSession, wanted: dict[tuple[int, int], bool], occupations: set[int]
) -> tuple[int, int, int]:
    table: Table = OccupationSkill.__table__  # type: ignore[assignment]
    result = await session.execute(
        select(table.c.id, table.c.occupation_id, table.c.skill_id, table.c.essential)
    )
    existing = {(o, s): (i, e) for i, o, s, e in result.tuples()}
    new = [
        {"occupation_id": o, "skill_id": s, "essential": e}
        for (o, s), e in wanted.items()
        if (o, s) not in existing
    ]
    changed = [
        {"b_id": existing[pair][0], "essential": e}
        for pair, e in wanted.items()
        if pair in existing and existing[pair][1] != e
    ]
    # A relation the release no longer lists, for an occupation it does list.
    stale = [
        i for pair, (i, _) in existing.items() if pair[0] in occupations and pair not in wanted
    ]
    for batch in _batches(new):
        await session.execute(table.insert(), list(batch))
    statement = (
        update(table)
        .where(table.c.id == bindparam("b_id"))
        .values(essential=bindparam("essential"))
    )
    for batch in _batches(changed):
        await session.execute(statement, list(batch))
    for start in range(0, len(stale), BATCH_ROWS):
        await session.execute(
            delete(table).where(table.c.id.in_(stale[start : start + BATCH_ROWS]))
        )
    return len(new), len(changed), len(stale)


# --- look-ups for the API and the demo ------------------------------------------------


async def skill_ids_by_uri(session: AsyncSession, uris: Iterable[str]) -> dict[str, int]:
    """Database ids of the ESCO skills with these URIs; unknown URIs are left out."""
    return await _ids_for(session, EscoSkill, list(dict.fromkeys(uris)))


async def occupation_ids_by_uri(session: AsyncSession, uris: Iterable[str]) -> dict[str, int]:
    """Database ids of the ESCO occupations with these URIs; unknown URIs are left out."""
    return await _ids_for(session, EscoOccupation, list(dict.fromkeys(uris)))


async def occupation_by_uri(session: AsyncSession, uri: str) -> EscoOccupation | None:
    """The ESCO occupation with this URI, or None."""
    return await session.scalar(select(EscoOccupation).where(EscoOccupation.uri == uri))


async def _ids_for(
    session: AsyncSession, model: type[EscoSkill] | type[EscoOccupation], uris: list[str]
) -> dict[str, int]:
    found: dict[str, int] = {}
    for start in range(0, len(uris), BATCH_ROWS):
        chunk = uris[start : start + BATCH_ROWS]
        result = await session.execute(select(model.uri, model.id).where(model.uri.in_(chunk)))
        found.update({uri: id_ for uri, id_ in result.tuples()})
    return found


# --- the shipped copy -----------------------------------------------------------------


def pack_esco(source_dir: Path, target_dir: Path, language: str = "en") -> list[Path]:
    """Write a trimmed copy of an official ESCO CSV release, in the same format.

    Reads ``esco-v*-classification-{language}-csv.zip`` and ``esco-v*-relations-csv.zip``
    from ``source_dir`` and writes zips of the same names to ``target_dir`` holding only
    the four files and the columns :func:`import_esco` reads (descriptions kept: they
    feed text-to-skill suggestion). This is how ``kohtaanto/data/esco`` was made::

        python -c "from pathlib import Path; from kohtaanto.domain.esco import pack_esco; \\
            pack_esco(Path('/work/shared/data/esco-v1.1.1'), Path('src/kohtaanto/data/esco'))"
    """
    source_dir, target_dir = Path(source_dir), Path(target_dir)
    target_dir.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    plan = (
        (f"esco-v*-classification-{language}-csv.zip", ("skills", "occupations", "ISCOGroups")),
        ("esco-v*-relations-csv.zip", ("occupationSkillRelations",)),
    )
    with _EscoFiles(source_dir, language) as files:
        for pattern, keys in plan:
            original = _latest(source_dir, pattern)
            if original is None:
                raise FileNotFoundError(f"{source_dir} has no {pattern}")
            target = target_dir / original.name
            with zipfile.ZipFile(
                target, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9
            ) as out:
                for key in keys:
                    name = files.file_name(key)
                    buffer = io.StringIO(newline="")
                    writer = csv.writer(buffer, lineterminator="\n")
                    writer.writerow(_COLUMNS[key])
                    for row in files.rows(key):
                        writer.writerow([row.get(c, "") for c in _COLUMNS[key]])
                    out.writestr(name, buffer.getvalue())
            written.append(target)
    return written
