"""The 2D layer of a building: footprint, heights, roof type, function, storeys, year, address."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from pipelines.citymodel.batch import KIND_CODES, Batch, ObjRec
from pipelines.citymodel.codelists import function_label, roof_type_label
from pipelines.citymodel.model import Ring, Surface

if TYPE_CHECKING:  # shapely is imported where footprints are built
    from shapely.geometry import MultiPolygon, Polygon

GROUND = KIND_CODES["GroundSurface"]
ROOF = KIND_CODES["RoofSurface"]

#: field name -> (type, description) of the footprint layer, in order
FIELDS: dict[str, tuple[str, str]] = {
    "gml_id": ("string", "gml:id des Gebäudes im CityGML"),
    "funktion": ("string", "Gebäudefunktion (Code, z.B. 31001_1000)"),
    "funktion_text": ("string", "Gebäudefunktion (Bezeichnung)"),
    "dachform": ("string", "Dachform (roofType-Code, z.B. 3100)"),
    "dachform_text": ("string", "Dachform (Bezeichnung, z.B. Satteldach)"),
    "hoehe": ("number", "Gebäudehöhe in m (measuredHeight, sonst max. z minus min. z)"),
    "hoehe_traufe": ("number", "Traufhöhe in m über Grund (tiefster Dachpunkt des Hauptgebäudes)"),
    "hoehe_first": ("number", "Firsthöhe in m über Grund (höchster Dachpunkt des Hauptgebäudes)"),
    "gelaendehoehe": ("number", "Höhe der Grundfläche in m über NHN (DHHN2016)"),
    "geschosse": ("integer", "Anzahl der oberirdischen Geschosse"),
    "baujahr": ("integer", "Baujahr"),
    "lod": ("integer", "Detaillierungsgrad (Level of Detail) der 3D-Geometrie"),
    "gebaeudeteile": ("integer", "Anzahl der Gebäudeteile (BuildingPart)"),
    "adresse": ("string", "Adresse (Straße Hausnummer, PLZ Ort)"),
    "kachel": ("string", "Name der 1x1-km-Downloadkachel (LoD2_32_<E>_<N>_1_ni)"),
}


def _xy(ring: Ring) -> list[tuple[float, float]]:
    return list(zip(ring[0::3], ring[1::3], strict=True))


def _polygon(surface: Surface) -> Polygon | None:
    import shapely
    from shapely.geometry import Polygon

    if not surface.rings or len(surface.rings[0]) < 9:
        return None
    poly = Polygon(_xy(surface.rings[0]), [_xy(r) for r in surface.rings[1:] if len(r) >= 9])
    if poly.area <= 1e-6:
        return None
    if not poly.is_valid:
        poly = shapely.make_valid(poly)
        parts = [g for g in getattr(poly, "geoms", [poly]) if isinstance(g, Polygon)]
        return shapely.union_all(parts) if parts else None
    return poly


def _top_lod(objs: list[ObjRec]) -> list[tuple[int, int]]:
    """The surface ranges ``(s0, s1)`` of the highest-LoD geometries of each object."""
    out: list[tuple[int, int]] = []
    for part in objs:
        geoms = part.geometries
        if len(geoms) == 1:
            out.append((geoms[0].s0, geoms[0].s1))
        elif geoms:
            top = max(g.lod for g in geoms)
            out.extend((g.s0, g.s1) for g in geoms if g.lod == top)
    return out


def _top_lod_surfaces(obj: ObjRec, with_parts: bool = True) -> list[int]:
    """The surfaces of the highest-LoD geometries of a building (and its parts)."""
    return [s for a, b in _top_lod(obj.all_objects() if with_parts else [obj])
            for s in range(a, b)]


def _surfaces(batch: Batch, ids: list[int]) -> list[Surface]:
    """Surfaces as ring lists (for the rare outline of a building without ground surfaces)."""
    out = []
    kinds = batch.surf_kind.tolist()
    for si in ids:
        r0, nr = int(batch.surf_ring0[si]), int(batch.surf_nrings[si])
        rings = []
        for r in range(r0, r0 + nr):
            a = int(batch.ring_start[r])
            rings.append(batch.xyz[a:a + int(batch.ring_len[r])].reshape(-1).tolist())
        out.append(Surface(rings, "GroundSurface" if kinds[si] == GROUND else None))
    return out


def footprint(surfaces: list[Surface]) -> MultiPolygon | None:
    """Union of the GroundSurfaces, else of every surface projected to 2D."""
    import shapely

    polys = [p for s in surfaces if s.kind == "GroundSurface" and (p := _polygon(s)) is not None]
    if not polys:
        polys = [p for s in surfaces if (p := _polygon(s)) is not None]
    if not polys:
        return None
    return _as_multi(polys[0] if len(polys) == 1 else shapely.union_all(polys))


#: a footprint polygon as rings of (xs, ys)
Polygon2D = list[tuple[list[float], list[float]]]


def _area2d(xs: list[float], ys: list[float]) -> float:
    n = len(xs)
    return 0.5 * abs(sum(xs[i] * ys[(i + 1) % n] - xs[(i + 1) % n] * ys[i] for i in range(n)))


def ground_polygons(batch: Batch, surfaces: list[int], kinds: list[int]) -> list[Polygon2D]:
    """The GroundSurfaces with a positive 2D area as (xs, ys) rings."""
    out: list[Polygon2D] = []
    for si in surfaces:
        if kinds[si] != GROUND:
            continue
        r0, nr = int(batch.surf_ring0[si]), int(batch.surf_nrings[si])
        if not nr or batch.ring_len[r0] < 3:
            continue
        rings = [batch.ring_xy(r) for r in range(r0, r0 + nr) if batch.ring_len[r] >= 3]
        if _area2d(*rings[0]) > 1e-6:
            out.append(rings)
    return out


def build_footprints(items: list[list[Polygon2D] | MultiPolygon | None]) -> np.ndarray:
    """MultiPolygons from ground polygons (vectorized; unions where a building has several)."""
    import shapely
    from shapely.geometry import MultiPolygon, Polygon

    result = np.empty(len(items), dtype=object)
    xs: list[float] = []
    ys: list[float] = []
    ring_index: list[int] = []
    poly_index: list[int] = []
    multi_index: list[int] = []
    targets: list[int] = []
    nring = npoly = 0
    for i, item in enumerate(items):
        if not item or isinstance(item, MultiPolygon):
            result[i] = item or None
            continue
        if len(item) > 1:
            result[i] = _as_multi(shapely.union_all(
                [Polygon(list(zip(*r[0], strict=True)),
                         [list(zip(*h, strict=True)) for h in r[1:]]) for r in item]))
            continue
        for rings in item:
            for rx, ry in rings:
                xs.extend(rx)
                ys.extend(ry)
                ring_index.extend([nring] * len(rx))
                nring += 1
                poly_index.append(npoly)
            npoly += 1
            multi_index.append(len(targets))
        targets.append(i)
    if targets:
        rings_arr = shapely.linearrings(np.column_stack([xs, ys]), indices=ring_index)
        polys = shapely.polygons(rings_arr, indices=poly_index)
        multis = shapely.multipolygons(polys, indices=multi_index)
        result[np.asarray(targets)] = multis
    return result


def _as_multi(geom: Any) -> MultiPolygon | None:
    from shapely.geometry import MultiPolygon, Polygon

    if isinstance(geom, Polygon):
        return MultiPolygon([geom])
    if isinstance(geom, MultiPolygon):
        return geom
    parts = [g for g in getattr(geom, "geoms", []) if isinstance(g, Polygon)]
    return MultiPolygon(parts) if parts else None


def _z_range(batch: Batch, surfaces: list[int]) -> tuple[float, float] | None:
    if not surfaces:
        return None
    lo, hi = batch.surface_z()
    zmin, zmax = min(lo[i] for i in surfaces), max(hi[i] for i in surfaces)
    return (zmin, zmax) if zmin <= zmax else None


def _spans_z(batch: Batch, spans: list[tuple[int, int]]) -> tuple[float, float] | None:
    """:func:`_z_range` of the surfaces of these ranges."""
    spans = [(a, b) for a, b in spans if b > a]
    if not spans:
        return None
    lo, hi = batch.surface_z()
    zmin, zmax = min([min(lo[a:b]) for a, b in spans]), max([max(hi[a:b]) for a, b in spans])
    return (zmin, zmax) if zmin <= zmax else None


def _first(objs: list[ObjRec], key: str) -> tuple[Any, str | None]:
    for part in objs:
        if key in part.attributes:
            return part.attributes[key], part.code_spaces.get(key)
    return None, None


def _address(objs: list[ObjRec]) -> str | None:
    for part in objs:
        for a in part.addresses:
            street = " ".join(v for v in (a.get("ThoroughfareName"), a.get("ThoroughfareNumber"))
                              if v)
            town = " ".join(v for v in (a.get("PostalCodeNumber"), a.get("LocalityName")) if v)
            text = ", ".join(v for v in (street, town) if v)
            if text:
                return text
    return None


def summarize(
    obj: ObjRec, batch: Batch, full: bool = True,
) -> tuple[dict[str, Any], list[Polygon2D] | MultiPolygon | None, tuple[float, float] | None]:
    """The attribute row (without ``kachel``), the footprint (ground polygons, else the 2D
    outline) and the centre of the footprint's bounding box of one building of ``batch``.
    With ``full=False`` only the row's fields that 3D Tiles shows (no eaves and ridge, lod,
    parts) and no footprint (None, None)."""
    objs = obj.all_objects() if obj.parts else [obj]
    spans = _top_lod(objs)
    z_range = _spans_z(batch, spans)
    height = obj.attributes.get("measuredHeight")
    if height is None and z_range is not None:
        height = z_range[1] - z_range[0]
    roof_code, roof_space = _first(objs, "roofType")
    func_code, func_space = _first(objs, "function")
    storeys, _ = _first(objs, "storeysAboveGround")
    year, _ = _first(objs, "yearOfConstruction")
    row: dict[str, Any] = {
        "gml_id": obj.id,
        "funktion": func_code,
        "funktion_text": function_label(func_code, func_space),
        "dachform": roof_code,
        "dachform_text": roof_type_label(roof_code, roof_space),
        "hoehe": _round(height),
        "gelaendehoehe": _round(z_range[0]) if z_range else None,
        "geschosse": int(storeys) if storeys is not None else None,
        "baujahr": _year(year),
        "adresse": _address(objs),
    }
    if not full:
        return row, None, None
    surfaces = [s for a, b in spans for s in range(a, b)]
    kinds = batch.kinds()
    # eaves and ridge of the main building; of its parts when it has no roof of its own
    roofs = (_z_range(batch, [s for s in _top_lod_surfaces(obj, False) if kinds[s] == ROOF])
             or _z_range(batch, [s for s in surfaces if kinds[s] == ROOF]))
    lods = [int(g.lod) for part in objs for g in part.geometries]
    row["hoehe_traufe"] = _round(roofs[0] - z_range[0]) if roofs and z_range else None
    row["hoehe_first"] = _round(roofs[1] - z_range[0]) if roofs and z_range else None
    row["lod"] = max(lods) if lods else None
    row["gebaeudeteile"] = len(objs) - 1
    grounds: list[Polygon2D] | MultiPolygon | None = ground_polygons(batch, surfaces, kinds)
    center: tuple[float, float] | None = None
    if grounds:
        gx = [x for p in grounds for x in p[0][0]]
        gy = [y for p in grounds for y in p[0][1]]
        center = ((min(gx) + max(gx)) / 2, (min(gy) + max(gy)) / 2)
    else:
        grounds = footprint(_surfaces(batch, surfaces))
        if grounds is not None:
            minx, miny, maxx, maxy = grounds.bounds
            center = ((minx + maxx) / 2, (miny + maxy) / 2)
    return row, grounds, center


def _round(value: float | None) -> float | None:
    return None if value is None else round(float(value), 3)


def _year(value: Any) -> int | None:
    text = str(value or "").strip()
    return int(text[:4]) if text[:4].isdigit() else None
