"""Build one version in its staging folder: read, normalize, export, manifest, verify.

Kept apart from ``pipelines.runner`` so that the unchanged check of a no-op refresh does not
import the heavy geodata stack.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime

import geopandas as gpd

from opengeodata.errors import PipelineError
from opengeodata.manifest import Extent, Manifest
from opengeodata.store import Store
from pipelines.context import RunContext
from pipelines.export import export_all, export_formats, export_tiles, field_infos
from pipelines.normalize import normalize
from pipelines.progress import Progress
from pipelines.readers import reader_for
from pipelines.verify import verify


def _extent(frame: gpd.GeoDataFrame, crs: str) -> Extent | None:
    if frame.empty:
        return None
    bbox = [float(v) for v in frame.total_bounds]
    minx, miny, maxx, maxy = bbox
    # the bbox corners and edge midpoints suffice for a city-sized extent and are fast
    ring = gpd.GeoSeries.from_xy(
        [minx, maxx, maxx, minx, (minx + maxx) / 2, (minx + maxx) / 2, minx, maxx],
        [miny, miny, maxy, maxy, miny, maxy, (miny + maxy) / 2, (miny + maxy) / 2],
        crs=frame.crs,
    ).to_crs("OGC:CRS84")
    geo = [round(float(v), 7) for v in ring.total_bounds]
    return Extent(bbox=bbox, bbox_crs84=geo, crs=crs)


def content_hash(ctx: RunContext) -> str:
    """Hash of the output checksums: the content part of the version id."""
    digest = hashlib.sha256()
    for out in sorted(ctx.outputs, key=lambda o: o.name):
        digest.update(f"{out.name}:{out.sha256}\n".encode())
    return digest.hexdigest()


def build_manifest(ctx: RunContext, frame: gpd.GeoDataFrame | None, fp: str,
                   pipeline_version: str, store: Store) -> Manifest:
    """The manifest of the version being built in ``ctx.staging``."""
    decl = ctx.dataset.decl
    now = datetime.now(UTC)
    geometry_type = None
    if frame is not None:
        types = sorted(set(frame.geom_type.dropna()))
        geometry_type = types[0] if len(types) == 1 else ",".join(types) or None
    return Manifest(
        dataset=decl.id,
        version=store.new_version_id(
            decl.id, f"{now:%Y%m%dT%H%M%S}.{now.microsecond // 1000:03d}Z", content_hash(ctx)),
        created=now.isoformat(timespec="seconds").replace("+00:00", "Z"),
        fingerprint=fp,
        pipeline_version=pipeline_version,
        declaration_sha256=ctx.dataset.sha256,
        sources=ctx.source_files,
        feature_count=len(frame) if frame is not None else 0,
        geometry_type=geometry_type,
        layer=decl.id if frame is not None else None,
        extent=_extent(frame, decl.storage_crs) if frame is not None else ctx.extent,
        fields=field_infos(ctx, frame) if frame is not None else [],
        outputs=ctx.outputs,
        server_files=ctx.server_files,
        quality=ctx.report,
    )


def build(ctx: RunContext, progress: Progress, fp: str, pipeline_version: str,
          store: Store) -> Manifest:
    """Read, normalize, export and verify; writes ``manifest.json`` into the staging folder."""
    decl = ctx.dataset.decl
    with progress.step("read"):
        frame = reader_for(decl.source.kind)(ctx)
    if frame is not None:
        with progress.step("normalize"):
            frame = normalize(ctx, frame)
        if ctx.report.crs_transformation:
            progress.detail(f"CRS: {ctx.report.crs_transformation}")
        with progress.step("export", total=len(export_formats(ctx))) as advance:
            export_all(ctx, frame, advance)
        if decl.download_tiles is not None:
            with progress.step("download tiles") as advance:
                export_tiles(ctx, frame, advance)
    manifest = build_manifest(ctx, frame, fp, pipeline_version, store)
    if not manifest.outputs:
        raise PipelineError(f"{decl.id}: the run produced no output files")
    with progress.step("verify", total=len(manifest.outputs)):
        verify(ctx.staging, manifest)
    for out in manifest.outputs:
        progress.detail(f"{out.name}: {out.size} bytes, sha256 {out.sha256[:16]}...")
    manifest.write(ctx.staging)
    return manifest
