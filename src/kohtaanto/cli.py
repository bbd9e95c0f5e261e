"""The ``kohtaanto`` command: database, vocabulary, search index, model, demo."""

from __future__ import annotations

import asyncio
import json
import logging
import os
import signal
import subprocess
import sys
import time
from collections.abc import Awaitable
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

import click

if TYPE_CHECKING:
    from click._termui_impl import ProgressBar

    from kohtaanto.demo.national import NationalReport

T = TypeVar("T")


def _run(coro: Awaitable[T]) -> T:
    return asyncio.run(coro)  # type: ignore[arg-type]


class _Steps:
    """``progress(step, done, total)`` callbacks (the demo, the simulated history) shown
    as click progress bars, one per step, each ended when the step is done."""

    def __init__(self) -> None:
        self._step: str | None = None
        self._bar: ProgressBar[int] | None = None
        self._done = 0

    def __call__(self, step: str, done: int, total: int) -> None:
        if step != self._step or self._bar is None:
            self.close()
            self._bar = click.progressbar(length=total, label=f"  {step:<28}", show_pos=True)
            self._bar.__enter__()
            self._step, self._done = step, 0
        self._bar.update(done - self._done)
        self._done = done
        if done >= total:
            self.close()

    def close(self) -> None:
        if self._bar is not None:
            self._bar.__exit__(None, None, None)
        self._bar, self._step = None, None


@click.group()
@click.option("-v", "--verbose", is_flag=True, help="Log at INFO level.")
@click.pass_context
def main(ctx: click.Context, verbose: bool) -> None:
    """Kohtaanto: workforce matching for public employment services."""
    logging.basicConfig(
        level=logging.INFO if verbose else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
    )
    from kohtaanto.settings import get_settings, require_strong_secrets

    # Every command: a bad value in the environment stops it here, naming the variable.
    get_settings()
    # The demo draws its own secrets first; the database commands (migrations, the
    # demo's PostgreSQL) use neither the token secret nor the Meilisearch key.
    if ctx.invoked_subcommand not in ("demo", "db", "seed-national"):
        require_strong_secrets()


@main.group()
def db() -> None:
    """The database schema."""


@db.command("upgrade")
@click.argument("revision", default="head")
def db_upgrade(revision: str) -> None:
    """Apply migrations up to REVISION (default: head)."""
    from kohtaanto.db.migrate import upgrade

    _ensure_var()
    upgrade(revision)
    click.echo(f"database at {revision}")


@db.command("start")
def db_start() -> None:
    """Start the demo's own PostgreSQL (var/postgres, Unix socket); print its URL.

    Nothing is started when KOHTAANTO_DATABASE_URL names a database."""
    from kohtaanto.db import embedded

    if embedded.configured():
        click.echo("KOHTAANTO_DATABASE_URL is set: using that database")
        return
    click.echo(embedded.start())


@db.command("stop")
def db_stop() -> None:
    """Stop the demo's own PostgreSQL."""
    from kohtaanto.db import embedded

    click.echo("stopped" if embedded.stop() else "not running")


@main.command("import-esco")
@click.option(
    "--source",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    default=None,
    help="Folder with the official ESCO CSV zips (default: the copy shipped with Kohtaanto).",
)
@click.option(
    "--language", default="en", show_default=True, help="ESCO language code of the files."
)
def import_esco_cmd(source: Path | None, language: str) -> None:
    """Import ESCO skills, occupations, ISCO groups and their relations (idempotent)."""
    from kohtaanto.db import session_scope
    from kohtaanto.domain.esco import import_esco

    async def go() -> None:
        async with session_scope() as session:
            report = await import_esco(session, source, language)
        click.echo(f"ESCO imported: {report}")
        await _ensure_esco_vectors()

    _run(go())


