"""Write the bundled raster samples as the city delivers them, in 500 m tiles.

- ``dop20``: orthophoto-like RGB at 0.2 m, JPEG tiles with world files (``.jgw``), no CRS in
  the files (the declaration supplies EPSG:25832).
- ``stadtkarte``: city-map-like greyscale at 0.5 m, TIFF tiles with world files (``.tfw``),
  LZW compressed, as the Stadtkarte 1:1000 is delivered.

Both show the same synthetic 1 km2 (the south-west of the city-model and ``dgm1`` samples):
fields and lawns, a road grid, buildings with roofs and shadows, trees. The footprints of the
bundled LoD2 sample (``datasets/lod2/sample``) are drawn in, so the 3D buildings stand on their
own roofs in the orthophoto and the city map. Everything is drawn with numpy from a label map at
1 m, then refined to the target resolution with per-pixel texture.

Run: ``python -m pipelines.samples.raster [DATASETS_DIR]``
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import numpy as np
import rasterio
from affine import Affine

#: Lower-left corner of the sample area (EPSG:25832) and its size: 2 x 2 tiles of 500 m.
ORIGIN = (548_000.0, 5_800_000.0)
TILE_M = 500
TILES = 2
SIZE_M = TILE_M * TILES

FIELD, LAWN, ROAD, BUILDING, TREE, WATER, PAVED = range(7)


def label_map(seed: int = 1000) -> np.ndarray:
    """Land cover labels at 1 m (row 0 is the north edge)."""
    rng = np.random.default_rng(seed)
    n = SIZE_M
    # fields: large patches of alternating crops/lawns (Voronoi of random seeds)
    seeds = rng.uniform(0, n, (40, 2))
    yy, xx = np.mgrid[0:n, 0:n]
    nearest = np.zeros((n, n), dtype=np.int32)
    best = np.full((n, n), np.inf, dtype=np.float32)
    for i, (sx, sy) in enumerate(seeds):
        dist = (xx - sx) ** 2 + (yy - sy) ** 2
        closer = dist < best
        best[closer] = dist[closer]
        nearest[closer] = i
    labels = np.where(nearest % 3 == 0, LAWN, FIELD).astype(np.uint8)
    # a river band
    river = np.abs(yy - (0.72 * n + 40 * np.sin(xx / 90.0))) < 14
    labels[river] = WATER
    # blocks between roads: buildings along the block edges, paved courtyards
    road_x = np.cumsum(rng.integers(90, 160, 10))
    road_y = np.cumsum(rng.integers(90, 160, 10))
    road_x, road_y = road_x[road_x < n - 20], road_y[road_y < n - 20]
    for rx in road_x:
        for ry in road_y:
            if rng.random() < 0.25:
                continue  # an open block (park or field)
            x0, y0 = rx + 12, ry + 12
            x1, y1 = x0 + rng.integers(50, 120), y0 + rng.integers(50, 120)
            labels[y0:y1, x0:x1] = PAVED
            for _ in range(int(rng.integers(3, 8))):
                bx = rng.integers(x0, max(x0 + 1, x1 - 20))
                by = rng.integers(y0, max(y0 + 1, y1 - 15))
                labels[by:by + rng.integers(10, 28), bx:bx + rng.integers(12, 35)] = BUILDING
    for rx in road_x:
        labels[:, max(rx - 5, 0):rx + 5] = ROAD
    for ry in road_y:
        labels[max(ry - 5, 0):ry + 5, :] = ROAD
    # street trees and groves
    trees = rng.uniform(0, n, (1500, 2)).astype(int)
    for tx, ty in trees:
        if labels[ty, tx] in (LAWN, FIELD, PAVED):
            r = int(rng.integers(2, 5))
            labels[max(ty - r, 0):ty + r, max(tx - r, 0):tx + r] = TREE
    return labels


GROUND_RE = re.compile(r"GroundSurface.*?<gml:posList>([^<]+)</gml:posList>", re.S)


def city_model_footprints(folder: Path) -> list[tuple[float, float, float, float]]:
    """Bounding boxes (x0, y0, x1, y1) of the ground surfaces of the LoD2 sample tiles."""
    boxes = []
    for path in sorted(folder.glob("*.gml")):
        for match in GROUND_RE.finditer(path.read_text(encoding="utf-8")):
            values = [float(v) for v in match.group(1).split()]
            xs, ys = values[0::3], values[1::3]
            boxes.append((min(xs), min(ys), max(xs), max(ys)))
    return boxes


def burn_footprints(labels: np.ndarray, boxes: list[tuple[float, float, float, float]]) -> None:
    """Draw the footprints as buildings on a paved lot, replacing what was drawn there."""
    n = labels.shape[0]
    for margin, label in ((6, PAVED), (0, BUILDING)):
        for x0, y0, x1, y1 in boxes:
            c0, c1 = int(x0 - ORIGIN[0]) - margin, int(np.ceil(x1 - ORIGIN[0])) + margin
            r0 = n - int(np.ceil(y1 - ORIGIN[1])) - margin
            r1 = n - int(y0 - ORIGIN[1]) + margin
            labels[max(r0, 0):max(r1, 0), max(c0, 0):max(c1, 0)] = label


def sample_labels(datasets: Path) -> np.ndarray:
    """The label map of the bundled samples, with the LoD2 sample's footprints drawn in."""
    labels = label_map()
    burn_footprints(labels, city_model_footprints(datasets / "lod2" / "sample"))
    return labels


