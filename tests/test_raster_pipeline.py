"""Raster pipeline: source tiles -> validated COG in EPSG:25832 plus the zipped originals."""

from __future__ import annotations

import shutil
import zipfile
from pathlib import Path

import numpy as np
import pytest
import rasterio
from rio_cogeo.cogeo import cog_validate

from opengeodata.declaration import load_all
from opengeodata.errors import DataValidationError
from opengeodata.settings import Settings
from opengeodata.store import Store
from pipelines.runner import run_dataset
from pipelines.samples import raster as raster_samples
from tests.conftest import make_settings
from tests.publish_util import publish_all

RASTERS = ["dop20", "stadtkarte"]


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    settings = make_settings(tmp_path_factory.mktemp("raster"), RASTERS)
    return publish_all(settings)


@pytest.mark.parametrize(("dataset", "bands", "res", "size"), [
    ("dop20", 3, 0.2, 5000), ("stadtkarte", 1, 0.5, 2000),
])
def test_cog_is_valid_with_overviews(built: Settings, dataset: str, bands: int, res: float,
                                     size: int) -> None:
    store = Store(built.data_dir)
    manifest = store.live_manifest(dataset)
    live = store.live_dir(dataset)
    assert manifest is not None and live is not None
    cog = manifest.output("cog")
    assert cog is not None and cog.crs == "EPSG:25832"
    path = live / cog.name
    valid, errors, _ = cog_validate(path, quiet=True)
    assert valid, errors
    with rasterio.open(path) as src:
        assert src.crs.to_epsg() == 25832
        assert (src.count, src.width, src.height) == (bands, size, size)
        assert src.res == pytest.approx((res, res))
        assert tuple(src.bounds) == pytest.approx((548_000, 5_800_000, 549_000, 5_801_000))
        assert len(src.overviews(1)) >= 2
        # the four tiles were placed right: the mosaic equals each source tile
        sample = built.datasets_dir / dataset / "sample"
        for tile in sorted(sample.glob("*.jpg")) + sorted(sample.glob("*.tif")):
            with rasterio.open(tile) as part:
                window = src.window(*part.bounds)
                mosaic = src.read(window=window)
                original = part.read()
            assert mosaic.shape == original.shape
            # JPEG re-compression in the COG changes pixels a little, never the picture
            assert np.abs(mosaic.astype(int) - original).mean() < 6
    assert manifest.extent is not None
    assert manifest.extent.bbox == pytest.approx([548_000, 5_800_000, 549_000, 5_801_000])
    assert manifest.quality.checks["raster"]["tiles"] == 4
    assert manifest.quality.summary().startswith(f"4 tiles read, COG {size}x{size} px written")
    assert manifest.feature_count == 0 and manifest.layer is None


def test_original_tiles_zipped_with_world_files(built: Settings) -> None:
    store = Store(built.data_dir)
    manifest = store.live_manifest("dop20")
    live = store.live_dir("dop20")
    assert manifest is not None and live is not None
    [archive] = [o for o in manifest.outputs if o.format == "zip"]
    names = set(zipfile.ZipFile(live / archive.name).namelist())
    assert len([n for n in names if n.endswith(".jpg")]) == 4
    assert len([n for n in names if n.endswith(".jgw")]) == 4


def _copy_dataset(tmp_path: Path, dataset: str) -> Settings:
    return make_settings(tmp_path, [dataset])


def test_tile_without_world_file_is_refused(tmp_path: Path) -> None:
    settings = _copy_dataset(tmp_path, "dop20")
    sample = settings.datasets_dir / "dop20" / "sample"
    next(sample.glob("*.jgw")).unlink()
    [dataset] = load_all(settings.datasets_dir)
    with pytest.raises(DataValidationError, match=r"dop20_.*\.jpg: .*no georeferencing"):
        run_dataset(dataset, settings)
    assert Store(settings.data_dir).live_manifest("dop20") is None


