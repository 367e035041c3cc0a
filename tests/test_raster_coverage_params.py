"""Coverage parameters: unknown ones are 400, older spellings work, domain set and range type
are offered and linked (issue 13)."""

from __future__ import annotations

import pytest
import rasterio
from flask.testing import FlaskClient
from rasterio.io import MemoryFile

from opengeodata.ogc import REL_DOMAINSET, REL_RANGETYPE
from opengeodata.settings import Settings
from opengeodata.store import Store


@pytest.fixture(scope="module")
def client(everything: Settings) -> FlaskClient:
    from opengeodata.server import create_app

    return create_app(everything).test_client()


def cog(settings: Settings, dataset: str) -> rasterio.DatasetReader:
    live = Store(settings.data_dir).live_dir(dataset)
    assert live is not None
    return rasterio.open(live / f"{dataset}.tif")


def tiff_size(body: bytes) -> tuple[int, int, int]:
    with MemoryFile(body) as mem, mem.open() as img:
        return img.width, img.height, img.count


@pytest.mark.parametrize("query", ["f=GTiff&bogus=1", "f=json&bogus=1", "bogus=1",
                                   "f=GTiff&scale-size=E(10)&scaleSize=E(20)"])
def test_unknown_or_repeated_coverage_parameter_is_400(client: FlaskClient, query: str) -> None:
    resp = client.get(f"/collections/dop20/coverage?{query}")
    assert resp.status_code == 400
    doc = resp.get_json()
    name = "bogus" if "bogus" in query else "scale-size"
    assert name in doc["description"] and doc["code"] == "InvalidParameterValue"


@pytest.mark.parametrize(("query", "size"), [
    ("scaleSize=E(64),N(32)", (64, 32)),         # GDAL 3.6's OGCAPI driver
    ("scale-size=E(64),N(32)", (64, 32)),
    ("scaleFactor=100", (50, 50)),
    ("scale-factor=100", (50, 50)),
    ("scale-axes=E(100),N(50)", (50, 100)),
    ("scaleAxes=E(100),N(50)", (50, 100)),
])
def test_scale_spellings(client: FlaskClient, query: str, size: tuple[int, int]) -> None:
    resp = client.get(f"/collections/dop20/coverage?f=GTiff&{query}")
    assert resp.status_code == 200, resp.get_data(as_text=True)
    assert tiff_size(resp.get_data()) == (*size, 3)


def test_two_scalings_at_once_are_400(client: FlaskClient) -> None:
    resp = client.get("/collections/dop20/coverage?scale-factor=2&scale-axes=E(2)")
    assert resp.status_code == 400 and "only one" in resp.get_json()["description"]


@pytest.mark.parametrize("dataset", ["dop20", "stadtkarte"])
def test_domainset_and_rangetype(client: FlaskClient, everything: Settings,
                                 dataset: str) -> None:
    with cog(everything, dataset) as src:
        width, height, count = src.width, src.height, src.count
        dtypes, bounds = src.dtypes, src.bounds
    coll = client.get(f"/collections/{dataset}?f=json").get_json()
    links = {link["rel"]: link for link in coll["links"]}
    for rel, part in ((REL_DOMAINSET, "domainset"), (REL_RANGETYPE, "rangetype")):
        assert links[rel]["type"] == "application/json"
        assert links[rel]["href"].endswith(f"/collections/{dataset}/coverage/{part}")
    domain = client.get(f"/collections/{dataset}/coverage/domainset").get_json()
    grid = domain["generalGrid"]
    assert grid["srsName"] == "http://www.opengis.net/def/crs/EPSG/0/25832"
    e_axis, n_axis = grid["axis"]
    assert (e_axis["lowerBound"], n_axis["upperBound"]) == (bounds.left, bounds.top)
    assert grid["gridLimits"]["axis"][0]["upperBound"] == width - 1
    assert grid["gridLimits"]["axis"][1]["upperBound"] == height - 1
    fields = client.get(f"/collections/{dataset}/coverage/rangetype").get_json()["field"]
    assert len(fields) == count
    assert {f["definition"] for f in fields} == {"ogcType:unsignedByte"} == {
        f"ogcType:{'unsignedByte' if d == 'uint8' else d}" for d in dtypes}
    assert client.get(f"/collections/{dataset}/coverage/rangetype?x=1").status_code == 400