async def _ensure_esco_vectors() -> None:
    """Label vectors for the imported ESCO: shipped, stored, or computed now (minutes)."""
    from kohtaanto.db import session_scope
    from ml.embedding import ensure_label_vectors
    from ml.suggest import load_corpus

    async with session_scope() as session:
        corpus = await load_corpus(session)
    total = [0]
    done = [0]
    steps = _Steps()

    def start(count: int) -> None:
        total[0] = count
        click.echo(f"embedding {count} ESCO labels (once per release and language)")

    def progress(count: int) -> None:
        done[0] += count
        steps("ESCO label vectors", done[0], total[0])

    path, computed = await asyncio.to_thread(
        ensure_label_vectors, corpus, progress=progress, start=start
    )
    if computed:
        click.echo(f"ESCO label vectors stored in {path}")
    else:
        click.echo("ESCO label vectors: already there (shipped or stored)")


@main.command("esco-vectors")
@click.option(
    "--ship",
    is_flag=True,
    help="Write the vectors into the package (the shipped ESCO release), not under var/.",
)
@click.option("--verify", is_flag=True, help="Only compare stored vectors with the model.")
def esco_vectors_cmd(ship: bool, verify: bool) -> None:
    """Compute (or --verify) the label vectors of the ESCO in the database."""
    from kohtaanto.db import session_scope
    from kohtaanto.domain.esco import SHIPPED_ESCO_VERSION
    from ml.embedding import (
        SHIPPED_VECTORS,
        compute_label_vectors,
        concept_labels,
        find_label_vectors,
        vector_file,
        verify_label_vectors,
    )
    from ml.suggest import load_corpus

    async def go() -> None:
        async with session_scope() as session:
            corpus = await load_corpus(session)
        labels = concept_labels(corpus)
        if verify:
            stored = find_label_vectors(labels)
            if stored is None:
                raise click.ClickException("no stored vectors for the labels in the database")
            lowest = verify_label_vectors(stored, labels)
            click.echo(f"lowest cosine, stored vs fresh, over 200 labels: {lowest:.4f}")
            if lowest < 0.99:
                raise click.ClickException("stored vectors do not match the model")
            return
        total = sum(len(ts) for _, ts in labels)
        with click.progressbar(length=total, label="  ESCO label vectors", show_pos=True) as bar:
            vectors = await asyncio.to_thread(compute_label_vectors, labels, progress=bar.update)
        if ship:
            for old in SHIPPED_VECTORS.glob("esco-*-labels-*.npz"):
                old.unlink()
            path = SHIPPED_VECTORS / (
                f"esco-{SHIPPED_ESCO_VERSION}-en-labels-{vectors.fingerprint}.npz"
            )
        else:
            path = vector_file(vectors.fingerprint)
        click.echo(f"stored in {vectors.save(path)}")

    _run(go())


@main.command("import-places")
def import_places_cmd() -> None:
    """Import the employment areas and the 23 Pirkanmaa municipalities (idempotent)."""
    from kohtaanto.db import session_scope
    from kohtaanto.domain.places import import_places

    async def go() -> None:
        async with session_scope() as session:
            await import_places(session)
        click.echo("places imported")

    _run(go())


@main.command("import-partners")
@click.argument("source", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["csv", "json"]),
    default=None,
    help="By default from the file's extension.",
)
def import_partners_cmd(source: Path, fmt: str | None) -> None:
    """Import partner organisations and services from CSV or JSON (by source_id: a
    re-import updates; all or nothing). The worker indexes them (or `kohtaanto reindex`)."""
    from kohtaanto.db import session_scope
    from kohtaanto.domain.errors import DomainError
    from kohtaanto.domain.partners.catalogue import import_rows, parse_rows

    kind = fmt or source.suffix.lstrip(".").lower()
    text = source.read_text("utf-8")

    async def go() -> None:
        async with session_scope() as session:
            report = await import_rows(session, parse_rows(text, kind))
        click.echo(
            f"organisations: {report.organisations_created} new, "
            f"{report.organisations_updated} updated; services: {report.services_created} new, "
            f"{report.services_updated} updated"
        )

    try:
        _run(go())
    except DomainError as e:
        raise click.ClickException(f"{e.field or 'file'}: {e.render()}") from e


