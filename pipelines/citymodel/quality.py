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

import numpy as np

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


def _judge(obj: ObjRec, measured: Any, geometric: float | None, log: QualityLog) -> None:
    """Count a measuredHeight against the geometry's height; replace it when implausible."""
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


def _heights(batch: Batch, s0: list[int], s1: list[int]) -> np.ndarray:
    """max z - min z of the points of surfaces ``s0[i]:s1[i]`` (non-empty ranges), nan if none."""
    first, count = batch.surface_points()
    a, b = np.asarray(s0, dtype=np.int64), np.asarray(s1, dtype=np.int64) - 1
    p0, p1 = first[a], first[b] + count[b]  # the surfaces' points follow each other
    out = np.full(len(a), np.nan)
    some = np.flatnonzero(p1 > p0)
    if len(some):
        z = np.append(batch.xyz[:, 2], 0.0)
        at = np.stack((p0[some], p1[some]), axis=1).ravel()
        out[some] = np.maximum.reduceat(z, at)[::2] - np.minimum.reduceat(z, at)[::2]
    return out


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


def check_batch(buildings: list[ObjRec], batch: Batch, log: QualityLog) -> None:
    """Apply the checks to buildings of ``batch`` and their parts (in place).

    The height of an object with one geometry and a float measuredHeight is tested for all
    of them at once (numpy); the others, and the values found implausible, one by one, in
    the buildings' order.
    """
    checks: list[tuple[ObjRec, Any, float | None]] = []
    judge: list[int] = []  # the checks judged one by one
    fast: list[int] = []  # the checks whose height numpy computes
    s0: list[int] = []
    s1: list[int] = []
    values: list[float] = []
    plain = not np.isnan(batch.xyz[:, 2]).any()
    for building in buildings:
        for obj in building.all_objects() if building.parts else (building,):
            for geom in obj.geometries:
                if geom.lod == "4":
                    _map_lod4(obj, log)
                    break
            measured = obj.attributes.get("measuredHeight")
            if measured is None:
                continue
            geoms = obj.geometries
            if plain and len(geoms) == 1 and type(measured) is float and geoms[0].s1 > geoms[0].s0:
                fast.append(len(checks))
                s0.append(geoms[0].s0)
                s1.append(geoms[0].s1)
                values.append(measured)
                checks.append((obj, measured, None))
            else:  # now: a part's LoD4 mapping, later in the loop, may change it
                judge.append(len(checks))
                checks.append((obj, measured, _own_height(obj, batch)))
    if fast:
        height = _heights(batch, s0, s1)
        m = np.asarray(values)
        with np.errstate(invalid="ignore"):
            ok = (np.isfinite(m) & (m > 0) & ~np.isnan(height)
                  & (np.abs(m - height) <= np.maximum(TOLERANCE_M, TOLERANCE_REL * height)))
        log.height_checked += int(ok.sum())
        for i in np.flatnonzero(~ok).tolist():
            k, h = fast[i], float(height[i])
            checks[k] = (checks[k][0], checks[k][1], None if math.isnan(h) else h)
            judge.append(k)
        judge.sort()
    for k in judge:
        _judge(*checks[k], log)


def check_building(building: ObjRec, batch: Batch, log: QualityLog) -> None:
    """Apply the checks to a building of ``batch`` and its parts (in place)."""
    check_batch([building], batch, log)
