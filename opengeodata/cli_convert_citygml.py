"""`opengeodata convert citygml`: CityGML files -> CityJSON (or CityJSONSeq), footprints and
3D Tiles 1.1."""

from __future__ import annotations

import os
import sys
import zipfile
from pathlib import Path

import click

from opengeodata.console import console
from opengeodata.errors import OpenGeoDataError
from opengeodata.geopackage import GPKG_DATASET_OPTIONS

FOOTPRINT_LAYER = "gebaeude_3d"


@click.command("citygml")
@click.argument("inputs", nargs=-1, required=True,
                type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="OUT.city.json (CityJSON 2.0) or OUT.city.jsonl (CityJSONSeq).")
@click.option("--footprints", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help=f"Also write the 2D footprints to a GeoPackage (layer {FOOTPRINT_LAYER}).")
@click.option("--tiles", "tiles_dir", type=click.Path(file_okay=False, path_type=Path),
              default=None, help="Also write one CityJSON per 1x1 km tile into this folder.")
@click.option("--3dtiles", "tiles3d", type=click.Path(path_type=Path), default=None,
              help="Also write 3D Tiles 1.1: DIR gets tileset.json and tiles/ (a name ending "
                   "in .3tz writes the 3D Tiles archive instead).")
@click.option("--crs", default=None,
              help="CRS of the input when the files name none (or a wrong one), e.g. EPSG:25832.")
def citygml(inputs: tuple[Path, ...], output: Path, footprints: Path | None,
            tiles_dir: Path | None, tiles3d: Path | None, crs: str | None) -> None:
    """Convert CityGML 1.0/2.0 buildings (LoD1/LoD2) into CityJSON 2.0 in EPSG:25832."""
    from opengeodata.settings import from_environment
    from pipelines.citymodel.convert import convert

    seq = output.name.endswith(".jsonl")
    output.parent.mkdir(parents=True, exist_ok=True)
    if tiles_dir is not None:
        tiles_dir.mkdir(parents=True, exist_ok=True)
    archive = None
    if tiles3d is not None:
        if tiles3d.suffix == ".3tz":
            tiles3d.parent.mkdir(parents=True, exist_ok=True)
            archive = tiles3d
        else:
            tiles3d.mkdir(parents=True, exist_ok=True)
            archive = tiles3d / ".tileset.3tz.part"
    try:
        result = convert(
            list(inputs),
            cityjson=None if seq else output,
            cityjsonseq=output if seq else None,
            tiles_dir=tiles_dir,
            title=output.name.split(".")[0],
            crs=crs,
            log=lambda message: console.print(message, markup=False),
            tiles3d=archive,
            geoid_grid=from_environment().geoid_grid if archive is not None else None,
            footprints=footprints is not None,
        )
        if tiles3d is not None and archive is not None and archive != tiles3d:
            unpack_3tz(archive, tiles3d)
        if footprints is not None:
            write_footprints(result.frame, footprints)
    except OpenGeoDataError as exc:
        console.print(f"[red]error:[/red] {exc}", soft_wrap=True)
        sys.exit(1)
    console.print(f"{result.buildings} buildings ({result.city_objects} city objects) -> {output}",
                  markup=False)
    for reason, count in result.dropped.items():
        console.print(f"skipped {count} building(s): {reason}", markup=False)
    if result.reprojected:
        console.print(f"reprojected {', '.join(result.reprojected)} -> EPSG:25832 (heights kept)",
                      markup=False)
    if footprints is not None:
        console.print(f"footprints -> {footprints} (layer {FOOTPRINT_LAYER})", markup=False)
    if tiles_dir is not None:
        console.print(f"{len(result.tiles)} tile file(s) -> {tiles_dir}", markup=False)
    for line in result.quality.warnings():
        console.print(f"warning: {line}", markup=False)
    if result.tiles3d is not None and tiles3d is not None:
        t3d = result.tiles3d
        where = tiles3d / "tileset.json" if archive != tiles3d else tiles3d
        console.print(f"3D Tiles 1.1: {t3d.buildings} buildings in {t3d.tiles} tile(s), "
                      f"largest {t3d.max_tile_bytes / 1024:.0f} KiB, heights with geoid "
                      f"{t3d.geoid} -> {where}", markup=False)
        if t3d.skipped:
            console.print(f"3D Tiles: {len(t3d.skipped)} building(s) without usable surfaces "
                          "left out", markup=False)


def unpack_3tz(archive: Path, folder: Path) -> None:
    """Write the files of a 3tz archive into ``folder`` and remove the archive."""
    from opengeodata.tiles3d.archive import INDEX_NAME

    try:
        with zipfile.ZipFile(archive) as zf:
            for name in zf.namelist():
                if name == INDEX_NAME:
                    continue
                target = folder / name
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(zf.read(name))
    finally:
        archive.unlink(missing_ok=True)


def write_footprints(frame: object, path: Path) -> None:
    """Write the footprint frame as GeoPackage layer ``gebaeude_3d`` (replacing the file)."""
    import pyogrio

    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.stem}.part.gpkg")
    tmp.unlink(missing_ok=True)
    pyogrio.write_dataframe(frame, tmp, layer=FOOTPRINT_LAYER, driver="GPKG",
                            layer_options={"SPATIAL_INDEX": "YES"},
                            dataset_options=GPKG_DATASET_OPTIONS)
    os.replace(tmp, path)
