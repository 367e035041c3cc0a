"""QA pass 2 on raster collections: every advertised link works, plain coverage requests,
the OpenAPI document of tiles and coverages, quiet client errors and case-insensitive ``f``."""

from __future__ import annotations

import logging
import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from flask.testing import FlaskClient
from openapi_spec_validator import validate
from rasterio.io import MemoryFile

from opengeodata.server import create_app
from tests.conftest import make_settings
from tests.pipelines.publish.util import publish_all
from tests.server.test_openapi import offline

RASTERS = ["dop20", "stadtkarte"]


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> FlaskClient:
    settings = make_settings(Path(tmp_path_factory.mktemp("raster2")), RASTERS)
    publish_all(settings)
    return create_app(settings).test_client()


def local(href: str) -> str | None:
    """The path+query of a link to this server, None for an external link."""
    parts = urlsplit(href)
    if parts.netloc not in ("", "localhost", "testserver") or "{" in href:
        return None
    return f"{parts.path or '/'}{'?' + parts.query if parts.query else ''}"


@pytest.mark.parametrize("dataset", RASTERS)
def test_every_link_of_a_raster_collection_answers(client: FlaskClient, dataset: str) -> None:
    links = client.get(f"/collections/{dataset}?f=json").json["links"]
    coverage = [link for link in links if link["rel"].endswith("/coverage")]
    assert {urlsplit(link["href"]).query for link in coverage} >= {"f=json", "f=html"}
    walked = 0
    for link in links:
        path = local(link["href"])
        if path is None:
            continue
        response = client.get(path)
        walked += 1
        assert 200 <= response.status_code < 300, (link, response.get_data()[:300])
        expected = link.get("type", "").split(";")[0]
        if expected:
            assert response.content_type.split(";")[0] == expected, link
    assert walked >= 10


def test_coverage_json_describes_the_grid(client: FlaskClient) -> None:
    desc = client.get("/collections/dop20/coverage?f=json").json
    grid = desc["domainSet"]["generalGrid"]
    assert grid["srsName"].endswith("/EPSG/0/25832")
    e_axis, n_axis = grid["axis"]
    assert (e_axis["lowerBound"], e_axis["upperBound"]) == (548_000, 549_000)
    assert (n_axis["lowerBound"], n_axis["upperBound"]) == (5_800_000, 5_801_000)
    assert e_axis["resolution"] == pytest.approx(0.2)
    assert [a["upperBound"] for a in grid["gridLimits"]["axis"]] == [4999, 4999]
    assert len(desc["rangeType"]["field"]) == 3
    west, south, east, north = desc["wgs84BoundingBox"]["bbox"]
    assert 9.7 < west < east < 9.8 and 52.3 < south < north < 52.4


def test_coverage_html_page_shows_extent_and_preview(client: FlaskClient) -> None:
    page = client.get("/collections/stadtkarte/coverage?f=HTML")
    assert page.status_code == 200 and page.content_type.startswith("text/html")
    text = page.get_data(as_text=True)
    assert "548000.0" in text and "5801000.0" in text and "EPSG/0/25832" in text
    assert 'src="http://localhost/collections/stadtkarte/coverage?scale-size=E(512)&amp;f=png' \
        '&amp;v=' in text.replace("testserver", "localhost")  # the live version: immutable


def test_plain_coverage_of_a_big_raster_is_scaled_to_the_default(client: FlaskClient) -> None:
    response = client.get("/collections/dop20/coverage?f=GTiff")
    assert response.status_code == 200, response.get_data()[:300]
    assert "5000x5000 px scaled to 1024x1024 px" in response.headers["OGC-Coverage-Scaled"]
    with MemoryFile(response.data) as mem, mem.open() as img:
        assert (img.width, img.height) == (1024, 1024)
        assert tuple(img.bounds) == pytest.approx((548_000, 5_800_000, 549_000, 5_801_000))
    small = client.get("/collections/stadtkarte/coverage?f=GTiff"
                       "&subset=E(548000:548400),N(5800000:5800400)")
    assert small.status_code == 200 and "OGC-Coverage-Scaled" not in small.headers
    explicit = client.get("/collections/dop20/coverage?scale-size=E(4097)")
    assert explicit.status_code == 400 and "4096" in explicit.json["description"]
    budget = client.get("/collections/dop20/coverage?scale-size=E(4096),N(4096)")
    assert budget.status_code == 413 and "4,194,304" in budget.json["description"]


