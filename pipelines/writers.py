"""Pure writers: one GeoDataFrame in the storage CRS -> one file of a download format.

Each writer takes the layer, the target path and the layer name and writes exactly that one
file (helper files are made in a private temp folder next to it and removed). The exporters in
``pipelines.export`` call them and register the results; download tiles reuse them per cell.
"""

from __future__ import annotations

import csv
import io
import os
import re
import tempfile
import unicodedata
import zipfile
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import geopandas as gpd
import numpy as np
import pyogrio
import shapely

from opengeodata.errors import DataValidationError
from opengeodata.geopackage import GPKG_DATASET_OPTIONS
from opengeodata.manifest import FieldInfo

Writer = Callable[[gpd.GeoDataFrame, Path, str, Sequence[FieldInfo]], None]

#: fixed zip member time (2000-01-01 UTC), so the zip does not depend on file times
ZIP_EPOCH = 946_684_800
#: deflate level 3: about as small as the default 6 for shapefiles, three times faster
ZIP_LEVEL = 3
SHP_NAME_LEN = 10
_GERMAN = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "Ä": "Ae", "Ö": "Oe", "Ü": "Ue",
                         "ß": "ss"})


def _write(frame: gpd.GeoDataFrame, path: Path, driver: str, layer: str | None,
           **layer_options: str) -> None:
    """pyogrio with the arrow write path (fastest) and the given layer options."""
    pyogrio.write_dataframe(frame, path, layer=layer, driver=driver, use_arrow=True,
                            layer_options=layer_options or None,
                            dataset_options=GPKG_DATASET_OPTIONS if driver == "GPKG" else None)


@contextmanager
def gdal_config(**options: str) -> Iterator[None]:
    """Set GDAL config options for one write, restoring the previous values after."""
    before = {key: pyogrio.get_gdal_config_option(key) for key in options}
    pyogrio.set_gdal_config_options(options)
    try:
        yield
    finally:
        pyogrio.set_gdal_config_options(before)


def write_gpkg(frame: gpd.GeoDataFrame, path: Path, layer: str,
               fields: Sequence[FieldInfo] = ()) -> None:
    """GeoPackage 1.3 in the storage CRS with an R-tree spatial index.

    SQLite's per-transaction fsync is switched off: the file is a staging file that is verified
    and flushed to disk once before it is published (``Store.commit``), and thrown away if the
    run dies.
    """
    with gdal_config(OGR_SQLITE_SYNCHRONOUS="OFF", OGR_SQLITE_JOURNAL="OFF",
                     OGR_SQLITE_CACHE="256"):
        _write(frame, path, "GPKG", layer, SPATIAL_INDEX="YES")


def write_geojson(frame: gpd.GeoDataFrame, path: Path, layer: str,
                  fields: Sequence[FieldInfo] = ()) -> None:
    """RFC 7946 GeoJSON: GDAL reprojects to EPSG:4326 (lon/lat), 7 decimals."""
    _write(frame, path, "GeoJSON", layer, RFC7946="YES", COORDINATE_PRECISION="7",
           WRITE_NAME="NO")


def write_fgb(frame: gpd.GeoDataFrame, path: Path, layer: str,
              fields: Sequence[FieldInfo] = ()) -> None:
    """FlatGeobuf in the storage CRS with its packed Hilbert R-tree index."""
    _write(frame, path, "FlatGeobuf", layer, SPATIAL_INDEX="YES")


def is_points(frame: gpd.GeoDataFrame) -> bool:
    """True if every geometry is a single Point (CSV then gets lon/lat columns)."""
    types = shapely.get_type_id(frame.geometry.values)
    return len(frame) > 0 and bool(np.all(types == 0))


def write_csv(frame: gpd.GeoDataFrame, path: Path, layer: str,
              fields: Sequence[FieldInfo] = ()) -> None:
    """UTF-8 CSV, first column ``WKT`` (storage CRS); points also get ``lon``/``lat`` (WGS 84)."""
    if is_points(frame):
        geo = frame.geometry.to_crs("EPSG:4326")
        frame = frame.assign(lon=np.round(geo.x.to_numpy(), 7), lat=np.round(geo.y.to_numpy(), 7))
    with tempfile.TemporaryDirectory(dir=path.parent, prefix=".csv-") as tmp:
        out = Path(tmp) / path.name
        _write(frame, out, "CSV", layer, GEOMETRY="AS_WKT", GEOMETRY_NAME="WKT",
               LINEFORMAT="LF")
        out.replace(path)


def write_parquet(frame: gpd.GeoDataFrame, path: Path, layer: str,
                  fields: Sequence[FieldInfo] = ()) -> None:
    """GeoParquet 1.1 (WKB geometry, PROJJSON CRS, bbox covering column), zstd-compressed."""
    frame.to_parquet(path, index=False, compression="zstd", write_covering_bbox=True,
                     schema_version="1.1.0")