@main.command()
def reindex() -> None:
    """Rebuild the Meilisearch indexes (vacancies, jobseekers, ESCO) and swap them in."""
    from kohtaanto.db import session_scope
    from kohtaanto.settings import get_settings
    from search.client import search_client
    from search.keys import ensure_keys
    from search.partners import rebuild_services
    from search.sync import reindex as rebuild
    from search.sync import reindex_vocabulary

    async def go() -> None:
        settings = get_settings()
        started = time.perf_counter()
        await ensure_keys(settings.search)
        async with search_client(settings.search) as client, session_scope() as session:
            counts = await rebuild(client, session, settings.search.index_prefix)
            counts |= await reindex_vocabulary(client, session, settings.search.index_prefix)
            counts["partner_services"] = await rebuild_services(
                client, session, settings.search.index_prefix
            )
        click.echo(f"reindexed {counts} in {time.perf_counter() - started:.1f} s")

    _run(go())


@main.command("simulate-history")
@click.option(
    "--vacancies",
    type=int,
    default=None,
    help="Past vacancies (default: as many as open ones, at most 1 000).",
)
@click.option("--seed", default=42, show_default=True)
def simulate_history_cmd(vacancies: int | None, seed: int) -> None:
    """Simulate a year of recruitment outcomes over the demo population (ml/history.py)."""
    from kohtaanto.db import session_scope
    from kohtaanto.settings import get_settings
    from ml.history import has_history, simulate_history
    from search.client import search_client
    from search.retrieve import retriever

    async def go() -> None:
        settings = get_settings()
        async with search_client(settings.search) as client, session_scope() as session:
            if await has_history(session):
                raise click.ClickException("the database already has recorded outcomes")
            report = await simulate_history(
                session,
                retriever(client, settings.search),
                settings,
                vacancies=vacancies,
                seed=seed,
                progress=_Steps(),
            )
        click.echo(f"history simulated: {report.to_dict()}")

    _run(go())


@main.command()
@click.option("--seed", default=42, show_default=True)
def train(seed: int) -> None:
    """Train on recorded outcomes (split by time); promote only if it beats the model in use."""
    from kohtaanto.settings import get_settings
    from ml.dataset import load_outcomes
    from ml.train import train_from_history

    settings = get_settings()
    started = time.perf_counter()
    frame = _run(load_outcomes())
    if frame.empty:
        raise click.ClickException(
            "no recorded outcomes to learn from: run `kohtaanto simulate-history` first"
        )
    version = train_from_history(frame, settings.matching.model_dir, seed=seed)
    took = time.perf_counter() - started
    comparison = json.loads((version.path / "comparison.json").read_text())
    click.echo(f"model {version.version} ({version.metrics['kind']}) trained in {took:.1f} s")
    click.echo(f"  {'promoted' if version.promoted else 'NOT promoted'}: {comparison['decision']}")


@main.command()
def evaluate() -> None:
    """The model in use: held-out simulated months against baselines with a fairness table,
    the ESCO benchmark, and the simulator-sensitivity check."""
    from kohtaanto.settings import get_settings
    from ml.evaluate import run_evaluation

    try:
        result = run_evaluation(get_settings().matching.model_dir)
    except FileNotFoundError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(
        f"model {result.model_version} ({result.model_kind}); held out from {result.cutoff[:10]}: "
        f"{result.holdout_vacancies} vacancies, {result.candidates} retrieved candidates\n"
    )
    click.echo(result.metrics_table())
    click.echo("\nFairness of the model's order (attributes in the evaluation data only):\n")
    click.echo(result.fairness_markdown())
    if result.esco_benchmark is not None:
        click.echo(
            f"\nESCO benchmark ({result.esco_benchmark.queries} queries, pools of "
            f"{result.esco_benchmark.pool}; only skills differ; ml/benchmark.py):\n"
        )
        click.echo(result.esco_benchmark.markdown())
    if result.sensitivity is not None:
        click.echo("\nThe model in use under changed simulators (NDCG@10; ml/sensitivity.py):\n")
        click.echo(result.sensitivity.markdown())
    click.echo(f"\nstored in {result.saved_to}")


