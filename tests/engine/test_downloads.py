"""Result downloads of an items query: f=csv, f=fgb, f=gpkg with the same filters."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import geopandas as gpd
import pyogrio
import pytest
import shapely
from flask.testing import FlaskClient

from opengeodata.settings import Settings
from opengeodata.store import Store

ITEMS = "/collections/parcels/items"
BOX = "548000,5803000,550000,5805000&bbox-crs=http://www.opengis.net/def/crs/EPSG/0/25832"


@pytest.fixture(scope="module")
def in_box(parcels_settings: Settings) -> gpd.GeoDataFrame:
    live = Store(parcels_settings.data_dir).live_dir("parcels")
    assert live is not None
    frame = pyogrio.read_dataframe(live / "parcels.gpkg")
    return frame[frame.intersects(shapely.box(548000, 5803000, 550000, 5805000))]


def test_csv_download(parcels_client: FlaskClient, in_box: gpd.GeoDataFrame) -> None:
    resp = parcels_client.get(f"{ITEMS}?f=csv&bbox={BOX}&properties=flur,kennzeichen")
    assert resp.status_code == 200
    assert resp.mimetype == "text/csv"
    assert "attachment" in resp.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(resp.get_data(as_text=True).lstrip("\ufeff"))))
    assert sorted(r["id"] for r in rows) == sorted(in_box["kennzeichen"])
    assert list(rows[0]) == ["id", "flur", "kennzeichen", "geometry_wkt"]
    geom = shapely.from_wkt(rows[0]["geometry_wkt"])
    assert 9.5 < geom.centroid.x < 10  # CRS84 by default


@pytest.mark.parametrize("fmt", ["gpkg", "fgb"])
def test_gpkg_and_fgb_downloads(
    parcels_client: FlaskClient, in_box: gpd.GeoDataFrame, fmt: str, tmp_path: Path
) -> None:
    crs = "http://www.opengis.net/def/crs/EPSG/0/25832"
    resp = parcels_client.get(f"{ITEMS}?f={fmt}&bbox={BOX}&crs={crs}&filter=flur%20%3E%2010")
    assert resp.status_code == 200
    path = tmp_path / f"out.{fmt}"
    path.write_bytes(resp.get_data())
    got = pyogrio.read_dataframe(path)
    ref = in_box[in_box.flur > 10]
    assert got.crs.to_epsg() == 25832
    assert sorted(got["kennzeichen"]) == sorted(ref["kennzeichen"]) and len(ref) > 5
    merged = got.set_index("kennzeichen").loc[ref["kennzeichen"]]
    assert merged["flaeche"].tolist() == ref["flaeche"].tolist()
    for a, b in zip(merged.geometry, ref.geometry, strict=True):
        assert a.equals_exact(b, 1e-6)


def test_download_without_limit_has_every_match(parcels_client: FlaskClient) -> None:
    resp = parcels_client.get(f"{ITEMS}?f=csv&skipGeometry=true&properties=flur")
    lines = resp.get_data(as_text=True).strip().splitlines()
    assert len(lines) == 2501
    assert lines[0].lstrip("\ufeff") == "id,flur"
    assert lines[1].startswith("036100-000-000000,")  # the declared id, not the row number
    resp = parcels_client.get(f"{ITEMS}?f=csv&skipGeometry=true&limit=7&offset=3")
    assert len(resp.get_data(as_text=True).strip().splitlines()) == 8


def test_empty_download_is_valid(parcels_client: FlaskClient, tmp_path: Path) -> None:
    resp = parcels_client.get(f"{ITEMS}?f=gpkg&flur=999")
    assert resp.status_code == 200
    (tmp_path / "e.gpkg").write_bytes(resp.get_data())
    assert len(pyogrio.read_dataframe(tmp_path / "e.gpkg")) == 0


def test_fgb_without_geometry(parcels_client: FlaskClient, tmp_path: Path) -> None:
    resp = parcels_client.get(f"{ITEMS}?f=fgb&skipGeometry=true&flur=3")
    assert resp.status_code == 200
    (tmp_path / "n.fgb").write_bytes(resp.get_data())
    frame = pyogrio.read_dataframe(tmp_path / "n.fgb", read_geometry=False)
    assert len(frame) == 50 and set(frame["flur"]) == {3}