def test_openapi_documents_raster_tiles_and_coverage(client: FlaskClient) -> None:
    oas = client.get("/openapi?f=json").json
    validate(offline(oas))
    paths = oas["paths"]
    tile = paths["/collections/{collectionId}/tiles/{tileMatrixSetId}/{tileMatrix}/{tileRow}"
                 "/{tileCol}"]["get"]
    params = {p["name"]: p for p in tile["parameters"] if "name" in p}
    assert set(params["collectionId"]["schema"]["enum"]) >= set(RASTERS)
    assert set(params["f"]["schema"]["enum"]) >= {"png", "jpeg", "webp"}
    assert {"image/png", "image/jpeg", "image/webp"} <= set(tile["responses"]["200"]["content"])
    for dataset in RASTERS:
        coverage = paths[f"/collections/{dataset}/coverage"]["get"]
        names = {p.get("name") or p["$ref"].rsplit("/", 1)[1] for p in coverage["parameters"]}
        assert {"bbox", "bbox-crs", "subset", "scale-size", "scale-factor", "width", "height",
                "f"} <= names
        assert "image/tiff; application=geotiff" in coverage["responses"]["200"]["content"]


def test_client_errors_log_one_line_without_traceback(client: FlaskClient,
                                                      caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    response = client.get("/collections?f=nonsense")
    assert response.status_code == 400
    problems = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert len(problems) == 1, [r.getMessage() for r in problems]
    assert problems[0].levelno == logging.WARNING and problems[0].exc_info is None
    assert "400" in problems[0].getMessage() and "f=nonsense" in problems[0].getMessage()
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


def test_server_errors_keep_their_traceback(client: FlaskClient,
                                            caplog: pytest.LogCaptureFixture) -> None:
    from opengeodata.server import client_errors

    caplog.set_level(logging.DEBUG)
    pygeoapi_logger = logging.getLogger("pygeoapi.api")
    client_errors.install()
    app = client.application
    with (app.test_request_context("/collections"), pytest.raises(RuntimeError),
          client_errors.deferred()):
        try:
            raise RuntimeError("provider crashed")
        except RuntimeError:
            pygeoapi_logger.error("provider crashed", exc_info=True)
            raise
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert [r.getMessage() for r in errors] == ["provider crashed"]
    assert errors[0].exc_info is not None and errors[0].exc_info[0] is RuntimeError


@pytest.mark.parametrize("path", ["/collections?f=HTML", "/collections/dop20?f=Html",
                                  "/?f=HTML", "/conformance?f=JSON",
                                  "/collections/catalogue/items?f=JSON",
                                  "/collections/catalogue/items?f=HTML",
                                  "/collections/stadtkarte/coverage?f=JSON"])
def test_format_is_case_insensitive(client: FlaskClient, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 200, response.get_data()[:300]
    wanted = "text/html" if "html" in path.lower() else "application/json"
    assert response.content_type.startswith(wanted)


@pytest.mark.parametrize("dataset", RASTERS)
def test_catalogue_page_of_a_raster_shows_pixels_resolution_and_bands(
        client: FlaskClient, dataset: str) -> None:
    page = client.get(f"/catalogue/datasets/{dataset}?lang=en").get_data(as_text=True)
    assert "Number of features" not in page
    size = re.search(r"<dt>Size</dt><dd>(\d+) × (\d+) pixels</dd>", page)
    assert size and int(size.group(1)) > 0 and int(size.group(2)) > 0
    assert re.search(r"<dt>Resolution</dt><dd>[\d.]+ m</dd>", page)
    assert re.search(r"<dt>Bands</dt><dd>[1-9]", page)
