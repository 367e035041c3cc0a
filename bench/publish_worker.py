"""Worker for ``bench_publish``: one conversion from the GeoPackage in a fresh process.

``python -m bench.publish_worker {ours|gdal|all} FORMAT GPKG OUTDIR RESULT_JSON``

- ``ours``: read the GeoPackage, run our exporter (writes the file and registers it with size
  and SHA-256), as the pipeline does.
- ``gdal``: the same conversion done by GDAL through pyogrio (read + write with the driver's
  own options). The GDAL in pyogrio's wheel (and Debian's gdal-bin 3.6) has no Parquet driver,
  so GeoParquet's baseline is pyogrio's read + geopandas' ``to_parquet`` (pyarrow) with the
  GDAL Parquet driver's defaults (snappy, bbox covering column).
- ``all``: our exporters for every format one after the other plus verification (peak memory of
  a full publish).
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import pyogrio

LAYER = "flurstuecke"
GDAL_ARGS: dict[str, tuple[str, str, dict[str, str]]] = {
    "gpkg": ("GPKG", ".gpkg", {"SPATIAL_INDEX": "YES"}),
    "geojson": ("GeoJSON", ".geojson", {"RFC7946": "YES", "COORDINATE_PRECISION": "7"}),
    "fgb": ("FlatGeobuf", ".fgb", {"SPATIAL_INDEX": "YES"}),
    "shpzip": ("ESRI Shapefile", ".shp.zip", {"ENCODING": "UTF-8"}),
    "csv": ("CSV", ".csv", {"GEOMETRY": "AS_WKT"}),
}


def _context(outdir: Path, formats: list[str]):  # type: ignore[no-untyped-def]
    from opengeodata.declaration import Dataset, DeclaredDataset
    from opengeodata.settings import Settings
    from pipelines.context import RunContext

    decl = Dataset.model_validate({
        "id": LAYER, "title": "Flurstücke (Benchmark)", "description": "generated",
        "licence": {"id": "dl-de/by-2-0", "attribution": "bench"},
        "publisher": {"name": "bench"}, "contact": {"name": "bench"},
        "source": {"url": "https://example.org/x.gpkg", "format": "GPKG"},
        "outputs": formats,
    })
    dataset = DeclaredDataset(decl=decl, path=outdir / "dataset.yml", sha256="0" * 64)
    return RunContext(dataset=dataset, settings=Settings(data_dir=outdir), staging=outdir)


def ours(fmt: str, gpkg: Path, outdir: Path) -> dict[str, float]:
    """Read + our exporter for one format."""
    from pipelines.export import export_format

    ctx = _context(outdir, [fmt])
    start, cpu = time.perf_counter(), time.process_time()
    frame = pyogrio.read_dataframe(gpkg, layer=LAYER, use_arrow=True)
    export_format(ctx, frame, fmt)
    return {"seconds": time.perf_counter() - start, "cpu": time.process_time() - cpu}


def gdal(fmt: str, gpkg: Path, outdir: Path) -> dict[str, float]:
    """Read + GDAL's own writer for one format."""
    start, cpu = time.perf_counter(), time.process_time()
    frame = pyogrio.read_dataframe(gpkg, layer=LAYER, use_arrow=True)
    if fmt == "parquet":
        # GDAL's Parquet driver defaults: snappy, bbox covering column (GDAL >= 3.9)
        frame.to_parquet(outdir / f"{LAYER}.parquet", index=False, write_covering_bbox=True)
    else:
        driver, suffix, options = GDAL_ARGS[fmt]
        pyogrio.write_dataframe(frame, outdir / f"{LAYER}{suffix}", layer=LAYER, driver=driver,
                                use_arrow=True, layer_options=options)
    return {"seconds": time.perf_counter() - start, "cpu": time.process_time() - cpu}


def publish_all(gpkg: Path, outdir: Path) -> dict[str, float]:
    """Every exporter plus verification, as one publish does."""
    from opengeodata.manifest import Manifest
    from pipelines.export import export_all
    from pipelines.verify import verify

    formats = ["gpkg", "geojson", "fgb", "shpzip", "csv", "parquet"]
    ctx = _context(outdir, formats)
    start = time.perf_counter()
    frame = pyogrio.read_dataframe(gpkg, layer=LAYER, use_arrow=True)
    export_all(ctx, frame)
    exported = time.perf_counter() - start
    manifest = Manifest(dataset=LAYER, version="bench", created="", fingerprint="",
                        pipeline_version="", declaration_sha256="", sources=[],
                        feature_count=len(frame), layer=LAYER, outputs=ctx.outputs)
    verify(outdir, manifest)
    return {"seconds": time.perf_counter() - start, "export": exported,
            "verify": time.perf_counter() - start - exported}


def main(argv: list[str]) -> int:
    """Run one job and write its timings as JSON."""
    mode, fmt, gpkg, outdir, result = argv
    out = Path(outdir)
    out.mkdir(parents=True, exist_ok=True)
    if mode == "ours":
        timings = ours(fmt, Path(gpkg), out)
    elif mode == "gdal":
        timings = gdal(fmt, Path(gpkg), out)
    else:
        timings = publish_all(Path(gpkg), out)
    Path(result).write_text(json.dumps(timings))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
