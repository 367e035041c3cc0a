"""Plausibility checks of parsed CityGML buildings, applied before anything is written.

- ``measuredHeight``: a value is implausible when it is not a positive finite number or when
  it differs from the height of the object's own geometry (highest LoD, max z - min z; with
  its parts when it has no geometry of its own) by more than ``max(10 m, 50 %)`` of that
  height. Real deliveries contain both 0 and values of tens of kilometres; such values are
  replaced by the geometry's height and counted, with examples, in the quality report.
- LoD4 (CityGML 1.0/2.0; CityJSON 2.0 has none): the exterior LoD4 geometry of an object
  becomes its LoD3 geometry when it has no LoD3 of its own, else it is dropped; interiors
  (rooms, installations) are not read. Both are counted and reported as a warning.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from pipelines.citymodel.batch import Batch, ObjRec

TOLERANCE_M = 10.0
TOLERANCE_REL = 0.5
EXAMPLES = 5


@dataclass
class QualityLog:
    """Counts and examples of what the checks changed."""

    height_checked: int = 0
    height_zero: int = 0
    height_implausible: int = 0
    examples: list[dict[str, Any]] = field(default_factory=list)
    lod4_mapped: int = 0
    lod4_dropped: int = 0

    @property
    def height_replaced(self) -> int:
        """measuredHeight values replaced by the geometry's height."""
        return self.height_zero + self.height_implausible

    def checks(self) -> dict[str, Any]:
        """The entries for the quality report's ``checks``."""
        out: dict[str, Any] = {"measured_height": {
            "checked": self.height_checked,
            "replaced": self.height_replaced,
            "zero_or_negative": self.height_zero,
            "implausible": self.height_implausible,
            "tolerance": f"|measuredHeight - geometry height| <= max({TOLERANCE_M:g} m, "
                         f"{TOLERANCE_REL:.0%})",
            "examples": self.examples,
        }}
        if self.lod4_mapped or self.lod4_dropped:
            out["lod4"] = {"mapped_to_lod3": self.lod4_mapped, "dropped": self.lod4_dropped}
        return out

    def warnings(self) -> list[str]:
        """Human warnings for the quality report."""
        out = []
        if self.height_replaced:
            out.append(
                f"{self.height_replaced} implausible measuredHeight value(s) "
                f"({self.height_zero} zero or negative, {self.height_implausible} off the "
                "geometry) replaced by the geometry's height")
        if self.lod4_mapped or self.lod4_dropped:
            out.append(
                f"CityJSON 2.0 has no LoD4: {self.lod4_mapped} LoD4 geometr(y/ies) written as "
                f"LoD3, {self.lod4_dropped} dropped (object has its own LoD3); interiors "
                "are not converted")
        return out


def _own_height(obj: ObjRec, batch: Batch) -> float | None:
    if len(obj.geometries) == 1:  # the common case: one geometry, the highest LoD
        g = obj.geometries[0]
        if g.s1 <= g.s0:
            return None
        zlo, zhi = batch.surface_z()
        lo, hi = min(zlo[g.s0:g.s1]), max(zhi[g.s0:g.s1])
        return hi - lo if lo <= hi else None
    objects = [obj] if obj.geometries else obj.all_objects()
    lo, hi = float("inf"), float("-inf")
    for part in objects:
        if not part.geometries:
            continue
        top = max(g.lod for g in part.geometries)
        for geom in part.geometries:
            if geom.lod == top and (z := batch.geometry_z(geom)) is not None:
                lo, hi = min(lo, z[0]), max(hi, z[1])
    return hi - lo if lo <= hi else None


def _check_height(obj: ObjRec, batch: Batch, log: QualityLog) -> None:
    measured = obj.attributes.get("measuredHeight")
    if measured is None:
        return
    geometric = _own_height(obj, batch)
    if geometric is None:
        return
    log.height_checked += 1
    finite = isinstance(measured, (int, float)) and math.isfinite(measured)
    if finite and measured > 0:
        if abs(measured - geometric) <= max(TOLERANCE_M, TOLERANCE_REL * geometric):
            return
        log.height_implausible += 1
    else:
        log.height_zero += 1
    replaced = round(geometric, 3)
    if len(log.examples) < EXAMPLES:
        log.examples.append({"gml_id": obj.id, "source": obj.source, "line": obj.line,
                             "measuredHeight": measured if finite else str(measured),
                             "geometry_height": replaced})
    obj.attributes["measuredHeight"] = replaced


def _map_lod4(obj: ObjRec, log: QualityLog) -> None:
    if not any(g.lod == "4" for g in obj.geometries):
        return
    has_lod3 = any(g.lod == "3" for g in obj.geometries)
    kept = []
    for geom in obj.geometries:
        if geom.lod != "4":
            kept.append(geom)
        elif has_lod3:
            log.lod4_dropped += 1
        else:
            geom.lod = "3"
            log.lod4_mapped += 1
            kept.append(geom)
    obj.geometries[:] = kept


def check_building(building: ObjRec, batch: Batch, log: QualityLog) -> None:
    """Apply the checks to a building of ``batch`` and its parts (in place)."""
    for obj in building.all_objects() if building.parts else (building,):
        for geom in obj.geometries:
            if geom.lod == "4":
                _map_lod4(obj, log)
                break
        if "measuredHeight" in obj.attributes:
            _check_height(obj, batch, log)
