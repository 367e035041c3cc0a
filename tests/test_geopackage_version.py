"""Every GeoPackage written is version 1.3, read by GDAL 3.6 / QGIS 3.22 without a warning.

Debian 12's ``ogrinfo`` (GDAL 3.6, installed by ``make client-deps``) warns "may only be
partially supported" for GeoPackage 1.4 (``user_version`` 10400).
"""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from opengeodata.cli import main
from opengeodata.declaration import load_all
from opengeodata.geopackage import GPKG_APPLICATION_ID, GPKG_USER_VERSION
from opengeodata.settings import Settings
from opengeodata.store import Store
from pipelines.runner import run_many
from tests.conftest import DATASETS
from tests.publish_util import add_dataset, polygons

OGRINFO = shutil.which("ogrinfo")


def check_geopackage(path: Path) -> None:
    """user_version 10300, application_id GPKG; GDAL's ogrinfo opens it without a warning."""
    con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        assert con.execute("PRAGMA application_id").fetchone()[0] == GPKG_APPLICATION_ID
        assert con.execute("PRAGMA user_version").fetchone()[0] == GPKG_USER_VERSION, path.name
    finally:
        con.close()
    if OGRINFO is None:
        return
    done = subprocess.run([OGRINFO, "-ro", "-so", "-al", str(path)], capture_output=True,
                          text=True, timeout=60, check=False)
    assert done.returncode == 0, done.stderr
    assert "partially supported" not in done.stdout + done.stderr
    assert "Warning" not in done.stderr and "ERROR" not in done.stderr, done.stderr
    assert "Feature Count:" in done.stdout


def test_ogrinfo_is_debian_gdal() -> None:
    """The real-client check needs GDAL's CLI (gdal-bin); install it with make client-deps."""
    if OGRINFO is None:
        pytest.skip("ogrinfo (gdal-bin) is not installed: run `make client-deps` as root")
    version = subprocess.run([OGRINFO, "--version"], capture_output=True, text=True,
                             check=True).stdout
    assert version.startswith("GDAL ")


def test_published_download_is_gpkg_1_3(published: Settings) -> None:
    live = Store(published.data_dir).live_dir("stadtbezirke")
    assert live is not None
    check_geopackage(live / "stadtbezirke.gpkg")


def test_download_tiles_and_result_download_are_gpkg_1_3(settings: Settings,
                                                         tmp_path: Path) -> None:
    from opengeodata.server import create_app

    extra = "outputs: [gpkg]\ndownload_tiles: {formats: [gpkg]}\n"
    add_dataset(settings, "kacheln", polygons(3), extra=extra)
    [result] = run_many(load_all(settings.datasets_dir, ["kacheln"]), settings)
    assert result.status == "published", result.message
    live = Store(settings.data_dir).live_dir("kacheln")
    assert live is not None
    files = sorted(live.glob("*.gpkg"))
    assert len(files) >= 2  # the download and at least one tile
    for path in files:
        check_geopackage(path)
    resp = create_app(settings).test_client().get("/collections/kacheln/items?f=gpkg")
    assert resp.status_code == 200
    out = tmp_path / "result.gpkg"
    out.write_bytes(resp.get_data())
    check_geopackage(out)


def test_convert_nas_writes_gpkg_1_3(tmp_path: Path) -> None:
    out = tmp_path / "alkis.gpkg"
    sample = DATASETS / "flurstuecke" / "sample" / "alkis_hannover_nas.xml"
    result = CliRunner().invoke(main, ["-q", "convert", "nas", str(sample), "-o", str(out)])
    assert result.exit_code == 0, result.output
    check_geopackage(out)


def test_convert_citygml_footprints_are_gpkg_1_3(tmp_path: Path) -> None:
    source = sorted((DATASETS / "lod1" / "sample").glob("*.gml"))[0]
    gpkg = tmp_path / "fp.gpkg"
    result = CliRunner().invoke(main, ["-q", "convert", "citygml", str(source), "-o",
                                       str(tmp_path / "m.city.json"), "--footprints", str(gpkg)])
    assert result.exit_code == 0, result.output
    check_geopackage(gpkg)