@main.command("evaluate-suggestions")
@click.option("--fraction", default=0.2, show_default=True, help="Share of occupations held out.")
@click.option("--seed", default=42, show_default=True)
@click.option(
    "--split",
    type=click.Choice(["test", "validation"]),
    default="test",
    show_default=True,
    help="Split of the sentence sets (ml/eval) to report.",
)
@click.option(
    "--tune", is_flag=True, help="Choose the fusion weight and thresholds on the validation split."
)
@click.option(
    "--descriptions/--no-descriptions",
    default=True,
    show_default=True,
    help="Also the held-out occupation descriptions (minutes: every sentence is embedded).",
)
def evaluate_suggestions(
    fraction: float, seed: int, split: str, tune: bool, descriptions: bool
) -> None:
    """Text → ESCO skills: sentence sets in fi/sv/en, and occupations held out of ESCO."""
    from kohtaanto.db import session_scope
    from ml.suggest import evaluate, format_table, load_corpus
    from ml.suggest_eval import (
        HybridMethod,
        evaluate_descriptions,
        evaluate_sentences,
        format_sentence_table,
    )
    from ml.suggest_eval import tune as tune_hybrid
    from ml.suggest_hybrid import build_hybrid

    async def go() -> None:
        async with session_scope() as session:
            corpus = await load_corpus(session)
        hybrid = build_hybrid(corpus)
        click.echo(
            f"ESCO in the database: {len(corpus.skills)} skills, {len(corpus.occupations)} "
            f"occupations; building the suggester takes {hybrid.fit_seconds:.1f} s; "
            f"label vectors: {'yes' if hybrid.semantic else 'MISSING (lexical only)'}\n"
        )
        method = HybridMethod(hybrid)
        if tune:
            best, objective = tune_hybrid(method)
            click.echo(f"best on the validation split: {best} (objective {objective:.3f})\n")
            hybrid.config = best
        click.echo(f"Sentence sets (ml/eval), {split} split:\n")
        click.echo(format_sentence_table(evaluate_sentences(corpus, method, split)))
        if not descriptions:
            return
        rows, cases = evaluate(corpus, fraction=fraction, seed=seed)
        rows.append(evaluate_descriptions(corpus, hybrid.config, fraction=fraction, seed=seed))
        click.echo(
            f"\n{cases} held-out occupations (seed {seed}): text = description, "
            "gold = essential skills; fitted without their descriptions and skill relations\n"
        )
        click.echo(format_table(rows))

    _run(go())


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True)
def serve(host: str, port: int) -> None:
    """Run the API (uvicorn)."""
    import uvicorn

    uvicorn.run("kohtaanto.app:create_app", factory=True, host=host, port=port)


# How much lower a bulk-only worker's CPU priority is (nice(2); 19 is the lowest).
BULK_NICENESS = 10


@main.command()
@click.option("--burst", is_flag=True, help="Run the queued jobs, then stop.")
@click.option(
    "--lane",
    type=click.Choice(["both", "interactive", "bulk"]),
    default="both",
    show_default=True,
    help="Which queue(s) to serve; both: interactive first, bulk when it is idle.",
)
def worker(burst: bool, lane: str) -> None:
    """Run the background worker (arq): the interactive and the bulk queue."""
    from jobs.worker import run_workers
    from kohtaanto.observability import configure_logging
    from kohtaanto.queue import BULK, INTERACTIVE
    from kohtaanto.settings import get_settings

    observability = get_settings().observability
    configure_logging(observability.log_format, observability.log_level)
    lanes = (INTERACTIVE, BULK) if lane == "both" else (lane,)
    if lanes == (BULK,):
        # A process of bulk work only yields the CPU to everything else on the machine:
        # the nightly refresh must not slow down a publication or a page.
        os.nice(BULK_NICENESS)
    _run(run_workers(lanes, burst=burst))


