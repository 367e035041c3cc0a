"""`opengeodata dataset new`: scaffold a valid, editable dataset.yml from any OGR vector file."""

from __future__ import annotations

import re
import shutil
from pathlib import Path
from typing import Any

import pyogrio
import yaml
from pyproj import CRS

from opengeodata.declaration import DATASET_ID, load_declaration
from opengeodata.errors import DeclarationError, SourceError

_TYPES = {"int": "integer", "float": "number", "bool": "boolean", "datetime": "datetime",
          "date": "date"}
WKT_NAMES = ("wkt", "geometry", "geom", "the_geom")
X_NAMES = ("x", "lon", "longitude", "lng", "rechtswert", "easting", "ostwert")
Y_NAMES = ("y", "lat", "latitude", "hochwert", "northing", "nordwert")


def _field_type(dtype: str) -> str:
    for prefix, kind in _TYPES.items():
        if dtype.startswith(prefix):
            return kind
    return "string"


def _csv_options(path: Path) -> dict[str, str]:
    header = path.read_text(encoding="utf-8", errors="replace").splitlines()[:1]
    cols = [c.strip().strip('"') for c in re.split(r"[;,\t]", header[0])] if header else []
    lower = {c.lower(): c for c in cols}
    wkt = next((lower[n] for n in WKT_NAMES if n in lower), None)
    if wkt:
        return {"GEOM_POSSIBLE_NAMES": wkt, "KEEP_GEOM_COLUMNS": "NO", "AUTODETECT_TYPE": "YES"}
    x = next((lower[n] for n in X_NAMES if n in lower), None)
    y = next((lower[n] for n in Y_NAMES if n in lower), None)
    if x and y:
        return {"X_POSSIBLE_NAMES": x, "Y_POSSIBLE_NAMES": y, "KEEP_GEOM_COLUMNS": "NO",
                "AUTODETECT_TYPE": "YES"}
    raise SourceError(
        f"{path}: CSV has neither a WKT column ({', '.join(WKT_NAMES)}) nor x/y columns"
    )


def _guess_crs(info: dict[str, Any], options: dict[str, str], path: Path) -> str:
    if info.get("crs"):
        crs = CRS.from_user_input(info["crs"])
        epsg = crs.to_epsg()
        return f"EPSG:{epsg}" if epsg else crs.to_wkt()
    bounds = info.get("total_bounds")
    if bounds is not None and all(abs(v) <= 180 for v in bounds):
        return "EPSG:4326"
    if bounds is not None and 200_000 < bounds[0] < 900_000 and 5_200_000 < bounds[1] < 6_200_000:
        return "EPSG:25832"
    raise SourceError(f"{path}: the file declares no CRS and none can be guessed; pass it in")


def scaffold(datasets_dir: Path, dataset_id: str, source: Path, title: str | None = None,
             layer: str | None = None) -> Path:
    """Create ``datasets/<id>/`` with the source as sample and a dataset.yml; return its path."""
    if not re.match(DATASET_ID, dataset_id):
        raise DeclarationError(
            f"dataset id {dataset_id!r}: use lowercase letters, digits and '_', "
            "starting with a letter"
        )
    if not source.exists():
        raise SourceError(f"{source}: no such file")
    if not source.is_file():
        raise SourceError(f"{source}: not a file; pass the vector file itself (e.g. the .shp)")
    folder = datasets_dir / dataset_id
    if (folder / "dataset.yml").exists():
        raise DeclarationError(f"{folder / 'dataset.yml'} already exists")
    options: dict[str, str] = {}
    if source.suffix.lower() == ".csv":
        options = _csv_options(source)
    try:
        layers = pyogrio.list_layers(source)
        layer = layer or str(layers[0][0])
        info = pyogrio.read_info(source, layer=layer, force_total_bounds=True, **options)
    except Exception as exc:
        raise SourceError(f"{source}: not a readable vector file: {exc}") from exc
    if not info.get("features"):
        raise SourceError(f"{source}: layer {layer!r} has no features; a dataset needs at least "
                          "one (a refresh of an empty source fails)")
    crs = _guess_crs(info, options, source)
    fields = [
        {"name": re.sub(r"\W", "_", name.lower()).strip("_") or f"field_{i}",
         "source": name, "type": _field_type(str(dtype)), "description": ""}
        for i, (name, dtype) in enumerate(zip(info["fields"], info["dtypes"], strict=True))
    ]
    sample_dir = folder / "sample"
    sample_dir.mkdir(parents=True, exist_ok=True)
    stem = source.name[: -len(source.suffix)] if source.suffix else source.name
    for sibling in source.parent.glob(f"{stem}.*"):
        shutil.copyfile(sibling, sample_dir / sibling.name)
    decl: dict[str, Any] = {
        "id": dataset_id,
        "title": title or dataset_id.replace("_", " ").title(),
        "description": f"TODO: describe {dataset_id} (scaffolded from {source.name}).",
        "keywords": [],
        "theme": "planning",
        "licence": {"id": "dl-de/by-2-0", "attribution": "Landeshauptstadt Hannover"},
        "publisher": {"name": "Landeshauptstadt Hannover", "url": "https://www.hannover.de"},
        "contact": {"name": "Landeshauptstadt Hannover, Geoinformation",
                    "email": "geoinformation@hannover-stadt.de"},
        "source": {
            "kind": "vector",
            "sample": f"sample/{source.name}",
            "format": info.get("driver") or source.suffix.lstrip("."),
            "crs": crs,
            **({"layer": layer} if len(layers) > 1 else {}),
            **({"encoding": info["encoding"]} if info.get("encoding") not in (None, "UTF-8")
               else {}),
            **({"open_options": options} if options else {}),
        },
        "fields": fields,
        "update_frequency": "irregular",
    }
    path = folder / "dataset.yml"
    header = (f"# Scaffolded by `opengeodata dataset new` from {source.name} "
              f"({info['features']} features, {info.get('geometry_type')}).\n"
              "# Edit title, description, keywords, licence and field descriptions.\n")
    path.write_text(header + yaml.safe_dump(decl, sort_keys=False, allow_unicode=True),
                    encoding="utf-8")
    load_declaration(path)  # the scaffold must be valid as written
    return path
