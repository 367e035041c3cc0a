"""Elevation models as pictures and as terrain: hillshade map tiles and heightmap tiles.

- :func:`render_hillshade`: a WebMercatorQuad map tile of a single-band elevation model drawn
  as shaded relief (sun from the north-west, 45 degrees high, heights exaggerated, more at low
  zooms, so the relief of a flat city stays visible); transparent where the model has no data.
- :func:`heightmap_tile`: a terrain tile for 3D viewers: ``HEIGHTMAP_SIZE`` x ``HEIGHTMAP_SIZE``
  float32 little-endian heights in metres above the WGS84 ellipsoid (the model's heights plus
  the geoid undulation stored with the version), rows from north to south, the first and last
  sample on the tile's edges (neighbouring tiles share their edge samples), in CesiumJS's
  ``GeographicTilingScheme`` (level 0: two tiles, x from the antimeridian, y from the north).
  Outside the model the tile holds the model's lowest height, so the terrain has no cliff at
  its border. CesiumJS reads it with ``CustomHeightmapTerrainProvider`` (no Cesium ion, no
  quantized-mesh tiler needed); the level of detail is the viewer's, the server samples the
  COG's overviews bilinearly.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
from rasterio.crs import CRS as RioCRS
from rio_tiler.errors import TileOutsideBounds
from rio_tiler.io import Reader
from rio_tiler.models import ImageData

from opengeodata.errors import InvalidRequestError, NotFoundError
from opengeodata.manifest import Manifest
from opengeodata.server.raster_render import OVERZOOM, TILE_SIZE
from opengeodata.versioned import with_version

HEIGHTMAP_SIZE = 65
HEIGHTMAP_MEDIA_TYPE = "application/octet-stream"
#: deepest terrain level served (about 1 m between samples in Hannover)
MAX_TERRAIN_LEVEL = 19
WGS84 = RioCRS.from_epsg(4326)
SUN_AZIMUTH, SUN_ALTITUDE = 315.0, 45.0


def _shade(heights: np.ndarray, cell: float) -> np.ndarray:
    """Hillshade 0..1 of a height grid with square cells of ``cell`` metres (row 0 = north):
    the cosine between the surface normal and the direction of the sun."""
    dz_drow, dz_dx = np.gradient(heights, cell)
    dz_dn = -dz_drow  # rows run south, northings north
    azimuth, altitude = math.radians(SUN_AZIMUTH), math.radians(SUN_ALTITUDE)
    sun_e = math.sin(azimuth) * math.cos(altitude)
    sun_n = math.cos(azimuth) * math.cos(altitude)
    shade = ((math.sin(altitude) - dz_dx * sun_e - dz_dn * sun_n)
             / np.sqrt(1.0 + dz_dx**2 + dz_dn**2))
    return np.clip(shade, 0.0, 1.0)


def _smooth(heights: np.ndarray) -> np.ndarray:
    """3 x 3 mean: the centimetre steps of the heights would show as stripes when exaggerated."""
    padded = np.pad(heights, 1, mode="edge")
    rows = (padded[:-2] + padded[1:-1] + padded[2:]) / 3
    result: np.ndarray = (rows[:, :-2] + rows[:, 1:-1] + rows[:, 2:]) / 3
    return result


def exaggeration(z: int) -> float:
    """Vertical exaggeration of the relief by zoom: 5 at z16 and deeper, more when zoomed out
    (a city's slopes of a few degrees would otherwise all look flat)."""
    return float(min(50.0, 5.0 * max(1.0, 2.0 ** ((16 - z) / 2))))


def render_hillshade(reader: Reader, z: int, y: int, x: int, fmt: str) -> bytes:
    """A map tile of the elevation model as shaded relief (PNG/WebP with alpha, or JPEG)."""
    if z > reader.maxzoom + OVERZOOM:
        raise NotFoundError(
            f"tile {z}/{y}/{x}: zoom {z} is beyond the finest level of this raster "
            f"({reader.maxzoom + OVERZOOM})")
    try:
        image = reader.tile(x, y, z, tilesize=TILE_SIZE, buffer=2, indexes=1,
                            resampling_method="bilinear")
    except TileOutsideBounds:
        raise NotFoundError(f"tile {z}/{y}/{x} lies outside the extent of the raster") from None
    data = image.array[0]
    valid = ~np.ma.getmaskarray(data)
    fill = float(data[valid].mean()) if valid.any() else 0.0
    heights = np.ma.filled(data.astype(np.float64), fill)
    lat = math.degrees(math.atan(math.sinh(math.pi * (1 - 2 * (y + 0.5) / 2**z))))
    cell = 2 * math.pi * 6378137.0 / (TILE_SIZE * 2**z) * math.cos(math.radians(lat))
    shade = _shade(_smooth(heights) * exaggeration(z), cell)[2:-2, 2:-2]
    # flat ground mid-light grey, slopes facing the sun lighter, the others darker
    grey = np.clip(205 + (shade - math.sin(math.radians(SUN_ALTITUDE))) * 450, 0, 255)
    grey = grey.astype(np.uint8)
    out = ImageData(np.ma.MaskedArray(grey[None], mask=~valid[None, 2:-2, 2:-2]))
    if fmt == "jpeg":
        return bytes(out.render(img_format="JPEG", add_mask=False, quality=85))
    if fmt == "webp":
        return bytes(out.render(img_format="WEBP", quality=85))
    return bytes(out.render(img_format="PNG"))


@dataclass(frozen=True)
class Undulation:
    """The geoid undulation grid of a version (``checks.terrain.undulation_grid``)."""

    west: float
    south: float
    east: float
    north: float
    rows: np.ndarray  # row 0 = north

    @classmethod
    def from_checks(cls, terrain: dict[str, Any]) -> Undulation:
        grid = terrain["undulation_grid"]
        west, south, east, north = (float(v) for v in grid["bbox_crs84"])
        return cls(west, south, east, north, np.asarray(grid["rows"], dtype=np.float64))

    def at(self, lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
        """Bilinear undulation at (lon, lat), held constant beyond the grid's edges."""
        ny, nx = self.rows.shape
        fx = np.clip((lon - self.west) / max(self.east - self.west, 1e-12), 0, 1) * (nx - 1)
        fy = np.clip((self.north - lat) / max(self.north - self.south, 1e-12), 0, 1) * (ny - 1)
        x0 = np.minimum(np.floor(fx).astype(int), nx - 2) if nx > 1 else np.zeros_like(fx, int)
        y0 = np.minimum(np.floor(fy).astype(int), ny - 2) if ny > 1 else np.zeros_like(fy, int)
        x1, y1 = np.minimum(x0 + 1, nx - 1), np.minimum(y0 + 1, ny - 1)
        tx, ty = fx - x0, fy - y0
        top = self.rows[y0, x0] * (1 - tx) + self.rows[y0, x1] * tx
        bottom = self.rows[y1, x0] * (1 - tx) + self.rows[y1, x1] * tx
        result: np.ndarray = top * (1 - ty) + bottom * ty
        return result


@dataclass(frozen=True)
class Terrain:
    """The terrain facts of a version: geoid undulations, fill height, geoid model."""

    undulation: Undulation
    floor: float
    geoid: str
    heights: tuple[float, float]

    @classmethod
    def from_manifest(cls, dataset_id: str, manifest: Manifest) -> Terrain:
        """From ``checks.terrain`` of the quality report; NotFoundError when it is missing."""
        checks = manifest.quality.checks.get("terrain")
        if not isinstance(checks, dict) or "undulation_grid" not in checks:
            raise NotFoundError(f"collection {dataset_id!r}: the live version has no terrain "
                                "data (refresh it)")
        low, high = (float(v) for v in checks.get("heights_m") or (0.0, 0.0))
        return cls(Undulation.from_checks(checks), low, str(checks.get("geoid", "")),
                   (low, high))


def terrain_metadata(reader: Reader, terrain: Terrain, base: str,
                     version: str) -> dict[str, Any]:
    """The terrain description (``/collections/{id}/terrain``): how to read the tiles (their
    URLs carry the live ``version``: immutable, see :mod:`opengeodata.versioned`)."""
    west, south, east, north = reader.get_geographic_bounds(WGS84)
    tiles = with_version(f"{base}/terrain/{{level}}/{{x}}/{{y}}", version)
    return {
        "type": "heightmap",
        "format": "float32 little-endian, row-major from north-west, edge to edge",
        "mediaType": HEIGHTMAP_MEDIA_TYPE,
        "width": HEIGHTMAP_SIZE,
        "height": HEIGHTMAP_SIZE,
        "tilingScheme": "GeographicTilingScheme (CesiumJS): level 0 has 2 x 1 tiles, x from "
                        "-180 degrees, y from +90 degrees",
        "heights": "metres above the WGS84 ellipsoid = DHHN2016 height + geoid undulation",
        "geoid": terrain.geoid,
        "heightRange": [terrain.heights[0], terrain.heights[1]],
        "fillHeight": terrain.floor,
        "bounds": [west, south, east, north],
        "minLevel": 0,
        "maxLevel": MAX_TERRAIN_LEVEL,
        "tiles": tiles,
        "links": [{"rel": "self", "type": "application/json", "href": f"{base}/terrain"},
                  {"rel": "item", "type": HEIGHTMAP_MEDIA_TYPE, "templated": True,
                   "href": tiles}],
    }


def terrain_index(level: str, tile_x: str, tile_y: str) -> tuple[int, int, int]:
    """(level, x, y) of a GeographicTilingScheme tile; InvalidRequestError when malformed."""
    try:
        z, x, y = int(level), int(tile_x), int(tile_y)
    except ValueError:
        raise InvalidRequestError(
            f"level, x and y must be integers, got {level!r}/{tile_x!r}/{tile_y!r}") from None
    if not 0 <= z <= MAX_TERRAIN_LEVEL:
        raise InvalidRequestError(f"terrain level {z} is not in 0-{MAX_TERRAIN_LEVEL}")
    if not (0 <= x < 2 ** (z + 1) and 0 <= y < 2**z):
        raise InvalidRequestError(
            f"x {x} / y {y} are outside terrain level {z} (x 0-{2 ** (z + 1) - 1}, "
            f"y 0-{2**z - 1})")
    return z, x, y


def tile_rectangle(z: int, x: int, y: int) -> tuple[float, float, float, float]:
    """(west, south, east, north) in degrees of a GeographicTilingScheme tile."""
    size = 180.0 / 2**z
    west, north = -180.0 + x * size, 90.0 - y * size
    return west, north - size, west + size, north


def heightmap_tile(reader: Reader, z: int, x: int, y: int, undulation: Undulation,
                   floor: float) -> bytes:
    """The heightmap of one terrain tile (see the module docstring); ``floor``: fill height."""
    west, south, east, north = tile_rectangle(z, x, y)
    n = HEIGHTMAP_SIZE
    step_x, step_y = (east - west) / (n - 1), (north - south) / (n - 1)
    lons = west + step_x * np.arange(n)
    lats = north - step_y * np.arange(n)
    heights = np.full((n, n), floor, dtype=np.float64)
    b_west, b_south, b_east, b_north = reader.get_geographic_bounds(WGS84)
    if west < b_east and east > b_west and south < b_north and north > b_south:
        # sample centres on the tile's edges: read an area half a sample larger each side
        bbox = (west - step_x / 2, south - step_y / 2, east + step_x / 2, north + step_y / 2)
        try:
            part = reader.part(bbox, dst_crs=WGS84, bounds_crs=WGS84, width=n, height=n,
                               indexes=1, max_size=None, resampling_method="bilinear",
                               reproject_method="bilinear")
        except TileOutsideBounds:
            part = None
        if part is not None:
            data = part.array[0]
            mask = np.ma.getmaskarray(data)
            heights = np.where(mask, floor, np.ma.filled(data.astype(np.float64), floor))
    lon_grid, lat_grid = np.meshgrid(lons, lats)
    ellipsoidal = heights + undulation.at(lon_grid, lat_grid)
    return ellipsoidal.astype("<f4").tobytes()