def test_tile_without_crs_needs_declaration(tmp_path: Path) -> None:
    settings = _copy_dataset(tmp_path, "stadtkarte")
    yml = settings.datasets_dir / "stadtkarte" / "dataset.yml"
    yml.write_text(yml.read_text("utf-8").replace("  crs: EPSG:25832\n", ""), "utf-8")
    [dataset] = load_all(settings.datasets_dir)
    with pytest.raises(DataValidationError, match=r"no CRS; declare it as 'source\.crs'"):
        run_dataset(dataset, settings)


def test_geotiff_in_other_crs_is_reprojected(tmp_path: Path) -> None:
    """A GeoTIFF in ETRS89 lon/lat is warped into EPSG:25832."""
    settings = _copy_dataset(tmp_path, "stadtkarte")
    folder = settings.datasets_dir / "stadtkarte"
    shutil.rmtree(folder / "sample")
    (folder / "sample").mkdir()
    data = (np.indices((200, 300)).sum(0) % 256).astype("uint8")[None]
    transform = rasterio.transform.from_bounds(9.73, 52.37, 9.76, 52.39, 300, 200)
    with rasterio.open(folder / "sample" / "geo.tif", "w", driver="GTiff", width=300,
                       height=200, count=1, dtype="uint8", crs="EPSG:4258",
                       transform=transform) as dst:
        dst.write(data)
    yml = folder / "dataset.yml"
    yml.write_text(yml.read_text("utf-8").replace("  crs: EPSG:25832\n", "").replace(
        "sample/skh1000_*.tif", "sample/geo.tif"), "utf-8")
    [dataset] = load_all(settings.datasets_dir)
    assert run_dataset(dataset, settings).status == "published"
    manifest = Store(settings.data_dir).live_manifest("stadtkarte")
    assert manifest is not None and manifest.extent is not None
    minx, miny, maxx, maxy = manifest.extent.bbox
    assert 549_000 < minx < maxx < 552_500 and 5_802_000 < miny < maxy < 5_806_000
    assert manifest.quality.crs_transformation == "EPSG:4258 -> EPSG:25832"


def test_raster_samples_are_made_by_the_script(tmp_path: Path) -> None:
    datasets = Path(__file__).parent.parent / "datasets"
    labels = raster_samples.sample_labels(datasets)
    assert labels.shape == (1000, 1000)
    assert len(np.unique(labels)) >= 6  # fields, lawns, roads, buildings, trees, water ...
    grey = raster_samples.city_map(labels, 2)
    with rasterio.open(next((datasets / "stadtkarte" /
                             "sample").glob("skh1000_548000_5800500.tif"))) as src:
        assert np.array_equal(src.read(), grey[:, :1000, :1000])


def test_zip_delivery_of_tiles(tmp_path: Path) -> None:
    """Tiles delivered in one zip (as the city's download offers them) are read in place."""
    settings = _copy_dataset(tmp_path, "stadtkarte")
    folder = settings.datasets_dir / "stadtkarte"
    with zipfile.ZipFile(folder / "skh1000.zip", "w") as archive:
        for path in sorted((folder / "sample").iterdir()):
            archive.write(path, f"kacheln/{path.name}")
    shutil.rmtree(folder / "sample")
    yml = folder / "dataset.yml"
    yml.write_text(yml.read_text("utf-8").replace("sample/skh1000_*.tif", "skh1000.zip"),
                   "utf-8")
    [dataset] = load_all(settings.datasets_dir)
    assert run_dataset(dataset, settings).status == "published"
    store = Store(settings.data_dir)
    manifest = store.live_manifest("stadtkarte")
    live = store.live_dir("stadtkarte")
    assert manifest is not None and manifest.extent is not None and live is not None
    assert manifest.extent.bbox == pytest.approx([548_000, 5_800_000, 549_000, 5_801_000])
    assert manifest.quality.checks["raster"]["tiles"] == 4
    names = zipfile.ZipFile(live / "stadtkarte_kacheln.zip").namelist()
    assert len([n for n in names if n.endswith(".tfw")]) == 4
