"""Convert CityGML files into CityJSON, CityJSONSeq, per-tile CityJSON, 3D Tiles and footprints."""

from __future__ import annotations

import gc
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd
from shapely.geometry import MultiPolygon

from opengeodata.errors import DataValidationError
from pipelines.citymodel.citygml import iter_buildings
from pipelines.citymodel.cityjson import (
    CityJSONSeqWriter,
    CityJSONWriter,
    Transform,
    build_feature,
)
from pipelines.citymodel.crs import SourceCrs, parse_crs_name, to_target
from pipelines.citymodel.footprints import FIELDS, Polygon2D, build_footprints, summarize
from pipelines.citymodel.model import CityObject
from pipelines.citymodel.placement import geoid
from pipelines.citymodel.quality import QualityLog, check_building
from pipelines.citymodel.tiles import LGLN_PATTERN, tile_name
from pipelines.citymodel.tiles3d import MAX_TILE_BYTES, Tiles3DBuilder, Tiles3DResult

STORAGE_CRS = "EPSG:25832"


@dataclass
class ConvertResult:
    """What a conversion produced."""

    frame: gpd.GeoDataFrame
    tiles: dict[str, Path] = field(default_factory=dict)
    tile_counts: dict[str, int] = field(default_factory=dict)  # buildings per tile
    buildings: int = 0
    city_objects: int = 0
    dropped: dict[str, int] = field(default_factory=dict)
    source_crs: list[str] = field(default_factory=list)
    reprojected: list[str] = field(default_factory=list)
    quality: QualityLog = field(default_factory=QualityLog)
    tiles3d: Tiles3DResult | None = None


def reproject(building: CityObject, crs: SourceCrs) -> None:
    """Transform x/y of every ring to EPSG:25832 in place; heights are kept."""
    seen: set[int] = set()
    rings = [r for obj in building.all_objects() for g in obj.geometries
             for s in g.surfaces() for r in s.rings
             if id(r) not in seen and not seen.add(id(r))]  # type: ignore[func-returns-value]
    if not rings:
        return
    xs = [x for r in rings for x in r[0::3]]
    ys = [y for r in rings for y in r[1::3]]
    tx, ty = to_target(crs.horizontal).transform(xs, ys)
    pos = 0
    for ring in rings:
        n = len(ring) // 3
        ring[0::3] = [float(v) for v in tx[pos:pos + n]]
        ring[1::3] = [float(v) for v in ty[pos:pos + n]]
        pos += n


def _first_xy(building: CityObject) -> tuple[float, float] | None:
    for obj in building.all_objects():
        for geom in obj.geometries:
            for surface in geom.surfaces():
                if surface.rings and surface.rings[0]:
                    return surface.rings[0][0], surface.rings[0][1]
    return None


class Converter:
    """Feeds buildings to the writers and collects the footprint rows."""

    def __init__(self, *, cityjson: Path | None, cityjsonseq: Path | None,
                 tiles_dir: Path | None, tile_pattern: str, tile_size_km: int,
                 tile_lod: int, dataset_id: str, title: str, tiles3d: Path | None = None,
                 geoid_grid: Path | None = None,
                 tiles3d_max_bytes: int = MAX_TILE_BYTES) -> None:
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
        self.result = ConvertResult(frame=gpd.GeoDataFrame())
        self.tiles3d_path = tiles3d
        self.geoid = geoid(geoid_grid) if tiles3d is not None else None
        self.tiles3d: Tiles3DBuilder | None = None
        self.tiles3d_max_bytes = tiles3d_max_bytes

    def _start(self, building: CityObject) -> None:
        xy = _first_xy(building) or (0.0, 0.0)
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

    def add(self, building: CityObject) -> None:
        """Convert one building (already in EPSG:25832)."""
        if building.id in self.seen:
            self.result.dropped["duplicate gml:id"] = (
                self.result.dropped.get("duplicate gml:id", 0) + 1)
            return
        self.seen.add(building.id)
        if self.transform is None:
            self._start(building)
        assert self.transform is not None
        check_building(building, self.result.quality)
        row, geom, center = summarize(building)
        anchor = center or _first_xy(building)
        tile = (tile_name(anchor[0], anchor[1], lod=self.tile_lod, size_km=self.tile_size_km,
                          pattern=self.tile_pattern, dataset_id=self.dataset_id)
                if anchor is not None else None)
        row["kachel"] = tile
        for name, values in self.rows.items():
            values.append(row.get(name))
        self.geometries.append(geom)
        feature = build_feature(building, self.transform)
        self.result.buildings += 1
        self.result.city_objects += len(feature.objects)
        if self.main is not None:
            self.main.add(feature)
        if self.seq is not None:
            self.seq.add(feature)
        if self.tiles3d is not None:
            self.tiles3d.add(feature, row)
        if self.tiles_dir is not None and tile is not None:
            writer = self.tiles.get(tile)
            if writer is None:
                writer = CityJSONWriter(self.tiles_dir / f"{tile}.city.json", self.transform,
                                        f"{self.title} {tile}".strip(), buffer_bytes=256 << 10)
                self.tiles[tile] = writer
                self.writers.append(writer)
            writer.add(feature)
            self.result.tile_counts[tile] = self.result.tile_counts.get(tile, 0) + 1

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
        self.result.frame = footprint_frame(self.rows, build_footprints(self.geometries))
        return self.result

    def discard(self) -> None:
        """Remove spool files after a failure."""
        for writer in self.writers:
            writer.discard()
        if self.tiles3d is not None:
            self.tiles3d.discard()


def footprint_frame(rows: dict[str, list[Any]], geometries: Any) -> gpd.GeoDataFrame:
    """The footprint GeoDataFrame (EPSG:25832) with typed columns."""
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
) -> ConvertResult:
    """Stream CityGML ``sources`` into the requested outputs; returns the footprints.

    ``tiles3d`` names the 3D Tiles archive (``.3tz``) to write, ``geoid_grid`` a geoid grid
    file instead of the default search (:func:`pipelines.citymodel.placement.geoid`).
    """
    override = parse_crs_name(crs) if crs else None
    conv = Converter(cityjson=cityjson, cityjsonseq=cityjsonseq, tiles_dir=tiles_dir,
                     tile_pattern=tile_pattern, tile_size_km=tile_size_km, tile_lod=tile_lod,
                     dataset_id=dataset_id, title=title, tiles3d=tiles3d,
                     geoid_grid=geoid_grid, tiles3d_max_bytes=tiles3d_max_bytes)
    crs_names: list[str] = []
    reprojected: list[str] = []
    thresholds = gc.get_threshold()
    gc.set_threshold(50_000, 20, 100)  # few cycles are made; frequent collections cost time
    try:
        for path in sources:
            count = 0
            for building, file_crs in iter_buildings(path):
                source_crs = override or file_crs
                if source_crs is None:
                    raise DataValidationError(
                        f"{path.name}: line {building.line}: building {building.id}: no CRS "
                        "(srsName) in the file; declare it as 'source.crs' (or --crs)"
                    )
                if source_crs.name not in crs_names:
                    crs_names.append(source_crs.name)
                if source_crs.needs_reprojection:
                    reproject(building, source_crs)
                    if source_crs.name not in reprojected:
                        reprojected.append(source_crs.name)
                conv.add(building)
                count += 1
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
