"""Convert CityGML files into CityJSON, CityJSONSeq, per-tile CityJSON, 3D Tiles and footprints."""

from __future__ import annotations

import gc
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from opengeodata.errors import DataValidationError
from pipelines.citymodel.batch import Batch, ObjRec
from pipelines.citymodel.cityjson import CityJSONSeqWriter, CityJSONWriter, Transform
from pipelines.citymodel.crs import SourceCrs, parse_crs_name, to_target
from pipelines.citymodel.encode import Encoded
from pipelines.citymodel.footprints import FIELDS, Polygon2D, build_footprints, summarize
from pipelines.citymodel.placement import geoid
from pipelines.citymodel.quality import QualityLog, check_batch
from pipelines.citymodel.rawread import iter_batches
from pipelines.citymodel.tiles import LGLN_PATTERN, tile_name
from pipelines.citymodel.tiles3d import MAX_TILE_BYTES, Tiles3DBuilder, Tiles3DResult

if TYPE_CHECKING:  # geopandas and shapely are imported when footprints are made
    import geopandas as gpd
    from shapely.geometry import MultiPolygon

STORAGE_CRS = "EPSG:25832"


@dataclass
class ConvertResult:
    """What a conversion produced."""

    footprints: Any = None  # the footprint GeoDataFrame (not made with footprints=False)
    tiles: dict[str, Path] = field(default_factory=dict)
    tile_counts: dict[str, int] = field(default_factory=dict)  # buildings per tile
    buildings: int = 0
    city_objects: int = 0
    dropped: dict[str, int] = field(default_factory=dict)
    source_crs: list[str] = field(default_factory=list)
    reprojected: list[str] = field(default_factory=list)
    quality: QualityLog = field(default_factory=QualityLog)
    tiles3d: Tiles3DResult | None = None

    @property
    def frame(self) -> gpd.GeoDataFrame:
        """The footprints (EPSG:25832); only when ``convert(footprints=True)``."""
        if self.footprints is None:
            raise RuntimeError("convert(footprints=False) made no footprints")
        frame: gpd.GeoDataFrame = self.footprints
        return frame


def reproject(batch: Batch, crs: SourceCrs) -> None:
    """Transform x/y of every point of a batch to EPSG:25832 in place; heights are kept."""
    if not len(batch.xyz):
        return
    tx, ty = to_target(crs.horizontal).transform(batch.xyz[:, 0], batch.xyz[:, 1])
    batch.xyz[:, 0] = tx
    batch.xyz[:, 1] = ty


def _first_xy(batch: Batch, building: ObjRec) -> tuple[float, float] | None:
    for obj in building.all_objects():
        for geom in obj.geometries:
            for si in range(geom.s0, geom.s1):
                if batch.surf_nrings[si]:
                    ring = int(batch.surf_ring0[si])
                    if batch.ring_len[ring]:
                        x, y = batch.xyz[batch.ring_start[ring], :2].tolist()
                        return x, y
    return None


