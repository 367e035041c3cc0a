"""One feature engine: pygeoapi's provider (HTML pages) and the JSON views agree."""

from __future__ import annotations

from flask.testing import FlaskClient

from opengeodata.providers.gpkg import GeoPackageProvider
from opengeodata.server.state import ServerState
from opengeodata.settings import Settings


def provider(settings: Settings) -> GeoPackageProvider:
    coll = ServerState(settings).snapshot().published.get("parcels")
    assert coll is not None and coll.features is not None
    feat = coll.features
    return GeoPackageProvider({"name": "x", "type": "feature", "data": feat.data,
                               "id_field": feat.id_field, "storage_crs": feat.storage_crs,
                               "time_field": feat.time_field})


def test_provider_and_json_views_give_the_same_features(
        parcels_settings: Settings, parcels_client: FlaskClient) -> None:
    prov = provider(parcels_settings)
    page = prov.query(offset=3, limit=7, sortby=[{"property": "flaeche", "order": "-"}],
                      properties=[("nutzung", "Wald")])
    storage = "http://www.opengis.net/def/crs/EPSG/0/25832"
    doc = parcels_client.get(f"/collections/parcels/items?f=json&offset=3&limit=7"
                             f"&sortby=-flaeche&nutzung=Wald&crs={storage}").get_json()
    assert [f["id"] for f in page["features"]] == [f["id"] for f in doc["features"]]
    assert [f["properties"] for f in page["features"]] == [
        f["properties"] for f in doc["features"]]
    assert page["numberMatched"] == doc["numberMatched"] > 7
    first = doc["features"][0]
    one = prov.get(first["id"])
    assert one["id"] == first["id"] and one["properties"] == first["properties"]
    ours = one["geometry"]["coordinates"][0][0]
    theirs = first["geometry"]["coordinates"][0][0]
    assert abs(ours[0] - theirs[0]) < 1e-3 and abs(ours[1] - theirs[1]) < 1e-3
