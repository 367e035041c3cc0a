"""Pipeline glue: the ``nas`` source kind (``read``) and the ``convert nas`` command."""

from __future__ import annotations

import os
from pathlib import Path

import geopandas as gpd
import pyogrio

from opengeodata.errors import DataValidationError, DeclarationError, SourceError
from opengeodata.store import Store
from pipelines.cadastral.checks import Checks
from pipelines.cadastral.layers import LAYERS, build_layer, write_layer
from pipelines.cadastral.nas import read_delivery
from pipelines.cadastral.simplified import is_simplified, read_simplified
from pipelines.context import RunContext


def _live_frame(ctx: RunContext) -> gpd.GeoDataFrame | None:
    folder = Store(ctx.settings.data_dir).live_dir(ctx.id)
    if folder is None:
        return None
    path = folder / f"{ctx.id}.gpkg"
    try:
        frame = pyogrio.read_dataframe(path, layer=ctx.id)
    except Exception as exc:  # GDAL raises several kinds
        raise SourceError(f"{ctx.id}: cannot read the live version {path}: {exc}") from exc
    if "gml_id" not in frame.columns:
        raise DataValidationError(
            f"{ctx.id}: the live version has no gml_id field; NBA updates need it"
        )
    return frame


def read(ctx: RunContext) -> gpd.GeoDataFrame:
    """Read every source file of the dataset (one delivery) as the declared layer."""
    layer = ctx.dataset.decl.source.layer
    if layer not in LAYERS:
        raise DeclarationError(
            f"{ctx.dataset.path}: key 'source.layer': {layer!r} must be one of "
            f"{', '.join(LAYERS)} for NAS sources"
        )
    if ctx.sources and all(is_simplified(p) for p in ctx.sources):
        frame, checks = read_simplified(ctx, layer)
        ctx.report.checks.update(checks.counts)
        ctx.report.warnings.extend(checks.warnings)
        return frame
    delivery = read_delivery(ctx.sources, {layer})
    base = None
    if delivery.files and all(f.nba for f in delivery.files):
        base = _live_frame(ctx)
    frame, checks = build_layer(delivery, layer, base)
    ctx.report.checks.update(checks.counts)
    ctx.report.warnings.extend(checks.warnings)
    ctx.log(f"read {len(frame)} {layer} from {len(ctx.sources)} NAS file(s)")
    return frame


def convert(inputs: list[Path], output: Path) -> dict[str, tuple[int, Checks]]:
    """Convert a NAS delivery into a GeoPackage with layers flurstuecke and gebaeude."""
    for path in inputs:
        if not path.is_file():
            raise SourceError(f"{path}: no such file")
    delivery = read_delivery(inputs, set(LAYERS))
    tmp = output.with_name(f".{output.stem}.part{output.suffix or '.gpkg'}")
    tmp.unlink(missing_ok=True)
    result: dict[str, tuple[int, Checks]] = {}
    try:
        for layer in LAYERS:
            result[layer] = write_layer(delivery, layer, tmp)
        os.replace(tmp, output)
    finally:
        tmp.unlink(missing_ok=True)
    return result