class Converter:
    """Feeds buildings to the writers and collects the footprint rows."""

    def __init__(self, *, cityjson: Path | None, cityjsonseq: Path | None,
                 tiles_dir: Path | None, tile_pattern: str, tile_size_km: int,
                 tile_lod: int, dataset_id: str, title: str, tiles3d: Path | None = None,
                 geoid_grid: Path | None = None,
                 tiles3d_max_bytes: int = MAX_TILE_BYTES, footprints: bool = True) -> None:
        self.footprints = footprints
        self.cityjson_path = cityjson
        self.seq_path = cityjsonseq
        self.tiles_dir = tiles_dir
        self.tile_pattern = tile_pattern
        self.tile_size_km = tile_size_km
        self.tile_lod = tile_lod
        self.dataset_id = dataset_id
        self.title = title
        self.transform: Transform | None = None
        self.writers: list[CityJSONWriter | CityJSONSeqWriter] = []
        self.main: CityJSONWriter | None = None
        self.seq: CityJSONSeqWriter | None = None
        self.tiles: dict[str, CityJSONWriter] = {}
        self.rows: dict[str, list[Any]] = {name: [] for name in FIELDS}
        self.geometries: list[list[Polygon2D] | MultiPolygon | None] = []
        self.seen: set[str] = set()
        self.result = ConvertResult()
        self.tiles3d_path = tiles3d
        self.geoid = geoid(geoid_grid) if tiles3d is not None else None
        self.tiles3d: Tiles3DBuilder | None = None
        self.tiles3d_max_bytes = tiles3d_max_bytes

    def _start(self, xy: tuple[float, float] | None) -> None:
        xy = xy or (0.0, 0.0)
        self.transform = Transform((math.floor(xy[0] / 1000) * 1000.0,
                                    math.floor(xy[1] / 1000) * 1000.0, 0.0))
        if self.cityjson_path is not None:
            self.main = CityJSONWriter(self.cityjson_path, self.transform, self.title)
            self.writers.append(self.main)
        if self.seq_path is not None:
            self.seq = CityJSONSeqWriter(self.seq_path, self.transform, self.title)
            self.writers.append(self.seq)
        if self.tiles3d_path is not None and self.geoid is not None:
            self.tiles3d = Tiles3DBuilder(self.tiles3d_path, self.transform, self.geoid,
                                          self.tiles3d_max_bytes)

    def add_batch(self, batch: Batch) -> None:
        """Convert a batch of buildings (already in EPSG:25832)."""
        ids = [building.id for building in batch.buildings]
        if len(set(ids)) == len(ids) and self.seen.isdisjoint(ids):  # the common case
            self.seen.update(ids)
            kept = batch.buildings
        else:
            kept = []
            for building in batch.buildings:
                if building.id in self.seen:
                    self.result.dropped["duplicate gml:id"] = (
                        self.result.dropped.get("duplicate gml:id", 0) + 1)
                    continue
                self.seen.add(building.id)
                kept.append(building)
            batch.buildings = kept  # the surfaces of a dropped building are left unused
        if not kept:
            return
        if self.transform is None:
            self._start(_first_xy(batch, kept[0]))
        assert self.transform is not None
        check_batch(kept, batch, self.result.quality)
        encoded = Encoded(batch, self.transform)
        self.result.buildings += len(kept)
        if self.main is not None:
            chunk = encoded.chunk(self.main.nverts)
            self.main.add_chunk(chunk)
            self.result.city_objects += chunk.count
        else:
            self.result.city_objects += sum(len(b.all_objects()) for b in kept)
        rows = self.footprints or self.tiles3d is not None or self.tiles_dir is not None
        features = self.seq is not None or self.tiles_dir is not None  # CityJSON per building
        if not rows and not features:
            return
        tiles = self.footprints or self.tiles_dir is not None  # the row's kachel is used
        rows3d: list[dict[str, Any]] = []
        for i, building in enumerate(kept):
            row: dict[str, Any] = {}
            tile = None
            if rows:
                row, geom, center = summarize(building, batch, full=tiles)
                anchor = (center or _first_xy(batch, building)) if tiles else None
                tile = (tile_name(anchor[0], anchor[1], lod=self.tile_lod,
                                  size_km=self.tile_size_km, pattern=self.tile_pattern,
                                  dataset_id=self.dataset_id)
                        if anchor is not None else None)
                row["kachel"] = tile
                if self.footprints:
                    for name, values in self.rows.items():
                        values.append(row.get(name))
                    self.geometries.append(geom)
                rows3d.append(row)
            if not features:
                continue
            feature = encoded.feature(i)
            if self.seq is not None:
                self.seq.add(feature)
            if self.tiles_dir is not None and tile is not None:
                writer = self.tiles.get(tile)
                if writer is None:
                    writer = CityJSONWriter(self.tiles_dir / f"{tile}.city.json",
                                            self.transform, f"{self.title} {tile}".strip(),
                                            buffer_bytes=256 << 10)
                    self.tiles[tile] = writer
                    self.writers.append(writer)
                writer.add(feature)
                self.result.tile_counts[tile] = self.result.tile_counts.get(tile, 0) + 1
        if self.tiles3d is not None:
            self.tiles3d.add_batch(encoded, rows3d)

    def finish(self) -> ConvertResult:
        """Close every writer and build the footprint frame."""
        if self.transform is None:
            self.transform = Transform((0.0, 0.0, 0.0))
            for path, cls in ((self.cityjson_path, CityJSONWriter),
                              (self.seq_path, CityJSONSeqWriter)):
                if path is not None:
                    cls(path, self.transform, self.title).close()
        for writer in self.writers:
            writer.close()
        if self.tiles3d_path is not None:
            if self.tiles3d is None:
                assert self.geoid is not None
                self.tiles3d = Tiles3DBuilder(self.tiles3d_path, self.transform, self.geoid,
                                          self.tiles3d_max_bytes)
            self.result.tiles3d = self.tiles3d.finish()
        self.result.tiles = {name: w.path for name, w in sorted(self.tiles.items())}
        if self.footprints:
            self.result.footprints = footprint_frame(self.rows,
                                                     build_footprints(self.geometries))
        return self.result

    def discard(self) -> None:
        """Remove spool files after a failure."""
        for writer in self.writers:
            writer.discard()
        if self.tiles3d is not None:
            self.tiles3d.discard()


