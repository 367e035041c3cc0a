"""Real clients: Debian's GDAL 3.6 command line tools against a gunicorn-served instance with
every bundled dataset published (issue 13).

- OAPIF (``ogrinfo``/``ogr2ogr OAPIF:``) lists the feature collections and copies each one
  completely; the raster collections are not offered as vector layers (``layerDataType``).
- OGCAPI (``gdalinfo``/``gdal_translate OGCAPI:``) reads the rasters with their grid, band count
  and band type (coverage domain set and range type) and their pixels.

GDAL's CLI comes from Debian's gdal-bin (``make client-deps``); without it the tests skip.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest
import rasterio
from rasterio.windows import Window

from opengeodata.declaration import load_all
from opengeodata.settings import Settings
from opengeodata.store import Store

TOOLS = ("ogrinfo", "ogr2ogr", "gdalinfo", "gdal_translate")
pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(any(shutil.which(t) is None for t in TOOLS),
                       reason="GDAL command line tools (gdal-bin) missing: run `make "
                              "client-deps` as root"),
]
#: the OGC API Records collection: GDAL 3.6 knows only ``layerDataType`` Raster/Coverage as a
#: sign of a non-feature collection, so it lists the catalogue (``itemType: record``, GeoJSON
#: records with a geometry) as a readable layer as well
RECORDS_ID = "catalogue"


def gdal(tmp_path: Path, *args: str, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "GDAL_DEFAULT_WMS_CACHE_PATH": str(tmp_path / "wms-cache"),
           "GDAL_HTTP_TIMEOUT": "120", "NO_PROXY": "127.0.0.1", "CPL_DEBUG": "OFF"}
    return subprocess.run(list(args), capture_output=True, text=True, timeout=timeout,
                          env=env, check=False, cwd=tmp_path)


def kinds(settings: Settings) -> tuple[set[str], set[str]]:
    """(vector dataset ids, raster dataset ids) of the declarations."""
    decls = load_all(settings.datasets_dir)
    rasters = {d.decl.id for d in decls if d.decl.source.kind == "raster"}
    return {d.decl.id for d in decls} - rasters, rasters


def no_errors(done: subprocess.CompletedProcess[str]) -> None:
    out = done.stdout + done.stderr
    assert done.returncode == 0, out[-3000:]
    assert "ERROR" not in out and "HTTP error" not in out, out[-3000:]


def test_oapif_lists_the_feature_collections(everything_server: str, everything: Settings,
                                             tmp_path: Path) -> None:
    done = gdal(tmp_path, "ogrinfo", "-ro", "-so", f"OAPIF:{everything_server}")
    no_errors(done)
    layers = set(re.findall(r"^\d+: (\S+)", done.stdout, re.M))
    vector, rasters = kinds(everything)
    assert rasters and not layers & rasters
    assert layers - {RECORDS_ID} == vector


def test_ogr2ogr_copies_every_vector_collection(everything_server: str, everything: Settings,
                                                tmp_path: Path) -> None:
    out = tmp_path / "all.gpkg"
    done = gdal(tmp_path, "ogr2ogr", "-f", "GPKG", str(out), f"OAPIF:{everything_server}",
                timeout=600)
    no_errors(done)
    info = gdal(tmp_path, "ogrinfo", "-ro", "-so", "-al", str(out))
    no_errors(info)
    counts = dict(re.findall(r"^Layer name: (\S+)\n(?:.*\n)*?Feature Count: (\d+)",
                             info.stdout, re.M))
    vector, _ = kinds(everything)
    store = Store(everything.data_dir)
    expected = {}
    for dataset in vector:
        manifest = store.live_manifest(dataset)
        assert manifest is not None
        expected[dataset] = manifest.feature_count
    assert {k: int(v) for k, v in counts.items() if k in vector} == expected
    assert all(expected.values())


def cog(settings: Settings, dataset: str) -> Path:
    live = Store(settings.data_dir).live_dir(dataset)
    assert live is not None
    return live / f"{dataset}.tif"


@pytest.mark.parametrize("dataset", ["dop20", "stadtkarte"])
def test_ogcapi_reads_raster_grid_bands_and_type(everything_server: str, everything: Settings,
                                                 tmp_path: Path, dataset: str) -> None:
    done = gdal(tmp_path, "gdalinfo", "-json", f"OGCAPI:{everything_server}/collections/{dataset}")
    no_errors(done)
    info = json.loads(done.stdout)
    with rasterio.open(cog(everything, dataset)) as src:
        assert info["size"] == [src.width, src.height]
        assert [b["type"] for b in info["bands"]] == ["Byte"] * src.count
        transform = src.transform
    assert info["geoTransform"][0] == pytest.approx(transform.c)
    assert info["geoTransform"][1] == pytest.approx(transform.a)
    assert info["geoTransform"][3] == pytest.approx(transform.f)


def test_gdal_translate_reads_overview_and_full_resolution(everything_server: str,
                                                           everything: Settings,
                                                           tmp_path: Path) -> None:
    url = f"OGCAPI:{everything_server}/collections/dop20"
    small = tmp_path / "small.tif"
    no_errors(gdal(tmp_path, "gdal_translate", "-q", "-outsize", "256", "256", url, str(small)))
    with rasterio.open(small) as img:
        assert (img.width, img.height, img.count, img.dtypes[0]) == (256, 256, 3, "uint8")
        assert img.read().std() > 5  # an image, not a blank
    full = tmp_path / "full.tif"
    no_errors(gdal(tmp_path, "gdal_translate", "-q", "-srcwin", "1000", "1000", "600", "600",
                   url, str(full)))
    with rasterio.open(full) as img, rasterio.open(cog(everything, "dop20")) as src:
        got = img.read()
        want = src.read(indexes=[1, 2, 3], window=Window(1000, 1000, 600, 600))
    assert got.shape == want.shape and np.array_equal(got, want)
