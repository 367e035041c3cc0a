"""Map tiles (OGC API Tiles) and coverages (OGC API Coverages) of raster collections."""

from __future__ import annotations

import functools
import http.server
import re
import threading
import warnings
from collections.abc import Iterator
from pathlib import Path

import morecantile
import numpy as np
import pytest
import rasterio
from flask.testing import FlaskClient
from rasterio.errors import NotGeoreferencedWarning
from rasterio.io import MemoryFile
from rio_tiler.io import Reader

from opengeodata.server.app import create_app
from opengeodata.server.raster_render import render_tile
from opengeodata.settings import Settings
from opengeodata.store import Store
from tests.conftest import make_settings
from tests.pipelines.publish.util import publish_all

TMS = morecantile.tms.get("WebMercatorQuad")
#: a point inside the sample rasters (548000-549000 E, 5800000-5801000 N)
LON, LAT = 9.7107, 52.3527


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    settings: Settings = make_settings(tmp_path_factory.mktemp("rasterserver"),
                                       ["dop20", "stadtkarte", "stadtbezirke"])
    return publish_all(settings)


@pytest.fixture(scope="module")
def client(built: Settings) -> Iterator[FlaskClient]:
    yield create_app(built).test_client()


def decode(body: bytes) -> np.ndarray:
    with warnings.catch_warnings():  # PNG/JPEG/WebP tiles carry no georeferencing
        warnings.simplefilter("ignore", NotGeoreferencedWarning)
        with MemoryFile(body) as mem, mem.open() as img:
            return img.read()


def tile_path(dataset: str, z: int, lon: float = LON, lat: float = LAT) -> str:
    t = TMS.tile(lon, lat, z)
    return f"/collections/{dataset}/tiles/WebMercatorQuad/{t.z}/{t.y}/{t.x}"


@pytest.mark.parametrize(("fmt", "mime", "bands"), [
    ("png", "image/png", {4}), ("jpeg", "image/jpeg", {3}),
    ("webp", "image/webp", {3, 4}),  # libwebp drops an all-opaque alpha channel
])
def test_map_tile_formats(client: FlaskClient, fmt: str, mime: str, bands: set[int]) -> None:
    response = client.get(tile_path("dop20", 17) + f"?f={fmt}")
    assert response.status_code == 200, response.data
    assert response.content_type == mime
    pixels = decode(response.data)
    assert pixels.shape[0] in bands and pixels.shape[1:] == (256, 256)
    assert len(np.unique(pixels[:3].reshape(3, -1), axis=1).T) > 100  # a picture, not a fill
    assert response.headers["Cache-Control"].startswith("public, max-age=")
    assert response.headers["ETag"]


def test_greyscale_map_tile_and_accept_header(client: FlaskClient) -> None:
    response = client.get(tile_path("stadtkarte", 17), headers={"Accept": "image/webp"})
    assert response.status_code == 200 and response.content_type == "image/webp"
    pixels = decode(response.data)
    assert pixels.shape[1:] == (256, 256)
    assert pixels[0].min() < 50 and pixels[0].max() > 200  # black outlines on white ground
    assert response.headers["Vary"] == "Accept"


def test_edge_tile_is_transparent_outside_the_data(client: FlaskClient) -> None:
    # the tile holding the raster's north-west corner at z14 is mostly outside the data
    response = client.get(tile_path("dop20", 14, 9.7047, 52.3571) + "?f=png")
    alpha = decode(response.data)[3]
    assert 0 < (alpha == 255).mean() < 1


def test_etag_gives_304(client: FlaskClient) -> None:
    path = tile_path("dop20", 16) + "?f=jpeg"
    first = client.get(path)
    etag = first.headers["ETag"]
    again = client.get(path, headers={"If-None-Match": etag})
    assert again.status_code == 304 and not again.data
    other = client.get(tile_path("dop20", 16) + "?f=png")
    assert other.headers["ETag"] != etag


def test_tile_outside_extent_is_404(client: FlaskClient) -> None:
    response = client.get(tile_path("dop20", 16, 10.5, 52.0))
    assert response.status_code == 404
    assert "outside the extent" in response.json["description"]
    assert client.get(tile_path("dop20", 24)).status_code == 404  # far beyond the resolution


