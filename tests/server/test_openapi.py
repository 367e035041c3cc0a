"""QA: the OpenAPI document and the landing page describe the project's own endpoints."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from flask.testing import FlaskClient
from openapi_spec_validator import validate

from opengeodata.server import create_app
from opengeodata.settings import Settings

BASE = "http://testserver"


@pytest.fixture(scope="module")
def client(published: Settings) -> FlaskClient:
    return create_app(published).test_client()


@pytest.fixture(scope="module")
def oas(client: FlaskClient) -> dict[str, Any]:
    resp = client.get("/openapi?f=json")
    assert resp.status_code == 200
    return dict(resp.get_json())


def offline(doc: dict[str, Any]) -> dict[str, Any]:
    """``doc`` with its external ``$ref`` (OGC schema URLs) replaced by local stubs."""
    doc = copy.deepcopy(doc)
    comps = doc.setdefault("components", {})

    def stub(ref: str) -> str:
        fragment = ref.partition("#")[2]
        name = fragment.rsplit("/", 1)[-1] if fragment else ref.rsplit("/", 1)[-1].split(".")[0]
        if "/parameters/" in ref:
            where = "path" if name == "featureId" else "query"
            param: dict[str, Any] = {"name": name, "in": where, "schema": {"type": "string"}}
            if where == "path":
                param["required"] = True
            comps.setdefault("parameters", {})[f"ext_{name}"] = param
            return f"#/components/parameters/ext_{name}"
        if "/responses/" in ref:
            comps.setdefault("responses", {})[f"ext_{name}"] = {"description": name}
            return f"#/components/responses/ext_{name}"
        comps.setdefault("schemas", {})[f"ext_{name}"] = {}
        return f"#/components/schemas/ext_{name}"

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            ref = node.get("$ref")
            if isinstance(ref, str) and not ref.startswith("#"):
                node["$ref"] = stub(ref)
            for value in list(node.values()):
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(doc["paths"])
    walk(dict(comps))
    return doc


def test_openapi_is_valid(oas: dict[str, Any]) -> None:
    validate(offline(oas))  # raises on any violation of the OpenAPI 3.0 schema


def test_openapi_documents_tiles_downloads_and_catalogue(oas: dict[str, Any]) -> None:
    paths = oas["paths"]
    for path in [
        "/tiles", "/tiles/{tileMatrixSetId}", "/tiles/{tileMatrixSetId}/tilejson.json",
        "/tiles/{tileMatrixSetId}/{tileMatrix}/{tileRow}/{tileCol}",
        "/collections/{collectionId}/tiles",
        "/collections/{collectionId}/tiles/{tileMatrixSetId}/tilejson.json",
        "/collections/{collectionId}/tiles/{tileMatrixSetId}/{tileMatrix}/{tileRow}/{tileCol}",
        "/downloads/{datasetId}/{fileName}", "/downloads/{datasetId}/latest/{format}",
        "/downloads/{datasetId}/versions/{version}/{fileName}",
        "/catalogue/dcat", "/catalogue/dcat/{datasetId}", "/atom/service.xml",
        "/atom/{datasetId}.xml",
    ]:
        assert "get" in paths[path], path
    tile = paths["/collections/{collectionId}/tiles/{tileMatrixSetId}/{tileMatrix}/{tileRow}"
                 "/{tileCol}"]["get"]
    collection = next(p for p in tile["parameters"] if p["name"] == "collectionId")
    assert collection["schema"]["enum"] == ["stadtbezirke"]
    assert "application/vnd.mapbox-vector-tile" in tile["responses"]["200"]["content"]
    assert {"204", "400", "404"} <= set(tile["responses"])
    items = paths["/collections/stadtbezirke/items"]["get"]["parameters"]
    names = {p.get("name") for p in items}
    assert {"filter", "filter-lang", "filter-crs", "resulttype"} <= names
    f = next(p for p in items if p.get("name") == "f")
    assert {"fgb", "gpkg", "csv"} <= set(f["schema"]["enum"])
    assert {"tiles", "downloads", "catalogue"} <= {t["name"] for t in oas["tags"]}


@pytest.mark.parametrize("path", [
    "/tiles", "/tiles/WebMercatorQuad", "/tiles/WebMercatorQuad/tilejson.json",
    "/collections/stadtbezirke/tiles/WebMercatorQuad/tilejson.json",
    "/downloads/stadtbezirke/latest/gpkg", "/downloads/stadtbezirke/stadtbezirke.geojson",
    "/catalogue/dcat?f=ttl", "/catalogue/dcat/stadtbezirke", "/atom/service.xml",
    "/atom/stadtbezirke.xml",
])
def test_documented_endpoints_answer(client: FlaskClient, path: str) -> None:
    assert client.get(path).status_code == 200


def test_landing_page_links_tiles_and_catalogue(client: FlaskClient) -> None:
    links = client.get("/?f=json").get_json()["links"]
    hrefs = {link["href"] for link in links}
    assert f"{BASE}/tiles" in hrefs
    assert f"{BASE}/tiles/WebMercatorQuad/tilejson.json" in hrefs
    assert f"{BASE}/collections/catalogue/items" in hrefs
    assert f"{BASE}/catalogue/dcat?f=ttl" in hrefs and f"{BASE}/atom/service.xml" in hrefs
    assert not any(h.rstrip("/").endswith("/processes") for h in hrefs)  # not offered
    for href in sorted(h for h in hrefs if h.startswith(BASE)):
        path = href[len(BASE):] or "/"
        assert client.get(path).status_code == 200, href
