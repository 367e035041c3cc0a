"""NBA updates: a ``wfs:Transaction`` (Insert, Replace, Delete) applied to a layer."""

from __future__ import annotations

import geopandas as gpd
import pandas as pd

from pipelines.cadastral.checks import Checks
from pipelines.cadastral.nas import FileResult


def apply_update(current: gpd.GeoDataFrame, new: gpd.GeoDataFrame, update: FileResult,
                 checks: Checks) -> gpd.GeoDataFrame:
    """The layer after one NBA file: deleted and replaced ids go, new features come in.

    A replaced feature whose address xlinks point outside the update keeps its previous
    ``lagebezeichnung``.
    """
    ids = current["gml_id"].astype(str)
    gone = update.deleted | update.replaced
    if "lagebezeichnung" in current.columns and len(new):
        previous = pd.Series(current["lagebezeichnung"].to_numpy(), index=ids)
        previous = previous[~previous.index.duplicated()]
        fill = new["gml_id"].map(previous)
        new = new.assign(lagebezeichnung=new["lagebezeichnung"].where(
            new["lagebezeichnung"].notna(), fill))
    new_ids = set(new["gml_id"].astype(str))
    existing = set(ids)
    inserted = new_ids - existing - update.replaced
    conflicts = (new_ids & existing) - gone
    checks.add("nba_deleted", len(update.deleted & existing))
    checks.add("nba_replaced", len(update.replaced & existing))
    checks.add("nba_inserted", len(inserted))
    missing = sorted(gone - existing)
    checks.add("nba_unknown_ids", len(missing), missing,
               f"id(s) to delete or replace in {update.path.name} not found in the live version")
    checks.add("nba_insert_existing", len(conflicts), sorted(conflicts),
               f"inserted id(s) in {update.path.name} already existed and were overwritten")
    keep = ~ids.isin(gone | new_ids).to_numpy()
    kept = current.loc[keep]
    new = new.reindex(columns=current.columns)
    if kept.crs is not None and new.crs is not None and kept.crs != new.crs:
        new = new.to_crs(kept.crs)
    frames = [f for f in (kept, new) if len(f)]
    if not frames:
        return current.iloc[0:0]
    out = pd.concat(frames, ignore_index=True)
    return gpd.GeoDataFrame(out, geometry=current.geometry.name, crs=current.crs)
