"""Speed of text → ESCO suggestions; prints a table.

    python bench/suggest.py          (on the configured database, with ESCO imported)

Times building the suggester (what the first request to ``POST /api/esco/suggest``
pays in a fresh process: loading the ESCO tables and the stored label vectors,
fitting TF-IDF), embedding one autocomplete word, and one suggestion for a vacancy
sentence, a whole vacancy and a whole CV (p50, p95), cold: the encoder's memory of
recent sentences is cleared before each, so every sentence is embedded with
multilingual-e5-small and scored against all label vectors and TF-IDF. The last row
is what a page pays when the user edits one sentence of a CV and asks again.
The quality numbers are ``kohtaanto evaluate-suggestions``.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import statistics
import time

from kohtaanto.db import session_scope
from ml.embedding import get_encoder
from ml.suggest import load_corpus
from ml.suggest_hybrid import build_hybrid, split_sentences

SENTENCE_FI = "Etsimme kokkia lounasravintolaan, hygieniapassi vaaditaan."
SENTENCE_EN = "We are looking for a cook for our lunch restaurant; a hygiene passport is required."
VACANCY_FI = (
    "Kokki, lounasravintola Tampereen keskustassa (kokoaikainen)\n"
    "Haemme kokkia keittiötiimiimme. Valmistat lounasruoat, keitot ja salaatit noin 200 "
    "asiakkaalle päivässä, leivot leivät ja noudatat reseptejämme. Pidät keittiön puhtaana "
    "omavalvonnan ja hygieniasääntöjen mukaan, ja hygieniapassi vaaditaan. Tilaat raaka-aineet "
    "ja huolehdit varastosta. Ravintola-alan perustutkinto on eduksi."
)
CV_FI = "\n".join(
    (
        "Ansioluettelo",
        "Olen 34-vuotias lähihoitaja ja asun Nokialla.",
        "Minulla on kuuden vuoden kokemus kotihoidosta ja kahden vuoden kokemus palvelutalosta.",
        "Työkokemus",
        "- Lähihoitaja, Nokian kaupungin kotihoito 2019-2025.",
        "Kävin asiakkaiden kotona, jaoin lääkkeet, mittasin verenpaineen ja tein haavanhoitoja.",
        "- Kirjasin hoitotyön potilastietojärjestelmään ja raportoin sairaanhoitajalle.",
        "- Autoin asiakkaita peseytymisessä, pukeutumisessa ja ruokailussa.",
        "- Hoitoapulainen, palvelutalo Koivukoti 2017-2019.",
        "Avustin ikääntyneitä asukkaita päivittäisissä toimissa ja järjestin viriketoimintaa.",
        "- Kesätyöt: siivooja, kauppakeskus Ideapark 2015-2016.",
        "Siivosin wc-tilat ja käytin lattianhoitokonetta.",
        "Koulutus",
        "- Sosiaali- ja terveysalan perustutkinto, lähihoitaja, Tampereen ammattiopisto 2017.",
        "- Lääkehoidon osaaminen (LOVe) ja voimassa oleva ensiapukortti.",
        "Kielitaito",
        "- Suomi äidinkieli, englanti hyvä, ruotsi tyydyttävä.",
        "Muuta",
        "- B-ajokortti ja oma auto.",
        "Olen tunnollinen ja rauhallinen, ja pidän ihmisten kanssa työskentelystä.",
        "Haluan kehittyä muistisairaiden hoidossa.",
    )
)
TEXTS = {
    "vacancy sentence (fi)": SENTENCE_FI,
    "vacancy sentence (en)": SENTENCE_EN,
    "whole vacancy (fi, 40 words)": VACANCY_FI,
    "whole CV (fi, 120 words)": CV_FI,
}


def _ms(samples: list[float], cpu: list[float] | None = None) -> tuple[str, str, str]:
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    used = f"{statistics.median(cpu) * 1000:.1f} ms" if cpu else ""
    return f"{statistics.median(ordered) * 1000:.1f} ms", f"{p95 * 1000:.1f} ms", used


async def _bench(repeats: int) -> list[tuple[str, str, str, str]]:
    started = time.perf_counter()
    async with session_scope() as session:
        corpus = await load_corpus(session)
    loaded = time.perf_counter() - started
    suggester = build_hybrid(corpus)
    rows = [
        (
            f"load ESCO ({len(corpus.skills)} skills, {len(corpus.occupations)} occupations)",
            f"{loaded:.2f} s",
            "",
            "",
        ),
        (
            "build the suggester (label vectors: "
            f"{'loaded' if suggester.semantic else 'MISSING'}, TF-IDF fitted)",
            f"{suggester.fit_seconds:.2f} s",
            "",
            "",
        ),
        (
            "first request in a process (load + build)",
            f"{loaded + suggester.fit_seconds:.2f} s",
            "",
            "",
        ),
    ]
    encoder = get_encoder()
    samples, cpu = [], []
    for _ in range(repeats):
        started, used = time.perf_counter(), time.process_time()
        encoder.encode(["hitsaus"], cached=False)
        samples.append(time.perf_counter() - started)
        cpu.append(time.process_time() - used)
    rows.append(("embed one autocomplete word", *_ms(samples, cpu)))
    for name, text in TEXTS.items():
        samples, cpu = [], []
        for _ in range(repeats):
            encoder.clear_cache()  # cold: every sentence embedded
            started, used = time.perf_counter(), time.process_time()
            suggester.suggest(text, skills=10, occupations=3)
            samples.append(time.perf_counter() - started)
            cpu.append(time.process_time() - used)
        rows.append(
            (f"suggest, {name}, {len(split_sentences(text))} sentences", *_ms(samples, cpu))
        )
    # A page re-suggests as the user edits: one sentence of the CV changed, the other
    # sentences' vectors are remembered.
    samples, cpu = [], []
    for round_ in range(repeats):
        edited = CV_FI.replace("Haluan kehittyä", f"Haluan ({round_}) kehittyä")
        suggester.suggest(CV_FI, skills=10, occupations=3)
        started, used = time.perf_counter(), time.process_time()
        suggester.suggest(edited, skills=10, occupations=3)
        samples.append(time.perf_counter() - started)
        cpu.append(time.process_time() - used)
    rows.append(("re-suggest the CV after editing one sentence", *_ms(samples, cpu)))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=20)
    args = parser.parse_args()
    rows = asyncio.run(_bench(args.repeats))
    print(f"\n{os.cpu_count()} cores, Python {platform.python_version()}\n")
    print(f"load average {os.getloadavg()[0]:.1f} (CPU time counts both cores' work)\n")
    header = ("step", "time (p50)", "p95", "CPU time (p50)")
    widths = [max(len(r[i]) for r in (header, *rows)) for i in range(4)]
    print("| " + " | ".join(h.ljust(w) for h, w in zip(header, widths, strict=True)) + " |")
    print("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    for row in rows:
        print("| " + " | ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)) + " |")


if __name__ == "__main__":
    main()
