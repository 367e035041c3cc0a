"""Conformance page (HTML = JSON) and date formats in queryables."""

from __future__ import annotations

import re

import pytest
from flask.testing import FlaskClient

from opengeodata.manifest import FieldInfo
from opengeodata.published import field_formats
from opengeodata.server import create_app
from opengeodata.server.features_caching import ADDED, REMOVED
from opengeodata.settings import Settings
from opengeodata.store import Store


@pytest.fixture(scope="module")
def client(published: Settings) -> FlaskClient:
    return create_app(published).test_client()


def test_conformance_html_lists_the_same_classes_as_json(client: FlaskClient) -> None:
    classes = client.get("/conformance?f=json").get_json()["conformsTo"]
    resp = client.get("/conformance?f=html")
    assert resp.status_code == 200
    assert resp.mimetype == "text/html"
    html = resp.get_data(as_text=True)
    shown = set(re.findall(r"http://www\.opengis\.net/spec/[^\s\"'<>]+", html))
    assert shown == set(classes)
    assert set(ADDED) <= shown
    assert not REMOVED & shown


def test_conformance_json_is_sorted_and_unique(client: FlaskClient) -> None:
    classes = client.get("/conformance").get_json()["conformsTo"]
    assert classes == sorted(set(classes))
    assert "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core" in classes


def test_queryables_give_date_format_for_date_fields(client: FlaskClient) -> None:
    props = client.get("/collections/stadtbezirke/queryables?f=json").get_json()["properties"]
    assert props["stand"] == {**props["stand"], "type": "string", "format": "date"}
    assert "format" not in props["name"]
    html = client.get("/collections/stadtbezirke/queryables?f=html").get_data(as_text=True)
    assert re.search(r"stand \(<code>string</code>\)\s*\(<code>date</code>\)", html)


def test_field_formats_for_date_and_datetime_fields(published: Settings) -> None:
    manifest = Store(published.data_dir).live_manifest("stadtbezirke")
    assert manifest is not None
    fields = [*manifest.fields, FieldInfo(name="beginnt", type="datetime")]
    formats = field_formats(manifest.model_copy(update={"fields": fields}))
    assert formats == {"stand": "date", "beginnt": "date-time"}