@main.command("scheduled")
@click.argument("name")
def scheduled_cmd(name: str) -> None:
    """Run scheduled job NAME now, as the worker's cron would (see jobs/scheduled.py):
    refresh-shortlists, rebuild-shortlists, expire-consents, retrain or purge-inactive."""
    from jobs.scheduled import SCHEDULED
    from jobs.worker import shutdown, startup

    job = SCHEDULED.get(name)
    if job is None:
        raise click.BadParameter(f"one of: {', '.join(SCHEDULED)}", param_hint="NAME")

    async def go() -> None:
        ctx: dict[str, object] = {}
        await startup(ctx)
        try:
            report = await job(ctx)
        finally:
            await shutdown(ctx)
        click.echo(json.dumps(report, default=str))

    _run(go())


@main.command()
@click.option("--jobseekers", default=30_000, show_default=True)
@click.option("--employers", default=2_000, show_default=True)
@click.option("--vacancies", default=3_000, show_default=True)
@click.option("--seed", default=42, show_default=True)
@click.option(
    "--serve/--no-serve", default=True, show_default=True, help="Start API and worker afterwards."
)
@click.option("--port", default=8000, show_default=True)
def demo(
    jobseekers: int, employers: int, vacancies: int, seed: int, serve: bool, port: int
) -> None:
    """Set up the Pirkanmaa demo on the embedded defaults and start API and worker.

    The database is the demo's own PostgreSQL under var/postgres (started here and
    stopped when the demo stops), or the one KOHTAANTO_DATABASE_URL names."""
    from kohtaanto.db import embedded
    from kohtaanto.demo.run import prepare_demo
    from kohtaanto.demo.secrets import enter_demo_mode
    from kohtaanto.settings import VAR_DIR, get_settings

    _ensure_var()
    # Random secrets under var/ (made once); the API and worker children inherit them.
    enter_demo_mode(VAR_DIR)
    started_here = False
    if not embedded.configured():
        click.echo("  PostgreSQL (var/postgres) ...", nl=False)
        started_here = not embedded.running()
        # The API and the worker are children: they inherit the address.
        os.environ["KOHTAANTO_DATABASE_URL"] = embedded.start()
        click.echo(" ready")
    # Readable logs on the console (production logs JSON lines), and metrics at /metrics.
    os.environ.setdefault("KOHTAANTO_LOG_FORMAT", "text")
    os.environ.setdefault("KOHTAANTO_METRICS", "1")
    get_settings.cache_clear()
    try:
        users = prepare_demo(
            jobseekers=jobseekers,
            employers=employers,
            vacancies=vacancies,
            seed=seed,
            progress=_Steps(),
        )
    except BaseException:
        if started_here:
            embedded.stop()
        raise
    _demo_ready(users, serve, port)
    if not serve:
        if started_here:
            click.echo("PostgreSQL keeps running for other commands; `kohtaanto db stop` ends it.")
        return
    try:
        _serve_both(port)
    finally:
        if started_here:
            embedded.stop()