def orthophoto(labels: np.ndarray, scale: int, seed: int = 20) -> np.ndarray:
    """RGB (3, H, W) uint8 orthophoto-like image at ``scale`` pixels per metre."""
    rng = np.random.default_rng(seed)
    colours = np.array([
        (150, 150, 90), (95, 135, 70), (120, 120, 118), (170, 95, 80), (45, 80, 40),
        (50, 70, 90), (160, 155, 145),
    ], dtype=np.float32)
    big = np.repeat(np.repeat(labels, scale, axis=0), scale, axis=1)
    rgb = colours[big]  # H, W, 3
    # per-field tint, texture, shadows on the south-east side of buildings
    grain = 2 * scale  # texture in 2 m cells: plausible, and JPEG keeps the files small
    texture = rng.normal(1.0, 0.05, (big.shape[0] // grain + 1, big.shape[1] // grain + 1, 1))
    rgb *= np.repeat(np.repeat(texture.astype(np.float32), grain, axis=0), grain,
                     axis=1)[: big.shape[0], : big.shape[1]]
    rows = np.arange(big.shape[0], dtype=np.float32)[:, None]
    stripes = (np.sin(rows / (3.0 * scale)) * 6).astype(np.float32)
    rgb[big == FIELD] += stripes.repeat(big.shape[1], 1)[big == FIELD][:, None]
    shadow = (big != BUILDING) & np.roll(big == BUILDING, (2 * scale, 2 * scale), (0, 1))
    rgb[shadow] *= 0.55
    return np.clip(rgb, 0, 255).astype(np.uint8).transpose(2, 0, 1)


def city_map(labels: np.ndarray, scale: int) -> np.ndarray:
    """Greyscale (1, H, W) uint8 map: white ground, grey buildings with black outlines."""
    big = np.repeat(np.repeat(labels, scale, axis=0), scale, axis=1)
    grey = np.full(big.shape, 255, dtype=np.uint8)
    grey[big == BUILDING] = 170
    grey[big == WATER] = 215
    grey[big == ROAD] = 240
    edge = np.zeros(big.shape, dtype=bool)
    for axis in (0, 1):
        diff = np.diff((big == BUILDING).astype(np.int8), axis=axis) != 0
        if axis == 0:
            edge[1:] |= diff
        else:
            edge[:, 1:] |= diff
    road = big == ROAD
    kerb = np.zeros(big.shape, dtype=bool)
    kerb[1:] |= np.diff(road.astype(np.int8), axis=0) != 0
    kerb[:, 1:] |= np.diff(road.astype(np.int8), axis=1) != 0
    grey[edge | kerb] = 0
    grey[(big == TREE) & ((np.indices(big.shape).sum(0) % 6) == 0)] = 90
    return grey[None]


def write_tiles(image: np.ndarray, resolution: float, folder: Path, stem: str, driver: str,
                ext: str, **options: str) -> list[Path]:
    """Cut ``image`` into 2 x 2 tiles of 500 m and write each with a world file."""
    folder.mkdir(parents=True, exist_ok=True)
    px = int(TILE_M / resolution)
    written = []
    for row in range(TILES):
        for col in range(TILES):
            east = int(ORIGIN[0] + col * TILE_M)
            north = int(ORIGIN[1] + (TILES - 1 - row) * TILE_M)  # lower-left of the tile
            part = image[:, row * px:(row + 1) * px, col * px:(col + 1) * px]
            path = folder / f"{stem}_{east}_{north}.{ext}"
            transform = Affine(resolution, 0, east, 0, -resolution, north + TILE_M)
            with rasterio.open(path, "w", driver=driver, width=px, height=px,
                               count=part.shape[0], dtype="uint8", transform=transform,
                               **options) as dst:
                dst.write(part)
            for aux in folder.glob(f"{path.name}.aux.xml"):
                aux.unlink()
            world = path.with_suffix(".wld")
            if world.exists():  # JPEG tiles come with .jgw world files
                world.rename(path.with_suffix(".jgw"))
            written.append(path)
    return written


def main(argv: list[str]) -> int:
    """Write both samples into ``DATASETS_DIR/{dop20,stadtkarte}/sample/``."""
    datasets = Path(argv[0]) if argv else Path("datasets")
    labels = sample_labels(datasets)
    for old in (datasets / "dop20" / "sample").glob("*"):
        old.unlink()
    for old in (datasets / "stadtkarte" / "sample").glob("*"):
        old.unlink()
    with rasterio.Env(GDAL_PAM_ENABLED="NO"):
        dop = write_tiles(orthophoto(labels, 5), 0.2, datasets / "dop20" / "sample", "dop20",
                          "JPEG", "jpg", QUALITY="60", WORLDFILE="YES")
        skh = write_tiles(city_map(labels, 2), 0.5, datasets / "stadtkarte" / "sample",
                          "skh1000", "GTiff", "tif", COMPRESS="LZW", TFW="YES",
                          PROFILE="BASELINE")
    for path in [*dop, *skh]:
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