@pytest.mark.parametrize("path", [
    "/collections/dop20/tiles/WebMercatorQuad/16/abc/1",
    "/collections/dop20/tiles/WebMercatorQuad/-1/0/0",
    "/collections/dop20/tiles/WebMercatorQuad/2/4/0",
    "/collections/dop20/tiles/WebMercatorQuad/25/0/0",
    "/collections/dop20/tiles/WebMercatorQuad/16/21534/34541?f=gif",
])
def test_malformed_tile_request_is_400(client: FlaskClient, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 400
    assert response.json["code"] == "InvalidParameterValue"


def test_unknown_tile_matrix_set_is_404(client: FlaskClient) -> None:
    assert client.get("/collections/dop20/tiles/WorldCRS84Quad/3/1/1").status_code == 404


def test_tileset_metadata(client: FlaskClient) -> None:
    listing = client.get("/collections/dop20/tiles").json
    [tileset] = listing["tilesets"]
    assert tileset["dataType"] == "map"
    templates = [link["href"] for link in tileset["links"] if link["rel"] == "item"]
    assert any(re.search(r"/tiles/WebMercatorQuad/\{tileMatrix\}/\{tileRow\}/\{tileCol\}"
                         r"\?f=webp&v=[0-9TZ.]+-[0-9a-f]+$", t) for t in templates), templates
    meta = client.get("/collections/dop20/tiles/WebMercatorQuad").json
    z17 = next(lim for lim in meta["tileMatrixSetLimits"] if lim["tileMatrix"] == "17")
    t = TMS.tile(LON, LAT, 17)
    assert z17["minTileCol"] <= t.x <= z17["maxTileCol"]
    assert z17["minTileRow"] <= t.y <= z17["maxTileRow"]


def test_coverage_subset_scaled(client: FlaskClient) -> None:
    response = client.get("/collections/dop20/coverage?subset=E(548100:548300),"
                          "N(5800100:5800400)&scale-size=E(100)")
    assert response.status_code == 200, response.data
    assert response.content_type.startswith("image/tiff")
    with MemoryFile(response.data) as mem, mem.open() as img:
        assert (img.width, img.height, img.count) == (100, 150, 3)
        assert img.crs.to_epsg() == 25832
        assert tuple(img.bounds) == pytest.approx((548_100, 5_800_100, 548_300, 5_800_400))
        assert img.read().std() > 5


def test_coverage_bbox_in_crs84_native_resolution(client: FlaskClient) -> None:
    response = client.get("/collections/stadtkarte/coverage?bbox=9.7082,52.3502,9.7102,52.3512"
                          "&f=png")
    assert response.status_code == 200 and response.content_type == "image/png"
    pixels = decode(response.data)
    # about 136 m x 111 m at 0.5 m
    assert 250 < pixels.shape[2] < 300 and 200 < pixels.shape[1] < 250


@pytest.mark.parametrize(("query", "status"), [
    ("?scale-size=E(5000)", 400),  # 5000 x 5000 exceeds the size limit
    ("?bbox=1,2,3", 400),
    ("?subset=E(548100:548000)", 400),
    ("?subset=Q(1:2)", 400),
    ("?scale-size=E(0)", 400),
    ("?f=gif&scale-factor=10", 400),
    ("?bbox=10.5,52.0,10.6,52.1", 404),
])
def test_coverage_errors(client: FlaskClient, query: str, status: int) -> None:
    response = client.get(f"/collections/dop20/coverage{query}")
    assert response.status_code == status
    assert response.json["description"]


def test_raster_collections_are_listed_with_downloads(client: FlaskClient) -> None:
    ids = [c["id"] for c in client.get("/collections?f=json").json["collections"]]
    assert {"dop20", "stadtkarte", "stadtbezirke"} <= set(ids)
    links = client.get("/collections/dop20?f=json").json["links"]
    enclosures = {link["href"].rsplit("/", 1)[1] for link in links if link["rel"] == "enclosure"}
    assert enclosures == {"dop20.tif", "dop20_kacheln.zip"}
    assert any(link["rel"].endswith("tilesets-map") for link in links)
    cog = client.get("/downloads/dop20/dop20.tif")
    assert cog.status_code == 200 and cog.data[:2] in (b"II", b"MM")


def test_vector_collections_keep_their_routes(client: FlaskClient) -> None:
    """Tile and coverage paths of a vector collection still go to pygeoapi, not rasters."""
    tile = client.get("/collections/stadtbezirke/tiles/WebMercatorQuad/12/1350/2158")
    assert tile.status_code != 200 or not tile.content_type.startswith("image/")
    coverage = client.get("/collections/stadtbezirke/coverage?f=json")
    assert coverage.status_code in (400, 404)
    items = client.get("/collections/stadtbezirke/items?f=json&limit=5")
    assert items.status_code == 200 and len(items.json["features"]) == 5


class RangeHandler(http.server.SimpleHTTPRequestHandler):
    """Serves files with HTTP Range support and counts the bytes sent."""

    sent = 0

    def do_GET(self) -> None:
        path = Path(self.translate_path(self.path))
        data = path.read_bytes()
        match = re.fullmatch(r"bytes=(\d+)-(\d*)", self.headers.get("Range", ""))
        if match:
            start = int(match.group(1))
            end = min(int(match.group(2) or len(data) - 1), len(data) - 1)
            self.send_response(206)
            self.send_header("Content-Range", f"bytes {start}-{end}/{len(data)}")
            body = data[start:end + 1]
        else:
            self.send_response(200)
            body = data
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Accept-Ranges", "bytes")
        self.end_headers()
        self.wfile.write(body)
        type(self).sent += len(body)

    def log_message(self, *args: object) -> None:
        pass


def test_tile_reads_only_the_blocks_it_needs(built: Settings) -> None:
    """Served over HTTP ranges, a z18 tile of the COG fetches a small part of the file."""
    live = Store(built.data_dir).live_dir("dop20")
    assert live is not None
    handler = functools.partial(RangeHandler, directory=str(live))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    size = (live / "dop20.tif").stat().st_size
    url = f"/vsicurl/http://127.0.0.1:{server.server_address[1]}/dop20.tif"
    try:
        with rasterio.Env(GDAL_DISABLE_READDIR_ON_OPEN="EMPTY_DIR", CPL_VSIL_CURL_CACHE_SIZE="0",
                          VSI_CACHE="FALSE"), Reader(url) as reader:
            opened = RangeHandler.sent
            t = TMS.tile(LON, LAT, 18)
            body = render_tile(reader, 18, t.y, t.x, "png")
            tile_bytes = RangeHandler.sent - opened
    finally:
        server.shutdown()
    assert decode(body).shape[1:] == (256, 256)
    assert 0 < tile_bytes < 0.1 * size, (tile_bytes, size)


def _live(built: Settings, dataset: str) -> str:
    manifest = Store(built.data_dir).live_manifest(dataset)
    assert manifest is not None
    return manifest.version


def test_versioned_map_tiles_and_coverages(client: FlaskClient, built: Settings) -> None:
    """``v`` = the live version: immutable; another: a never-cached redirect to the live one
    (the stale URL never gets these bytes); none: the short default caching."""
    live = _live(built, "dop20")
    path = tile_path("dop20", 17)
    plain = client.get(f"{path}?f=png")
    pinned = client.get(f"{path}?f=png&v={live}")
    assert plain.status_code == pinned.status_code == 200
    assert pinned.data == plain.data and pinned.headers["ETag"] == plain.headers["ETag"]
    assert pinned.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    assert "immutable" not in plain.headers["Cache-Control"]
    assert client.get(f"{path}?f=png&v={live}", headers={
        "If-None-Match": plain.headers["ETag"]}).status_code == 304
    moved = client.get(f"{path}?f=png&v=20000101T000000.000Z-00000000")
    assert moved.status_code == 302 and moved.headers["Cache-Control"] == "no-store"
    assert moved.headers["Location"] == f"{path}?f=png&v={live}"
    coverage = "/collections/dop20/coverage?subset=E(548100:548300),N(5800100:5800300)&f=png"
    cov = client.get(f"{coverage}&v={live}")
    assert cov.status_code == 200 and cov.headers["Cache-Control"].endswith("immutable")
    assert cov.data == client.get(coverage).data
    moved = client.get(f"{coverage}&v=old")
    assert moved.status_code == 302 and moved.headers["Cache-Control"] == "no-store"
    assert client.get(moved.headers["Location"]).data == cov.data  # other parameters kept
    desc = client.get("/collections/dop20/coverage?f=json").json
    hrefs = [link["href"] for link in desc["links"] if link["rel"] in (
        "preview", "http://www.opengis.net/def/rel/ogc/1.0/coverage")]
    assert len(hrefs) == 2 and all(h.endswith(f"&v={live}") for h in hrefs), hrefs
    for href in hrefs:
        answer = client.get(href.removeprefix("http://testserver"))
        assert answer.status_code == 200 and "immutable" in answer.headers["Cache-Control"]