@main.command("seed-national")
@click.option(
    "--database-url",
    envvar="KOHTAANTO_DATABASE_URL",
    required=True,
    help="PostgreSQL (postgresql+asyncpg://...); by default KOHTAANTO_DATABASE_URL.",
)
@click.option("--jobseekers", default=350_000, show_default=True)
@click.option("--vacancies", type=int, default=None, help="Default: 83 000 per 350 000 jobseekers.")
@click.option("--employers", type=int, default=None, help="Default: 40 000 per 350 000 jobseekers.")
@click.option("--seed", default=42, show_default=True)
def seed_national_cmd(
    database_url: str, jobseekers: int, vacancies: int | None, employers: int | None, seed: int
) -> None:
    """Fill an empty database with a national-size dataset: all 45 employment areas,
    loaded with COPY (schema, places and ESCO first, if missing). For the benchmark
    (bench/national.py); no search indexes, no model: `kohtaanto reindex` and train next."""
    from kohtaanto.demo.national import scaled_sizes

    os.environ["KOHTAANTO_DATABASE_URL"] = database_url
    from kohtaanto.settings import get_settings

    get_settings.cache_clear()
    default_vacancies, default_employers = scaled_sizes(jobseekers)
    try:
        report = _run(
            _seed_national(
                jobseekers,
                default_vacancies if vacancies is None else vacancies,
                default_employers if employers is None else employers,
                seed,
            )
        )
    except RuntimeError as e:  # already seeded, or no places or ESCO
        raise click.ClickException(str(e)) from e
    click.echo(
        f"{report.jobseekers:,} jobseekers, {report.vacancies:,} vacancies, "
        f"{report.employers:,} employers, {report.users:,} users in {report.areas} "
        f"employment areas; {report.jobseeker_skills + report.vacancy_skills:,} skill rows; "
        f"{report.seconds:.1f} s"
    )


async def _seed_national(
    jobseekers: int, vacancies: int, employers: int, seed: int
) -> NationalReport:
    from sqlalchemy import func, select

    from kohtaanto.db import session_scope
    from kohtaanto.db.migrate import upgrade
    from kohtaanto.db.models import EscoSkill
    from kohtaanto.demo.national import import_national_places, seed_national
    from kohtaanto.domain.esco import import_esco

    steps = _Steps()
    steps("database schema", 0, 1)
    # Alembic runs its own event loop, so it gets a thread of its own.
    await asyncio.to_thread(upgrade, "head")
    steps("database schema", 1, 1)
    async with session_scope() as session:
        await import_national_places(session)
        if not await session.scalar(select(func.count()).select_from(EscoSkill)):
            steps("ESCO classification", 0, 1)
            await import_esco(session)
            steps("ESCO classification", 1, 1)
    async with session_scope() as session:
        report = await seed_national(
            session,
            jobseekers=jobseekers,
            vacancies=vacancies,
            employers=employers,
            seed=seed,
            progress=steps,
        )
    steps.close()
    return report


def _demo_ready(users: list[tuple[str, str]], serve: bool, port: int) -> None:
    click.echo("\nDemo users (password: demo):")
    for role, email in users:
        click.echo(f"  {role:<12} {email}")
    if not serve:
        return
    click.echo(f"\nWeb:      http://127.0.0.1:{port}/  (log in as a demo user)")
    click.echo(f"API:      http://127.0.0.1:{port}/api  (OpenAPI: http://127.0.0.1:{port}/schema)")
    click.echo("Worker:   kohtaanto worker (interactive queue first, then bulk)")
    click.echo("Stop with Ctrl-C.\n")


def _serve_both(port: int) -> None:
    """Run API and worker as child processes until interrupted."""
    exe = [sys.executable, "-m", "kohtaanto.cli"]

    def stop(signum: int, _: object) -> None:
        raise KeyboardInterrupt

    # A service manager stops us with SIGTERM; treat it as Ctrl-C and stop the children.
    signal.signal(signal.SIGTERM, stop)
    # A page never hangs behind the worker's locks: after 10 s it answers 503, retry.
    api_env = {"KOHTAANTO_DATABASE_LOCK_TIMEOUT": "10s", **os.environ}
    children = [
        subprocess.Popen([*exe, "serve", "--port", str(port)], env=api_env),
        subprocess.Popen([*exe, "worker"]),
    ]
    try:
        while all(c.poll() is None for c in children):
            time.sleep(1)
    except KeyboardInterrupt:
        pass
    finally:
        for c in children:
            if c.poll() is None:
                c.send_signal(signal.SIGTERM)
        for c in children:
            try:
                c.wait(timeout=15)
            except subprocess.TimeoutExpired:
                c.kill()


def _ensure_var() -> None:
    from kohtaanto.settings import VAR_DIR

    os.makedirs(VAR_DIR, exist_ok=True)


if __name__ == "__main__":
    main()
