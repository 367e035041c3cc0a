"""QA: a raster collection has no items: 404 with a clear message, not pygeoapi's 400."""

from __future__ import annotations

from pathlib import Path

import pytest
from flask.testing import FlaskClient

from opengeodata.server import create_app
from tests.conftest import make_settings
from tests.pipelines.publish.util import publish_all


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> FlaskClient:
    settings = make_settings(Path(tmp_path_factory.mktemp("qa_raster")), ["stadtkarte"])
    publish_all(settings)
    return create_app(settings).test_client()


@pytest.mark.parametrize("path", ["/collections/stadtkarte/items",
                                  "/collections/stadtkarte/items?f=json",
                                  "/collections/stadtkarte/items/1"])
def test_raster_items_are_404(client: FlaskClient, path: str) -> None:
    resp = client.get(path)
    assert resp.status_code == 404, resp.get_data()[:200]
    assert "has no items" in resp.get_json()["description"]
    assert client.get("/collections/stadtkarte?f=json").status_code == 200