def footprint_frame(rows: dict[str, list[Any]], geometries: Any) -> gpd.GeoDataFrame:
    """The footprint GeoDataFrame (EPSG:25832) with typed columns."""
    import geopandas as gpd
    import pandas as pd

    data: dict[str, Any] = {}
    for name, (ftype, _desc) in FIELDS.items():
        values = rows.get(name, [])
        if ftype == "integer":
            data[name] = pd.array(values, dtype="Int64")
        elif ftype == "number":
            data[name] = pd.array(values, dtype="Float64")
        else:
            data[name] = pd.array(values, dtype="string")
    return gpd.GeoDataFrame(data, geometry=gpd.GeoSeries(geometries, crs=STORAGE_CRS),
                            crs=STORAGE_CRS)


def convert(
    sources: list[Path],
    *,
    cityjson: Path | None = None,
    cityjsonseq: Path | None = None,
    tiles_dir: Path | None = None,
    tile_pattern: str = LGLN_PATTERN,
    tile_size_km: int = 1,
    tile_lod: int = 2,
    dataset_id: str = "",
    title: str = "",
    crs: str | None = None,
    log: Callable[[str], None] | None = None,
    tiles3d: Path | None = None,
    geoid_grid: Path | None = None,
    tiles3d_max_bytes: int = MAX_TILE_BYTES,
    footprints: bool = True,
) -> ConvertResult:
    """Stream CityGML ``sources`` into the requested outputs; returns the footprints.

    ``tiles3d`` names the 3D Tiles archive (``.3tz``) to write, ``geoid_grid`` a geoid grid
    file instead of the default search (:func:`pipelines.citymodel.placement.geoid`).
    ``footprints=False`` skips the footprint layer (``frame`` is then empty).
    """
    override = parse_crs_name(crs) if crs else None
    conv = Converter(cityjson=cityjson, cityjsonseq=cityjsonseq, tiles_dir=tiles_dir,
                     tile_pattern=tile_pattern, tile_size_km=tile_size_km, tile_lod=tile_lod,
                     dataset_id=dataset_id, title=title, tiles3d=tiles3d,
                     geoid_grid=geoid_grid, tiles3d_max_bytes=tiles3d_max_bytes,
                     footprints=footprints)
    crs_names: list[str] = []
    reprojected: list[str] = []
    thresholds = gc.get_threshold()
    gc.set_threshold(50_000, 20, 100)  # few cycles are made; frequent collections cost time
    try:
        for path in sources:
            count = 0
            for batch in iter_batches(path):
                source_crs = override or batch.crs
                if source_crs is None:
                    building = batch.buildings[0]
                    raise DataValidationError(
                        f"{path.name}: line {building.line}: building {building.id}: no CRS "
                        "(srsName) in the file; declare it as 'source.crs' (or --crs)"
                    )
                if source_crs.name not in crs_names:
                    crs_names.append(source_crs.name)
                if source_crs.needs_reprojection:
                    reproject(batch, source_crs)
                    if source_crs.name not in reprojected:
                        reprojected.append(source_crs.name)
                count += len(batch.buildings)
                conv.add_batch(batch)
            if log:
                log(f"{path.name}: {count} buildings")
        result = conv.finish()
    except BaseException:
        conv.discard()
        raise
    finally:
        gc.set_threshold(*thresholds)
    result.source_crs = crs_names
    result.reprojected = reprojected
    return result
