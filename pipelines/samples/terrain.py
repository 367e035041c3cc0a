"""The synthetic terrain of the bundled samples: one height function, used by every sample.

:func:`ground_height` gives the DHHN2016 normal height (m) at EPSG:25832 coordinates: the Leine
valley at about 50 m, a hill like the Lindener Berg in the north-west (up to ~85 m in the sample
area) and gentle undulations; everywhere in the city between 45 and 120 m. The digital terrain
model ``dgm1`` is this function sampled at 1 m (:func:`dgm_tiles`), and the city-model samples
(``pipelines.citymodel.sample``) put each building's ground surface at this height, so the
buildings stand on the terrain.

Run: ``python -m pipelines.samples.terrain [DATASETS_DIR]`` writes ``dgm1/sample/``: float32
GeoTIFF tiles of 1 km (``dgm1_32_<E km>_<N km>_1_ni.tif``, DEFLATE with floating-point
predictor, nodata -9999, CRS EPSG:25832), as the city's DGM1 is delivered.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import overload

import numpy as np
import rasterio
from affine import Affine
from numpy.typing import NDArray

#: South-west corner (km, EPSG:25832) and size (km) of the DGM sample: it covers the
#: city-model samples (pipelines.citymodel.sample.ORIGIN_KM, 2 x 2 tiles) and the raster maps.
ORIGIN_KM = (548, 5800)
TILES = 2
NODATA = -9999.0
HEIGHT_RANGE = (45.0, 120.0)

Array = NDArray[np.float64]


def _height(x: Array, y: Array) -> Array:
    rolling = 56.0 + 5.0 * np.sin((x - 548_000.0) / 700.0) * np.cos((y - 5_800_000.0) / 900.0)
    hill = 34.0 * np.exp(-((x - 547_600.0) ** 2 + (y - 5_801_600.0) ** 2) / (2 * 600.0**2))
    kronsberg = 60.0 * np.exp(-((x - 558_000.0) ** 2 + (y - 5_797_500.0) ** 2)
                              / (2 * 1500.0**2))
    valley = -5.0 * np.exp(-(((x - 549_700.0) / 250.0) ** 2))
    heights: Array = np.clip(rolling + hill + kronsberg + valley, *HEIGHT_RANGE)
    return heights


@overload
def ground_height(x: float, y: float) -> float: ...
@overload
def ground_height(x: Array, y: Array) -> Array: ...
def ground_height(x: float | Array, y: float | Array) -> float | Array:
    """Terrain height (m above NHN, DHHN2016) at easting ``x``, northing ``y`` (EPSG:25832)."""
    if isinstance(x, np.ndarray) or isinstance(y, np.ndarray):
        return _height(np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64))
    return float(_height(np.array([x], dtype=np.float64), np.array([y], dtype=np.float64))[0])


def dgm_tile(e_km: int, n_km: int, resolution: float = 1.0) -> NDArray[np.float32]:
    """Heights of one 1 km tile at pixel centres (row 0 = north), in cm steps as delivered."""
    px = int(1000 / resolution)
    centres = (np.arange(px, dtype=np.float64) + 0.5) * resolution
    xx, yy = np.meshgrid(e_km * 1000 + centres, (n_km + 1) * 1000 - centres)
    return np.round(ground_height(xx, yy), 2).astype(np.float32)


def dgm_tiles(folder: Path, origin_km: tuple[int, int] = ORIGIN_KM, tiles: int = TILES,
              resolution: float = 1.0) -> list[Path]:
    """Write ``tiles`` x ``tiles`` DGM tiles of 1 km into ``folder``; returns the files."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for n_km in range(origin_km[1], origin_km[1] + tiles):
        for e_km in range(origin_km[0], origin_km[0] + tiles):
            data = dgm_tile(e_km, n_km, resolution)
            path = folder / f"dgm1_32_{e_km}_{n_km}_1_ni.tif"
            transform = Affine(resolution, 0, e_km * 1000, 0, -resolution, (n_km + 1) * 1000)
            with rasterio.open(path, "w", driver="GTiff", width=data.shape[1],
                               height=data.shape[0], count=1, dtype="float32",
                               crs="EPSG:25832", transform=transform, nodata=NODATA,
                               compress="DEFLATE", predictor=3, zlevel=9, tiled=True,
                               blockxsize=256, blockysize=256) as dst:
                dst.write(data, 1)
            written.append(path)
    return written


def main(argv: list[str]) -> int:
    """Write the DGM sample into ``DATASETS_DIR/dgm1/sample/``."""
    datasets = Path(argv[0]) if argv else Path("datasets")
    folder = datasets / "dgm1" / "sample"
    for old in folder.glob("*"):
        old.unlink()
    with rasterio.Env(GDAL_PAM_ENABLED="NO"):
        for path in dgm_tiles(folder):
            print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
