"""Verify a staged version before it goes live: every file opens with its reader, feature
counts match the manifest, sizes and SHA-256 match what was registered."""

from __future__ import annotations

import json
import zipfile
from collections.abc import Callable
from pathlib import Path

from opengeodata.errors import PublishError
from opengeodata.manifest import Manifest, OutputFile, sha256_file

Opener = Callable[[Path], int | None]
"""Opens a file with its reader; returns its feature count (None when not countable)."""

SHP_MEMBERS = (".shp", ".shx", ".dbf", ".prj", ".cpg")


def _ogr_count(path: Path | str) -> int:
    import pyogrio

    return int(pyogrio.read_info(path, force_feature_count=True)["features"])


def _shpzip_count(path: Path) -> int:
    with zipfile.ZipFile(path) as zf:
        bad = zf.testzip()
        if bad is not None:
            raise ValueError(f"zip member {bad} is corrupt")
        names = zf.namelist()
    shps = [n for n in names if n.lower().endswith(".shp")]
    if not shps:
        raise ValueError("the zip holds no .shp file")
    total = 0
    for shp in shps:
        stem = shp[:-4]
        missing = [ext for ext in SHP_MEMBERS if stem + ext not in names]
        if missing:
            raise ValueError(f"the zip lacks {', '.join(stem + e for e in missing)}")
        total += _ogr_count(f"/vsizip/{path}/{shp}")
    return total


def _parquet_count(path: Path) -> int:
    import pyarrow.parquet as pq

    meta = pq.ParquetFile(path).metadata
    geo = (meta.metadata or {}).get(b"geo")
    if geo is None or "primary_column" not in json.loads(geo):
        raise ValueError("no GeoParquet 'geo' metadata")
    return int(meta.num_rows)


def _zip_ok(path: Path) -> None:
    with zipfile.ZipFile(path) as zf:
        bad = zf.testzip()
    if bad is not None:
        raise ValueError(f"zip member {bad} is corrupt")


def _cityjson_count(path: Path) -> int:
    """Top-level city objects (no ``parents``), streamed: memory stays flat for big files."""
    import ijson

    with path.open("rb") as fh:
        kind = next(ijson.items(fh, "type"), None)
    if kind != "CityJSON":
        raise ValueError("not a CityJSON document")
    count = 0
    with path.open("rb") as fh:
        for _, obj in ijson.kvitems(fh, "CityObjects"):
            if not obj.get("parents"):
                count += 1
    return count


def _cityjsonseq_ok(path: Path) -> None:
    with path.open("rb") as fh:
        first = json.loads(fh.readline())
        for line in fh:
            if line.strip():
                json.loads(line)
    if first.get("type") != "CityJSON":
        raise ValueError("the first line is not a CityJSON header")


def _xml_ok(path: Path) -> None:
    from lxml import etree

    for _ in etree.iterparse(str(path), events=("end",), resolve_entities=False,
                             no_network=True, huge_tree=True, load_dtd=False):
        pass


def _pmtiles_ok(path: Path) -> None:
    with path.open("rb") as fh:
        if fh.read(7) != b"PMTiles":
            raise ValueError("no PMTiles header")


def _cog_ok(path: Path) -> None:
    import rasterio

    with rasterio.open(path) as src:
        if src.width < 1 or src.height < 1:
            raise ValueError("empty raster")


def _3tz_count(path: Path) -> int:
    from opengeodata.tiles3d.tileset import count_features

    return count_features(path)


def _stored_count(path: Path) -> int:
    from opengeodata.providers.gpkg_stored import read_info

    info = read_info(path)
    if info is None:
        raise ValueError("no stored answers (ogd_meta) in the file")
    return info.count


def _none(check: Callable[[Path], None]) -> Opener:
    def opener(path: Path) -> None:
        check(path)
        return None

    return opener


#: format key -> opener; unknown formats are checked for size and checksum only
OPENERS: dict[str, Opener] = {
    "gpkg": _ogr_count,
    "geojson": _ogr_count,
    "fgb": _ogr_count,
    "csv": _ogr_count,
    "shpzip": _shpzip_count,
    "parquet": _parquet_count,
    "zip": _none(_zip_ok),
    "cityjson": _cityjson_count,
    "cityjsonseq": _none(_cityjsonseq_ok),
    "citygml": _none(_xml_ok),
    "pmtiles": _none(_pmtiles_ok),
    "cog": _none(_cog_ok),
    "3dtiles": _3tz_count,
    "stored-geojson": _stored_count,
}


def verify_output(folder: Path, out: OutputFile, dataset: str) -> None:
    """Check one registered output; PublishError naming the file and the problem."""
    path = folder / out.name
    where = f"{dataset}: output {out.name}"
    if not path.is_file():
        raise PublishError(f"{where} is missing from the staging folder")
    if path.stat().st_size != out.size:
        raise PublishError(f"{where} changed size after it was registered")
    if sha256_file(path) != out.sha256:
        raise PublishError(f"{where} changed content after it was registered (SHA-256)")
    opener = OPENERS.get(out.format)
    if opener is None:
        return
    try:
        count = opener(path)
    except Exception as exc:  # any reader error means the file is unusable
        raise PublishError(f"{where} does not open as {out.format}: {exc}") from exc
    if out.features is not None and count is not None and count != out.features:
        raise PublishError(f"{where} holds {count} features, the manifest says {out.features}")


def verify(folder: Path, manifest: Manifest) -> None:
    """Verify every output of ``manifest`` in ``folder`` and the counts against the manifest."""
    for out in manifest.files:
        verify_output(folder, out, manifest.dataset)
    if manifest.layer is None:
        return
    whole = [o for o in manifest.outputs if o.tile is None and o.features is not None]
    for out in whole:
        if out.features != manifest.feature_count:
            raise PublishError(
                f"{manifest.dataset}: output {out.name} holds {out.features} features, "
                f"expected {manifest.feature_count}"
            )
    by_format: dict[str, int] = {}
    for out in manifest.outputs:
        if out.tile is not None and out.features is not None:
            by_format[out.format] = by_format.get(out.format, 0) + out.features
    for fmt, total in by_format.items():
        if total != manifest.feature_count:
            raise PublishError(
                f"{manifest.dataset}: the {fmt} download tiles hold {total} features together, "
                f"expected {manifest.feature_count}"
            )
