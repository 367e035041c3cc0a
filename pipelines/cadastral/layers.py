"""Turn a read NAS delivery into the published layers ``flurstuecke`` and ``gebaeude``."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import shapely

from opengeodata.errors import DataValidationError
from opengeodata.geopackage import GPKG_DATASET_OPTIONS
from pipelines.cadastral.checks import Checks
from pipelines.cadastral.codelists import GEBAEUDEFUNKTION
from pipelines.cadastral.columns import Columns
from pipelines.cadastral.crs import OUTPUT_EPSG, transform_geometries
from pipelines.cadastral.nas import Delivery, FileResult
from pipelines.cadastral.nba import apply_update

LAYERS = ("flurstuecke", "gebaeude")
PARCEL_COLUMNS = ["flurstueckskennzeichen", "land", "gemarkungsnummer", "flurnummer", "zaehler",
                  "nenner", "amtliche_flaeche", "geometrische_flaeche", "gemeindeschluessel",
                  "lagebezeichnung", "entstehung", "beginnt", "gml_id"]
BUILDING_COLUMNS = ["gml_id", "gebaeudefunktion", "gebaeudefunktion_text",
                    "geschosse_oberirdisch", "lagebezeichnung", "beginnt"]
COLUMNS = {"flurstuecke": PARCEL_COLUMNS, "gebaeude": BUILDING_COLUMNS}
#: Relative deviation of amtliche_flaeche from the computed area that is reported.
AREA_TOLERANCE = 0.01


def _address_texts(delivery: Delivery, links: list[list[str]], checks: Checks
                   ) -> list[str | None]:
    out: list[str | None] = []
    unresolved: list[str] = []
    unknown_streets: set[str] = set()
    for refs in links:
        texts: list[str] = []
        for ref in refs or ():
            addr = delivery.addresses.get(ref)
            if addr is None:
                unresolved.append(ref)
                continue
            street = addr.street_text
            if street is None and addr.street_key is not None:
                street = delivery.streets.get(addr.street_key)
                if street is None:
                    unknown_streets.add(addr.street_key)
            text = " ".join(p for p in (street, addr.hausnummer) if p)
            if text and text not in texts:
                texts.append(text)
        out.append("; ".join(texts) or None)
    checks.add("unresolved_xlinks", len(unresolved), sorted(set(unresolved)),
               "zeigtAuf/weistAuf xlink(s) point to no Lagebezeichnung in the delivery")
    checks.add("unresolved_street_keys", len(unknown_streets), sorted(unknown_streets),
               "street key(s) without AX_LagebezeichnungKatalogeintrag")
    return out


def _geometries(wkb: list[bytes | None], epsg_codes: list[int | None]) -> np.ndarray:
    geoms = shapely.from_wkb(np.array(wkb, dtype=object))
    epsg = np.array([e if e is not None else OUTPUT_EPSG for e in epsg_codes])
    for code in np.unique(epsg) if len(epsg) else []:
        if code != OUTPUT_EPSG:
            mask = epsg == code
            geoms[mask] = transform_geometries(geoms[mask], int(code))
    return np.asarray(geoms, dtype=object)


def _chunk_frame(data: dict[str, list[Any]], kinds: Mapping[str, str], layer: str,
                 delivery: Delivery, checks: Checks) -> gpd.GeoDataFrame:
    geoms = _geometries(data["geometry"], data["epsg"])
    frame = pd.DataFrame(index=pd.RangeIndex(len(geoms)))
    for name, kind in kinds.items():
        if name in ("geometry", "epsg", "links"):
            continue
        values = data[name]
        frame[name] = pd.array(values, dtype="Int64") if kind == "int" else pd.Series(
            values, dtype="object")
    frame["lagebezeichnung"] = pd.Series(_address_texts(delivery, data["links"], checks),
                                         dtype="object")
    if layer == "flurstuecke":
        frame["amtliche_flaeche"] = frame["amtliche_flaeche"].astype("Float64")
        frame["geometrische_flaeche"] = np.round(shapely.area(geoms).astype(float), 2)
    else:
        frame["gebaeudefunktion_text"] = frame["gebaeudefunktion"].map(
            GEBAEUDEFUNKTION, na_action="ignore").astype("string")
    missing = shapely.is_missing(geoms)
    checks.add("missing_geometry", int(missing.sum()),
               list(frame.loc[missing, "gml_id"].astype(str)),
               f"{layer} feature(s) without geometry (position)")
    return gpd.GeoDataFrame(frame[COLUMNS[layer]], geometry=geoms, crs=OUTPUT_EPSG)


def _records(file: FileResult, layer: str) -> Columns:
    return file.parcels if layer == "flurstuecke" else file.buildings


def frames_of(file: FileResult, layer: str, delivery: Delivery, checks: Checks
              ) -> Iterator[gpd.GeoDataFrame]:
    """The records of one file as layer frames in EPSG:25832, chunk by chunk.

    Addresses are resolved; each chunk's records are freed once its frame is built.
    """
    records = _records(file, layer)
    for data in records.drain():
        yield _chunk_frame(data, records.kinds, layer, delivery, checks)


def frame_of(file: FileResult, layer: str, delivery: Delivery, checks: Checks
             ) -> gpd.GeoDataFrame:
    """All records of one file as one layer frame (see ``frames_of``)."""
    return _concat(list(frames_of(file, layer, delivery, checks)), layer)


def _dedupe(frame: gpd.GeoDataFrame, checks: Checks, keep: str) -> gpd.GeoDataFrame:
    dupes = frame["gml_id"].duplicated(keep=keep)
    checks.add("duplicate_gml_id", int(dupes.sum()),
               sorted(set(frame.loc[dupes, "gml_id"].astype(str))),
               "duplicate gml_id(s), one copy kept")
    return frame.loc[~dupes].reset_index(drop=True)


def _concat(frames: list[gpd.GeoDataFrame], layer: str) -> gpd.GeoDataFrame:
    frames = [f for f in frames if len(f)]
    if not frames:
        empty = pd.DataFrame({c: pd.Series(dtype="object") for c in COLUMNS[layer]})
        return gpd.GeoDataFrame(empty, geometry=gpd.GeoSeries([], crs=OUTPUT_EPSG),
                                crs=OUTPUT_EPSG)
    out = pd.concat(frames, ignore_index=True)
    return gpd.GeoDataFrame(out, geometry="geometry", crs=OUTPUT_EPSG)


def area_check(frame: gpd.GeoDataFrame, checks: Checks) -> None:
    """Count parcels whose amtliche_flaeche deviates more than 1 % from the computed area."""
    official = pd.to_numeric(frame["amtliche_flaeche"], errors="coerce").astype(float)
    computed = shapely.area(frame.geometry.values).astype(float)
    with np.errstate(all="ignore"):
        deviation = np.abs(official.to_numpy() - computed) / computed
    bad = np.nan_to_num(deviation, nan=0.0) > AREA_TOLERANCE
    examples = [f"{k}: {o:g} m² vs {c:.1f} m²" for k, o, c in zip(
        frame.loc[bad, "flurstueckskennzeichen"].astype(str), official[bad], computed[bad],
        strict=True)]
    checks.add("amtliche_flaeche_deviates_gt_1pct", int(bad.sum()), examples,
               "parcel(s) whose amtliche_flaeche deviates more than 1 % from the geometry")


def build_layer(delivery: Delivery, layer: str, base: gpd.GeoDataFrame | None = None
                ) -> tuple[gpd.GeoDataFrame, Checks]:
    """One layer from a delivery: full extracts, then NBA transactions applied in order.

    ``base`` (the live version) is the starting point when the delivery holds only NBA files.
    """
    if layer not in LAYERS:
        raise DataValidationError(f"unknown NAS layer {layer!r}; use one of {', '.join(LAYERS)}")
    checks = Checks()
    full = [f for f in delivery.files if not f.nba]
    updates = [f for f in delivery.files if f.nba]
    if full:
        current = _dedupe(_concat([frame_of(f, layer, delivery, checks) for f in full], layer),
                          checks, "first")
    elif base is not None:
        current = base
    else:
        names = ", ".join(f.path.name for f in updates)
        raise DataValidationError(
            f"{names}: an NBA update (AX_NutzerbezogeneBestandsdatenaktualisierung_NBA) needs "
            "a published version to apply to, and there is none yet; publish a full extract "
            "(AX_Bestandsdatenauszug) first"
        )
    for update in updates:
        current = apply_update(current, frame_of(update, layer, delivery, checks), update,
                               checks)
    if layer == "flurstuecke":
        current["geometrische_flaeche"] = np.round(
            shapely.area(current.geometry.values).astype(float), 2)
        area_check(current, checks)
    checks.notes.extend(delivery.warnings)
    return current, checks


def write_layer(delivery: Delivery, layer: str, path: Path) -> tuple[int, Checks]:
    """Write one layer of a full delivery into a GeoPackage chunk by chunk (flat memory).

    Deliveries with NBA updates are built in memory (``build_layer``) and written at once.
    """
    if any(f.nba for f in delivery.files):
        frame, checks = build_layer(delivery, layer)
        _write(frame, path, layer, append=False)
        return len(frame), checks
    checks = Checks()
    seen: set[str] = set()
    count = 0
    for file in delivery.files:
        for chunk in frames_of(file, layer, delivery, checks):
            ids = chunk["gml_id"].astype(str)
            dupes = (ids.isin(seen) | ids.duplicated()).to_numpy()
            checks.add("duplicate_gml_id", int(dupes.sum()), sorted(set(ids[dupes])),
                       "duplicate gml_id(s), one copy kept")
            chunk = chunk.loc[~dupes]
            seen.update(chunk["gml_id"].astype(str))
            if layer == "flurstuecke":
                area_check(chunk, checks)
            if len(chunk):
                _write(chunk, path, layer, append=count > 0)
                count += len(chunk)
    if count == 0:
        _write(_concat([], layer), path, layer, append=False)
    checks.notes.extend(delivery.warnings)
    return count, checks


def _write(frame: gpd.GeoDataFrame, path: Path, layer: str, *, append: bool) -> None:
    kwargs: dict[str, Any] = {"append": True} if append else {
        "layer_options": {"SPATIAL_INDEX": "YES"}, "geometry_type": "Unknown",
        "dataset_options": GPKG_DATASET_OPTIONS}
    pyogrio.write_dataframe(frame, path, layer=layer, driver="GPKG", **kwargs)
