"""Run the pipeline for datasets: extract, read, normalize, export, verify, publish.

Every dataset run holds the dataset's lock, cleans what a crashed run left, skips when sources,
declaration and pipeline version are unchanged, builds in a staging folder and publishes with
one atomic pointer switch. Bad input is kept in ``data/quarantine/<id>/<timestamp>/``.
"""

from __future__ import annotations

import hashlib
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import opengeodata
from opengeodata.declaration import DeclaredDataset
from opengeodata.errors import (
    DatasetBusyError,
    DownloadError,
    OpenGeoDataError,
    PipelineError,
    PublishError,
)
from opengeodata.manifest import Manifest, SourceFile
from opengeodata.settings import Settings
from opengeodata.store import Store
from pipelines.context import RunContext, log_nothing
from pipelines.extract import (
    clean_partial,
    extract,
    sample_files,
    sample_source_files,
    uses_remote,
)
from pipelines.lock import dataset_lock
from pipelines.progress import Progress
from pipelines.quarantine import quarantine
from pipelines.tiles import refresh_overview


@cache
def pipeline_version() -> str:
    """Package version plus a hash of the pipeline code: code changes rebuild datasets."""
    digest = hashlib.sha256(opengeodata.__version__.encode())
    for path in sorted(Path(__file__).parent.rglob("*.py")):
        digest.update(path.read_bytes())
    return f"{opengeodata.__version__}+{digest.hexdigest()[:12]}"


@dataclass
class RunResult:
    """What happened to one dataset."""

    dataset: str
    status: str  # "published" | "unchanged" | "failed"
    version: str | None = None
    message: str = ""
    quarantine: Path | None = None
    quarantine_note: str = ""


def fingerprint_of(sources: list[SourceFile], declaration_sha256: str) -> str:
    """Hash of source checksums, declaration and pipeline version."""
    digest = hashlib.sha256()
    for src in sources:
        digest.update(f"{src.name}:{src.sha256}\n".encode())
    digest.update(declaration_sha256.encode())
    digest.update(pipeline_version().encode())
    return digest.hexdigest()


def fingerprint(ctx: RunContext) -> str:
    """Fingerprint of a run context (after extract)."""
    return fingerprint_of(ctx.source_files, ctx.dataset.sha256)


def _unchanged(store: Store, live: Manifest | None, fp: str) -> RunResult | None:
    """A result when nothing needs building: the live version, or a newer kept version that
    was rolled back from, was built from the same sources, declaration and pipeline."""
    if live is None:
        return None
    if live.fingerprint == fp:
        return RunResult(live.dataset, "unchanged", live.version,
                         "sources, declaration and pipeline unchanged")
    for version in reversed(store.versions(live.dataset)):
        if version <= live.version:
            break
        try:
            newer = Manifest.read(store.dataset_dir(live.dataset) / "versions" / version)
        except (OSError, ValueError):
            continue
        if newer.fingerprint == fp:
            return RunResult(live.dataset, "unchanged", live.version,
                             f"unchanged since version {version}, which was rolled back; "
                             "--force publishes it again")
    return None


def _input_files(ctx: RunContext, error: BaseException) -> list[Path]:
    """The files to keep in quarantine for a failed run."""
    files = list(ctx.sources)
    if isinstance(error, DownloadError) and error.partial is not None:
        files.append(error.partial)
    if not files and not uses_remote(ctx.dataset, ctx.settings):
        try:
            files = sample_files(ctx.dataset)
        except OpenGeoDataError:
            files = []
    return files


def _quarantine(ctx: RunContext, error: OpenGeoDataError, step: str) -> Path:
    details = {"declaration": str(ctx.dataset.path)}
    if isinstance(error, DownloadError):
        details["url"] = error.url
    kept = quarantine(ctx.settings.data_dir, ctx.id, _input_files(ctx, error), error,
                      step=step, details=details, keep=ctx.settings.quarantine_keep,
                      max_bytes=ctx.settings.quarantine_max_bytes)
    if isinstance(error, DownloadError) and error.partial is not None:
        shutil.rmtree(error.partial.parent, ignore_errors=True)
    error.quarantine_note = kept.note
    return kept.folder