def _ascii(name: str) -> str:
    plain = unicodedata.normalize("NFKD", name.translate(_GERMAN))
    plain = "".join(c for c in plain if not unicodedata.combining(c))
    return re.sub(r"[^A-Za-z0-9_]", "_", plain) or "field"


def shapefile_names(names: Sequence[str]) -> dict[str, str]:
    """Deterministic DBF field names: ASCII, at most 10 characters, unique ignoring case.

    Names are taken in order; a name that does not fit is cut to 10 characters and, on a clash,
    cut shorter and numbered (``beschreibu``, ``beschrei_1``, ``beschrei_2``, ...).
    """
    used: set[str] = set()
    mapping: dict[str, str] = {}
    for name in names:
        base = _ascii(name)[:SHP_NAME_LEN]
        short, n = base, 0
        while short.lower() in used:
            n += 1
            suffix = f"_{n}"
            short = base[: SHP_NAME_LEN - len(suffix)] + suffix
        used.add(short.lower())
        mapping[name] = short
    return mapping


def field_mapping_csv(mapping: dict[str, str], fields: Sequence[FieldInfo]) -> str:
    """The mapping document put into the zip: short name, full name, type, description."""
    info = {f.name: f for f in fields}
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(["shapefile_field", "field", "type", "description"])
    for name, short in mapping.items():
        field = info.get(name)
        writer.writerow([short, name, field.type if field else "", field.description if field
                         else ""])
    return buf.getvalue()


#: shapely type id -> shapefile geometry family
_FAMILIES = {0: "points", 4: "points", 1: "lines", 2: "lines", 5: "lines", 3: "polygons",
             6: "polygons"}


def shapefile_parts(frame: gpd.GeoDataFrame, layer: str) -> dict[str, gpd.GeoDataFrame]:
    """One shapefile per geometry family (a shapefile holds only one): ``<layer>`` when the
    layer has one family, else ``<layer>_points``, ``<layer>_lines``, ``<layer>_polygons``."""
    types = shapely.get_type_id(frame.geometry.values)
    families = np.array([_FAMILIES.get(int(t), "") for t in types], dtype=object)
    if (families == "").any():
        raise DataValidationError(
            f"{layer}: {int((families == '').sum())} feature(s) are geometry collections, which "
            "a Shapefile cannot hold; remove 'shpzip' from the declared outputs"
        )
    present = sorted(set(families.tolist()))
    if len(present) <= 1:
        return {layer: frame}
    return {f"{layer}_{fam}": frame.loc[families == fam] for fam in present}


def write_shpzip(frame: gpd.GeoDataFrame, path: Path, layer: str,
                 fields: Sequence[FieldInfo] = ()) -> None:
    """Zipped ESRI Shapefile: .shp/.shx/.dbf, .prj, .cpg (UTF-8) and ``<layer>_fields.csv``
    (mixed geometry families give one shapefile per family in the zip)."""
    geom = frame.geometry.name
    mapping = shapefile_names([str(c) for c in frame.columns if c != geom])
    renamed = frame.rename(columns=mapping)
    with tempfile.TemporaryDirectory(dir=path.parent, prefix=".shp-") as tmp:
        folder = Path(tmp)
        parts = shapefile_parts(renamed, layer)
        for name, part in parts.items():
            _write(part, folder / f"{name}.shp", "ESRI Shapefile", name, ENCODING="UTF-8")
        doc = folder / f"{layer}_fields.csv"
        doc.write_text(field_mapping_csv(mapping, fields), encoding="utf-8")
        members = sorted(p for p in folder.iterdir() if p.is_file())
        part = folder / path.name
        with zipfile.ZipFile(part, "w", zipfile.ZIP_DEFLATED, compresslevel=ZIP_LEVEL) as zf:
            for member in members:
                os.utime(member, (ZIP_EPOCH, ZIP_EPOCH))
                zf.write(member, member.name)
        part.replace(path)


#: format key -> (writer, file suffix, title with a {crs} placeholder)
WRITERS: dict[str, tuple[Writer, str, str]] = {
    "gpkg": (write_gpkg, ".gpkg", "GeoPackage ({crs})"),
    "geojson": (write_geojson, ".geojson", "GeoJSON (EPSG:4326)"),
    "fgb": (write_fgb, ".fgb", "FlatGeobuf ({crs})"),
    "shpzip": (write_shpzip, ".shp.zip", "Shapefile, zip ({crs})"),
    "csv": (write_csv, ".csv", "CSV with WKT geometry ({crs})"),
    "parquet": (write_parquet, ".parquet", "GeoParquet ({crs})"),
}
