"""Places: the municipalities of Pirkanmaa and their employment areas (työllisyysalueet).

The municipalities come from ``kohtaanto/data/pirkanmaa-municipalities.csv``:
official code (three digits, leading zeros kept), name, the official Swedish name
(the Finnish one where the municipality has none: Tammerfors, Birkala, Tavastkyro,
Ikalis and Virdois have), sub-region (the pilot's
coordination areas), membership of the Tampere region employment area and
approximate town-centre coordinates.
"""

from __future__ import annotations

import csv
import functools
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from kohtaanto.data import DATA_DIR
from kohtaanto.db.models import EmploymentArea, Municipality
from kohtaanto.domain.instruments import TAMPERE_AREA

MUNICIPALITIES_CSV = DATA_DIR / "pirkanmaa-municipalities.csv"
TAMPERE_CODE = "837"

# Sub-region names in the genitive, as area names are written in Finnish.
_GENITIVE = {
    "Tampere": "Tampereen",
    "Tampereen kehyskunnat": "Tampereen kehyskuntien",
    "Etelä-Pirkanmaa": "Etelä-Pirkanmaan",
    "Läntinen Pirkanmaa": "Läntisen Pirkanmaan",
    "Ylä-Pirkanmaa": "Ylä-Pirkanmaan",
}


@dataclass(frozen=True)
class MunicipalityRecord:
    """One line of the municipalities file."""

    code: str
    name: str
    name_sv: str
    sub_region: str
    in_tampere_area: bool
    lat: float
    lon: float

    @property
    def area_name(self) -> str:
        """The employment area this municipality is placed in; see :func:`import_places`."""
        if self.in_tampere_area:
            return TAMPERE_AREA
        return f"{_GENITIVE.get(self.sub_region, self.sub_region)} työllisyysalue"


def read_municipalities(path: Path = MUNICIPALITIES_CSV) -> list[MunicipalityRecord]:
    """The municipalities in the shipped file, codes as text with their leading zeros."""
    with path.open(encoding="utf-8", newline="") as handle:
        return [
            MunicipalityRecord(
                code=row["code"].strip().zfill(3),
                name=row["name"].strip(),
                name_sv=(row.get("name_sv") or row["name"]).strip(),
                sub_region=row["sub_region"].strip(),
                in_tampere_area=row["in_tampere_employment_area"].strip().lower() == "yes",
                lat=float(row["centre_lat"]),
                lon=float(row["centre_lon"]),
            )
            for row in csv.DictReader(handle)
        ]


@functools.cache
def swedish_names() -> dict[str, str]:
    """Finnish municipality name → its official Swedish name (or the Finnish one)."""
    return {m.name: m.name_sv for m in read_municipalities()}


def place_name(name: str, lang: str) -> str:
    """A municipality's name in the interface language: Swedish has its own names for
    some (Tampere is Tammerfors); Finnish and English use the Finnish name."""
    if lang == "sv":
        return swedish_names().get(name, name)
    return name


async def import_places(session: AsyncSession) -> None:
    """Create or update the employment areas and the 23 municipalities of Pirkanmaa.

    The 16 municipalities of the Tampere region employment area go to
    "Tampereen seudun työllisyysalue". The other seven are grouped into one area
    per sub-region ("Läntisen Pirkanmaan työllisyysalue", "Ylä-Pirkanmaan
    työllisyysalue"): an approximation — their real 2025 areas also span
    municipalities outside Pirkanmaa, which Kohtaanto does not model.

    Idempotent: areas are matched by name, municipalities by code. The caller commits.
    """
    records = read_municipalities()
    areas = {a.name: a for a in await session.scalars(select(EmploymentArea))}
    for name in dict.fromkeys(r.area_name for r in records):
        if name not in areas:
            areas[name] = EmploymentArea(name=name)
            session.add(areas[name])
    await session.flush()

    existing = {m.code: m for m in await session.scalars(select(Municipality))}
    for record in records:
        municipality = existing.get(record.code)
        if municipality is None:
            municipality = Municipality(code=record.code)
            session.add(municipality)
        municipality.name = record.name
        municipality.sub_region = record.sub_region
        municipality.area_id = areas[record.area_name].id
        municipality.lat = record.lat
        municipality.lon = record.lon
    await session.flush()