def run_dataset(
    dataset: DeclaredDataset,
    settings: Settings,
    *,
    force: bool = False,
    log: Callable[[str], None] = log_nothing,
    progress: Progress | None = None,
    wait: bool = True,
) -> RunResult:
    """Refresh one dataset; publishes a new version or changes nothing.

    Raises an OpenGeoDataError (naming dataset, file and cause) when the run fails; the bad
    input is then kept in the quarantine folder (see ``RunResult.quarantine`` via run_many).
    """
    progress = progress or Progress(sink=log)
    store = Store.from_settings(settings)
    decl = dataset.decl
    with dataset_lock(settings.data_dir, decl.id, wait=wait, log=progress.log):
        for what in store.clean_stale(decl.id):
            progress.log(f"removed what a crashed run left: {what}")
        clean_partial(settings, decl.id)
        live = store.live_manifest(decl.id)
        if not force and live is not None and not uses_remote(dataset, settings):
            try:
                fp = fingerprint_of(sample_source_files(dataset, settings), dataset.sha256)
            except OpenGeoDataError:
                fp = ""  # the full run below reports the problem and quarantines the input
            if (result := _unchanged(store, live, fp)) is not None:
                return result
        with store.staging(decl.id) as staging:
            ctx = RunContext(dataset=dataset, settings=settings, staging=staging,
                             log=progress.detail)
            step = "extract"
            try:
                with progress.step("extract"):
                    extract(ctx)
                fp = fingerprint(ctx)
                if not force and (result := _unchanged(store, live, fp)) is not None:
                    return result
                from pipelines.build import build

                step = "build"
                manifest = build(ctx, progress, fp, pipeline_version(), store)
                if settings.database_url and manifest.layer:
                    step = "postgis"
                    from pipelines.postgis_load import load_version

                    with progress.step("postgis"):
                        load_version(settings.database_url, manifest, staging, decl.id_field,
                                     progress.detail)
            except PublishError:
                raise  # our own output failed verification: not the input's fault
            except OpenGeoDataError as exc:
                exc.quarantine = _quarantine(ctx, exc, step)
                raise
            except Exception as exc:  # an unexpected failure still names dataset and cause
                files = ", ".join(p.name for p in ctx.sources) or "source"
                error = PipelineError(
                    f"{decl.id}: {files}: {step} failed: {type(exc).__name__}: {exc}")
                error.quarantine = _quarantine(ctx, error, step)
                raise error from exc
            previous = store.live_version(decl.id)
            store.commit(decl.id, staging, manifest.version)
            if settings.database_url:
                switch_database(settings.database_url, store, decl.id, manifest.version,
                                previous)
        for version in store.prune(decl.id, decl.keep_versions):
            progress.detail(f"removed old version {version}")
        if settings.database_url:
            from pipelines.postgis_load import drop_orphans

            for version in drop_orphans(settings.database_url, decl.id,
                                        store.versions(decl.id)):
                progress.detail(f"dropped PostGIS schema of version {version}")
    return RunResult(decl.id, "published", manifest.version, manifest.quality.summary())


def switch_database(url: str, store: Store, dataset_id: str, version: str,
                    previous: str | None) -> None:
    """Switch ``ogd.live`` (one transaction with NOTIFY); if that fails, the files' live
    pointer goes back to ``previous`` so files and database never disagree."""
    from opengeodata.postgis.db import switch_live

    manifest = Manifest.read(store.version_dir(dataset_id, version))
    if not manifest.layer or manifest.output("gpkg") is None:
        return  # raster and other non-vector versions have no feature table
    try:
        switch_live(url, dataset_id, version)
    except PublishError:
        if previous is not None and previous in store.versions(dataset_id):
            store.switch_live(dataset_id, previous)
        raise


def run_many(
    datasets: list[DeclaredDataset],
    settings: Settings,
    *,
    force: bool = False,
    log: Callable[[str], None] = log_nothing,
    progress: Progress | None = None,
    wait: bool = True,
) -> list[RunResult]:
    """Refresh several datasets; one failing does not stop the others."""
    progress = progress or Progress(sink=log)
    results = []
    for dataset in datasets:
        scoped = progress.scoped(f"[{dataset.decl.id}] ")
        try:
            results.append(run_dataset(dataset, settings, force=force, progress=scoped,
                                       wait=wait))
        except DatasetBusyError as exc:
            results.append(RunResult(dataset.decl.id, "busy", None, str(exc)))
        except OpenGeoDataError as exc:
            results.append(RunResult(dataset.decl.id, "failed", None, str(exc),
                                     exc.quarantine, exc.quarantine_note))
    refresh_overview(settings, progress.log)
    return results
