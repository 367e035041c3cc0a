"""The terrain model ``dgm1``: sample, COG, float coverage, hillshade and terrain tiles, and the
city model standing on it."""

from __future__ import annotations

import io
import math
import sqlite3
from pathlib import Path

import morecantile
import numpy as np
import pytest
import rasterio
from flask.testing import FlaskClient
from PIL import Image

from opengeodata.server.app import create_app
from opengeodata.server.raster_terrain import HEIGHTMAP_SIZE, tile_rectangle
from opengeodata.settings import Settings
from opengeodata.store import Store
from pipelines.samples import terrain
from tests.conftest import make_settings
from tests.pipelines.publish.util import publish_all

ROOT = Path(__file__).resolve().parents[3]
TMS = morecantile.tms.get("WebMercatorQuad")
#: a point on the slope of the hill in the sample (EPSG:25832 and lon/lat)
X, Y = 548_300.0, 5_801_300.0


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    return publish_all(make_settings(tmp_path_factory.mktemp("terrain"), ["dgm1", "lod2"]))


@pytest.fixture(scope="module")
def client(built: Settings) -> FlaskClient:
    return create_app(built).test_client()


def lonlat(x: float, y: float) -> tuple[float, float]:
    from pyproj import Transformer

    lon, lat = Transformer.from_crs("EPSG:25832", "OGC:CRS84", always_xy=True).transform(x, y)
    return float(lon), float(lat)


def test_sample_is_made_by_the_script_and_plausible(tmp_path: Path) -> None:
    made = terrain.dgm_tiles(tmp_path)
    shipped = sorted((ROOT / "datasets" / "dgm1" / "sample").glob("*.tif"))
    assert sorted(p.name for p in made) == [p.name for p in shipped]
    for path in shipped:
        with rasterio.open(path) as src, rasterio.open(tmp_path / path.name) as new:
            assert src.dtypes == ("float32",) and src.res == (1.0, 1.0)
            assert np.array_equal(src.read(1), new.read(1))
            heights = src.read(1)
            assert heights.min() >= 45 and heights.max() <= 120
    assert sum(p.stat().st_size for p in shipped) < 2_000_000
    # the whole city stays in Hannover's range, 45-120 m
    xx, yy = np.meshgrid(np.arange(540_000, 562_000, 250.0), np.arange(5_790_000, 5_812_000, 250.0))
    city = terrain.ground_height(xx, yy)
    assert 45 <= city.min() < 55 and 100 < city.max() <= 120


def test_published_as_float32_cog_with_nodata_and_overviews(built: Settings) -> None:
    manifest = Store(built.data_dir).live_manifest("dgm1")
    assert manifest is not None
    cog = manifest.output("cog")
    assert cog is not None
    with rasterio.open(Store(built.data_dir).live_dir("dgm1") / cog.name) as src:  # type: ignore[operator]
        assert src.dtypes == ("float32",) and src.nodata == -9999.0
        assert src.overviews(1) and src.profile["tiled"]
        assert src.crs.to_epsg() == 25832
    checks = manifest.quality.checks
    low, high = checks["raster"]["heights_m"]
    assert 45 <= low < high <= 120
    assert "EGM96" in checks["terrain"]["geoid"] or "GCG2016" in checks["terrain"]["geoid"]


def test_coverage_gives_the_real_float_heights(client: FlaskClient) -> None:
    response = client.get(f"/collections/dgm1/coverage?subset=E({X - 50:.0f}:{X + 50:.0f}),"
                          f"N({Y - 50:.0f}:{Y + 50:.0f})&f=GTiff")
    assert response.status_code == 200, response.data[:300]
    with rasterio.MemoryFile(response.data) as memfile, memfile.open() as img:
        assert img.dtypes[0] == "float32" and (img.width, img.height) == (100, 100)
        heights = img.read(1)
        row, col = img.index(X, Y)
        cx, cy = img.xy(row, col)  # the pixel's centre
        assert heights[row, col] == pytest.approx(terrain.ground_height(cx, cy), abs=0.011)
        # real values in centimetres, not 8-bit grey levels
        assert len(np.unique(heights)) > 300 and not np.allclose(heights, np.round(heights))


def test_map_tiles_are_a_hillshade(client: FlaskClient) -> None:
    lon, lat = lonlat(X, Y)
    tile = TMS.tile(lon, lat, 16)
    response = client.get(f"/collections/dgm1/tiles/WebMercatorQuad/16/{tile.y}/{tile.x}?f=png")
    assert response.status_code == 200 and response.content_type == "image/png"
    pixels = np.asarray(Image.open(io.BytesIO(response.data)).convert("LA"))
    grey = pixels[..., 0].astype(float)
    # the same pixels' heights and their slope towards the north-west sun
    west, _, east, north = TMS.xy_bounds(tile)
    step = (east - west) / 256
    centres = step * (np.arange(256) + 0.5)
    mx, my = np.meshgrid(west + centres, north - centres)
    from pyproj import Transformer

    ux, uy = Transformer.from_crs("EPSG:3857", "EPSG:25832", always_xy=True).transform(mx, my)
    heights = terrain.ground_height(np.asarray(ux), np.asarray(uy))
    dz_drow, dz_dx = np.gradient(heights)  # rows run south
    towards_sun = dz_dx + dz_drow  # falling towards the north-west sun: lit
    inner = pixels[..., 1] == 255  # inside the data, away from the tile's edges
    inner[:8] = inner[-8:] = inner[:, :8] = inner[:, -8:] = False
    lit = np.corrcoef(grey[inner], towards_sun[inner])[0, 1]
    stretched = np.corrcoef(grey[inner], heights[inner])[0, 1]
    assert lit > 0.6, f"grey does not follow the slopes (r={lit:.2f})"
    assert stretched < 0.5, "grey is a stretch of the heights, not a hillshade"
    assert grey[inner].std() > 3


