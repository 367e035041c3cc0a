"""Helpers for the vector tile tests: decode tiles, find Mitte, add a point dataset."""

from __future__ import annotations

import gzip
import json
import random
from pathlib import Path
from typing import Any

import geopandas as gpd
import mapbox_vector_tile
import yaml

from opengeodata.settings import Settings
from opengeodata.store import Store
from opengeodata.vtiles.tms import lonlat_to_tile

TILE = "/collections/stadtbezirke/tiles/WebMercatorQuad"


def decode(data: bytes, gzipped: bool) -> dict[str, Any]:
    """Decode an MVT tile (gunzip first if it was sent gzip-encoded)."""
    return dict(mapbox_vector_tile.decode(gzip.decompress(data) if gzipped else data))


def mitte(settings: Settings) -> tuple[str, float, float]:
    """(bezirk_nr, lon, lat) of a point inside 'Mitte', read from the live GeoPackage."""
    live = Store(settings.data_dir).live_dir("stadtbezirke")
    assert live is not None
    frame = gpd.read_file(live / "stadtbezirke.gpkg").to_crs("EPSG:4326")
    row = frame[frame["name"] == "Mitte"].iloc[0]
    point = row.geometry.representative_point()
    return str(row["bezirk_nr"]), point.x, point.y


def mitte_tile_path(settings: Settings, z: int) -> str:
    """The tile URL path (row/col) holding the Mitte point at zoom z."""
    _, lon, lat = mitte(settings)
    col, row = lonlat_to_tile(lon, lat, z)
    return f"{TILE}/{z}/{row}/{col}"


def add_point_dataset(settings: Settings, dataset_id: str = "haltestellen",
                      count: int = 300) -> list[tuple[float, float]]:
    """A second vector dataset: ``count`` points spread over Hannover, zooms 10-14."""
    rng = random.Random(7)
    points = [(rng.uniform(9.65, 9.85), rng.uniform(52.33, 52.43)) for _ in range(count)]
    folder = settings.datasets_dir / dataset_id
    (folder / "sample").mkdir(parents=True)
    features = [
        {"type": "Feature", "properties": {"nr": i, "name": f"Halt {i}"},
         "geometry": {"type": "Point", "coordinates": [lon, lat]}}
        for i, (lon, lat) in enumerate(points)
    ]
    (folder / "sample" / "points.geojson").write_text(
        json.dumps({"type": "FeatureCollection", "features": features}))
    decl = {
        "id": dataset_id, "title": "Haltestellen", "description": "Test points.",
        "licence": {"id": "CC-BY-4.0", "attribution": "Test"},
        "publisher": {"name": "Test"}, "contact": {"name": "Test"},
        "source": {"sample": "sample/points.geojson", "format": "GeoJSON"},
        "outputs": ["gpkg", "pmtiles"],
        "tiles": {"minzoom": 10, "maxzoom": 14},
    }
    (folder / "dataset.yml").write_text(yaml.safe_dump(decl))
    return points


def set_tiles(settings: Settings, dataset_id: str, **tiles: Any) -> Path:
    """Change the ``tiles`` block of a copied declaration."""
    path = settings.datasets_dir / dataset_id / "dataset.yml"
    decl = yaml.safe_load(path.read_text())
    decl["tiles"] = {**decl.get("tiles", {}), **tiles}
    path.write_text(yaml.safe_dump(decl, allow_unicode=True))
    return path
