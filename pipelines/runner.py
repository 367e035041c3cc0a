"""Run the pipeline for datasets: extract, read, normalize, export, verify, publish."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from pathlib import Path

import geopandas as gpd
import pyogrio

import opengeodata
from opengeodata.declaration import DeclaredDataset
from opengeodata.errors import OpenGeoDataError, PipelineError, PublishError
from opengeodata.manifest import Extent, FieldInfo, Manifest
from opengeodata.settings import Settings
from opengeodata.store import Store
from pipelines.context import RunContext, log_nothing
from pipelines.export import export_all, gpkg_name
from pipelines.extract import extract
from pipelines.normalize import normalize
from pipelines.readers import reader_for


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


def fingerprint(ctx: RunContext) -> str:
    """Hash of source checksums, declaration and pipeline version."""
    digest = hashlib.sha256()
    for src in ctx.source_files:
        digest.update(f"{src.name}:{src.sha256}\n".encode())
    digest.update(ctx.dataset.sha256.encode())
    digest.update(pipeline_version().encode())
    return digest.hexdigest()


def _field_type(dtype: object) -> str:
    kind = getattr(dtype, "kind", "O")
    return {"i": "integer", "u": "integer", "f": "number", "b": "boolean"}.get(kind, "string")


def _extent(frame: gpd.GeoDataFrame, crs: str) -> Extent | None:
    if frame.empty:
        return None
    bbox = [float(v) for v in frame.total_bounds]
    geo = [float(v) for v in frame.to_crs("OGC:CRS84").total_bounds]
    return Extent(bbox=bbox, bbox_crs84=geo, crs=crs)


def build_manifest(ctx: RunContext, frame: gpd.GeoDataFrame | None, fp: str) -> Manifest:
    """The manifest of the version being built in ``ctx.staging``."""
    decl = ctx.dataset.decl
    now = datetime.now(UTC)
    descriptions = {f.name: f.description for f in decl.fields or []}
    fields = []
    geometry_type = None
    if frame is not None:
        fields = [
            FieldInfo(name=str(c), type=_field_type(frame[c].dtype),
                      description=descriptions.get(str(c), ""))
            for c in frame.columns if c != frame.geometry.name
        ]
        types = sorted(set(frame.geom_type.dropna()))
        geometry_type = types[0] if len(types) == 1 else ",".join(types) or None
    return Manifest(
        dataset=decl.id,
        version=f"{now:%Y%m%dT%H%M%SZ}-{fp[:8]}",
        created=now.isoformat(timespec="seconds").replace("+00:00", "Z"),
        fingerprint=fp,
        pipeline_version=pipeline_version(),
        declaration_sha256=ctx.dataset.sha256,
        sources=ctx.source_files,
        feature_count=len(frame) if frame is not None else 0,
        geometry_type=geometry_type,
        layer=decl.id if frame is not None else None,
        extent=_extent(frame, decl.storage_crs) if frame is not None else None,
        fields=fields,
        outputs=ctx.outputs,
        quality=ctx.report,
    )


def verify(ctx: RunContext, manifest: Manifest) -> None:
    """Check the staged files before they go live: each exists, the GeoPackage count matches."""
    for out in manifest.outputs:
        path = ctx.staging / out.name
        if not path.is_file() or path.stat().st_size != out.size:
            raise PublishError(f"{ctx.id}: output {out.name} is missing or changed size")
    if manifest.layer:
        info = pyogrio.read_info(ctx.staging / gpkg_name(ctx), layer=manifest.layer)
        if int(info["features"]) != manifest.feature_count:
            raise PublishError(
                f"{ctx.id}: GeoPackage holds {info['features']} features, "
                f"expected {manifest.feature_count}"
            )


def run_dataset(
    dataset: DeclaredDataset,
    settings: Settings,
    *,
    force: bool = False,
    log: Callable[[str], None] = log_nothing,
) -> RunResult:
    """Refresh one dataset; publishes a new version or changes nothing."""
    store = Store(settings.data_dir)
    decl = dataset.decl
    store.clean_stale(decl.id)
    with store.staging(decl.id) as staging:
        ctx = RunContext(dataset=dataset, settings=settings, staging=staging, log=log)
        extract(ctx)
        fp = fingerprint(ctx)
        live = store.live_manifest(decl.id)
        if live is not None and live.fingerprint == fp and not force:
            return RunResult(decl.id, "unchanged", live.version,
                             "sources, declaration and pipeline unchanged")
        log("read")
        frame = reader_for(decl.source.kind)(ctx)
        if frame is not None:
            log("normalize")
            frame = normalize(ctx, frame)
            export_all(ctx, frame)
        manifest = build_manifest(ctx, frame, fp)
        if not manifest.outputs:
            raise PipelineError(f"{decl.id}: the run produced no output files")
        verify(ctx, manifest)
        manifest.write(staging)
        store.commit(decl.id, staging, manifest.version)
    store.prune(decl.id, decl.keep_versions)
    return RunResult(decl.id, "published", manifest.version, manifest.quality.summary())


def run_many(
    datasets: list[DeclaredDataset],
    settings: Settings,
    *,
    force: bool = False,
    log: Callable[[str], None] = log_nothing,
) -> list[RunResult]:
    """Refresh several datasets; one failing does not stop the others."""
    results = []
    for dataset in datasets:
        prefix = f"[{dataset.decl.id}] "

        def prefixed(message: str, prefix: str = prefix) -> None:
            log(prefix + message)

        try:
            results.append(run_dataset(dataset, settings, force=force, log=prefixed))
        except OpenGeoDataError as exc:
            results.append(RunResult(dataset.decl.id, "failed", None, str(exc)))
    return results