def test_terrain_tiles_are_ellipsoidal_heights(client: FlaskClient) -> None:
    meta = client.get("/collections/dgm1/terrain").get_json()
    assert meta["width"] == meta["height"] == HEIGHTMAP_SIZE and meta["maxLevel"] >= 17
    # the tiles of the live version: immutable (another version: redirected to the live one)
    version = meta["tiles"].rpartition("?v=")[2]
    assert meta["tiles"].endswith(f"/collections/dgm1/terrain/{{level}}/{{x}}/{{y}}?v={version}")
    assert client.get(f"/collections/dgm1/terrain/16/1/1?v={version}x").status_code == 302
    lon, lat = lonlat(X, Y)
    level = 16
    size = 180.0 / 2**level
    x, y = int((lon + 180) / size), int((90 - lat) / size)
    response = client.get(f"/collections/dgm1/terrain/{level}/{x}/{y}")
    assert response.status_code == 200 and response.content_type == "application/octet-stream"
    assert response.headers["ETag"] and "max-age" in response.headers["Cache-Control"]
    pinned = client.get(f"/collections/dgm1/terrain/{level}/{x}/{y}?v={version}")
    assert pinned.data == response.data and pinned.headers["Cache-Control"].endswith("immutable")
    heights = np.frombuffer(response.data, "<f4").reshape(HEIGHTMAP_SIZE, HEIGHTMAP_SIZE)
    west, south, east, north = tile_rectangle(level, x, y)
    # the sample on (lon, lat): DGM height + geoid undulation (about 43 m in Hannover)
    col = round((lon - west) / (east - west) * (HEIGHTMAP_SIZE - 1))
    row = round((north - lat) / (north - south) * (HEIGHTMAP_SIZE - 1))
    lon_s = west + col * (east - west) / (HEIGHTMAP_SIZE - 1)
    lat_s = north - row * (north - south) / (HEIGHTMAP_SIZE - 1)
    from pyproj import Transformer

    xs, ys = Transformer.from_crs("OGC:CRS84", "EPSG:25832", always_xy=True).transform(
        lon_s, lat_s)
    undulation = heights[row, col] - terrain.ground_height(float(xs), float(ys))
    assert 42 < undulation < 45
    # neighbours share their edge samples (no cracks between tiles)
    east_tile = np.frombuffer(client.get(f"/collections/dgm1/terrain/{level}/{x + 1}/{y}").data,
                              "<f4").reshape(HEIGHTMAP_SIZE, HEIGHTMAP_SIZE)
    assert np.allclose(heights[:, -1], east_tile[:, 0], atol=0.05)


@pytest.mark.parametrize(("path", "status"), [
    ("/collections/dgm1/terrain/x/1/1", 400),
    ("/collections/dgm1/terrain/30/1/1", 400),
    ("/collections/dgm1/terrain/2/8/0", 400),
    ("/collections/lod2/terrain", 404),
    ("/collections/nope/terrain/1/1/1", 404),
])
def test_bad_terrain_requests(client: FlaskClient, path: str, status: int) -> None:
    response = client.get(path)
    assert response.status_code == status
    assert response.get_json()["code"] and response.get_json()["description"]


def test_buildings_stand_on_the_terrain(built: Settings) -> None:
    """Every LoD2 building's ground height is the DGM's height at its footprint (< 0.3 m)."""
    store = Store(built.data_dir)
    live = store.live_dir("lod2")
    assert live is not None
    with sqlite3.connect(live / "lod2.gpkg") as db:
        rows = db.execute("SELECT gml_id, gelaendehoehe FROM lod2").fetchall()
    with rasterio.open(store.live_dir("dgm1") / "dgm1.tif") as dgm:  # type: ignore[operator]
        dgm_heights = dgm.read(1)
        footprints = _footprint_centres()
        assert len(rows) == len(footprints) == 300
        for gml_id, ground in rows:
            x, y = footprints[gml_id]
            row, col = dgm.index(x, y)
            assert math.isclose(ground, float(dgm_heights[row, col]), abs_tol=0.3), gml_id


def _footprint_centres() -> dict[str, tuple[float, float]]:
    """gml_id -> centre of the main building's ground surface, from the shipped sample."""
    import re

    centres = {}
    pattern = re.compile(r'bldg:Building gml:id="([^"]+)".*?GroundSurface.*?<gml:posList>'
                         r"([^<]+)</gml:posList>", re.S)
    for path in sorted((ROOT / "datasets" / "lod2" / "sample").glob("*.gml")):
        for gml_id, pos in pattern.findall(path.read_text(encoding="utf-8")):
            values = [float(v) for v in pos.split()]
            xs, ys = values[0::3], values[1::3]
            centres[gml_id] = ((min(xs) + max(xs)) / 2, (min(ys) + max(ys)) / 2)
    return centres
