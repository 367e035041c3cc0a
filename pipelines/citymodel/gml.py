"""GML surface geometry of CityGML buildings: polygons, rings, surfaces, solids, references.

:class:`GeometryReader` turns GML 3.1 surface geometry (``Polygon``/``Triangle``/``Rectangle``,
``MultiSurface``/``CompositeSurface``/``Shell``, ``OrientableSurface``, ``Surface``/``Tin``
patches, ``Solid``) into :class:`~pipelines.citymodel.model.Surface` rings (flat x, y, z lists,
closing point dropped). ``xlink:href`` references are resolved inside the current building
(an index built on first use) or from ``external`` (polygons elsewhere in the file, collected by
a second pass); unknown ones are collected in ``missing``. Polygons are parsed once per
building (cache by gml:id). The common shape - one exterior ``LinearRing`` with a 3D
``posList`` - takes a fast path of direct child access (no ElementPath).
"""

from __future__ import annotations

import math

from lxml import etree

from pipelines.citymodel.model import MAX_COORDINATE, Ring, Surface

GML = "http://www.opengis.net/gml"
XLINK_HREF = "{http://www.w3.org/1999/xlink}href"
GML_ID = f"{{{GML}}}id"
VERSIONS = ("1.0", "2.0")
CORE = [f"http://www.opengis.net/citygml/{v}" for v in VERSIONS]
BLDG = [f"http://www.opengis.net/citygml/building/{v}" for v in VERSIONS]
GEN = [f"http://www.opengis.net/citygml/generics/{v}" for v in VERSIONS]

BUILDING_TAGS = [f"{{{ns}}}Building" for ns in BLDG]
MEMBER_TAGS = [f"{{{ns}}}cityObjectMember" for ns in CORE] + [f"{{{GML}}}featureMember"]
ENVELOPE = f"{{{GML}}}Envelope"

G = {name: f"{{{GML}}}{name}" for name in (
    "Polygon", "Triangle", "PolygonPatch", "Rectangle", "MultiSurface", "CompositeSurface",
    "Shell", "OrientableSurface", "Surface", "TriangulatedSurface", "Tin", "Solid",
    "LinearRing", "posList", "pos", "coordinates", "exterior", "interior", "outerBoundaryIs",
    "innerBoundaryIs", "name", "patches", "trianglePatches", "surfaceMember", "surfaceMembers",
    "baseSurface")}
POS_LIST = G["posList"]
POLYGON = G["Polygon"]
MULTI_SURFACE = G["MultiSurface"]
SURFACE_MEMBER = G["surfaceMember"]
MEMBER_POLYGON = f"{G['surfaceMember']}/{G['Polygon']}"
EXTERIOR_POS_LIST = f"{G['exterior']}/{G['LinearRing']}/{G['posList']}"
LINEAR_RING = G["LinearRing"]
POLYGONAL = {G["Polygon"], G["Triangle"], G["PolygonPatch"], G["Rectangle"]}
COLLECTIONS = {G["MultiSurface"], G["CompositeSurface"], G["Shell"]}
PATCHED = {G["Surface"], G["TriangulatedSurface"], G["Tin"]}
EXTERIOR = {G["exterior"], G["outerBoundaryIs"]}
INTERIOR = {G["interior"], G["innerBoundaryIs"]}
INDEXED = (G["Polygon"], G["MultiSurface"], G["CompositeSurface"], G["Surface"],
           G["OrientableSurface"], G["TriangulatedSurface"], G["Shell"], G["Solid"])



class GeometryReader:
    """Reads the GML geometry of one building at a time (one instance per file)."""

    def __init__(self) -> None:
        self.index: dict[str, etree._Element] | None = None
        self.external: dict[str, etree._Element] = {}
        self.missing: set[str] = set()
        self.parsed: dict[str, list[Ring]] = {}
        self.root: etree._Element | None = None

    def start(self, root: etree._Element) -> None:
        """Begin a new building (references resolve inside ``root``)."""
        self.index = None
        self.root = root
        self.missing = set()
        self.parsed = {}

    def _coords(self, ring: etree._Element) -> Ring:
        pos_list = ring.find(POS_LIST)
        dim = 3
        if pos_list is not None:
            values = (pos_list.text or "").split()
            if pos_list.get("srsDimension") or ring.get("srsDimension"):
                dim = int(pos_list.get("srsDimension") or ring.get("srsDimension") or 3)
        else:
            points = ring.findall(G["pos"])
            if points:
                values = [v for p in points for v in (p.text or "").split()]
                dim = len((points[0].text or "").split())
            else:
                coords = ring.find(G["coordinates"])
                if coords is None:
                    raise ValueError("a LinearRing without posList, pos or coordinates")
                tuples = (coords.text or "").split()
                values = [v for t in tuples for v in t.split(",")]
                dim = len(tuples[0].split(",")) if tuples else 3
        if dim not in (2, 3) or len(values) % dim:
            raise ValueError(f"{len(values)} coordinate values do not form {dim}D points")
        flat = _finite(list(map(float, values)))
        if dim == 2:
            flat = [c for i in range(0, len(flat), 2) for c in (flat[i], flat[i + 1], 0.0)]
        if len(flat) >= 6 and flat[:3] == flat[-3:]:
            del flat[-3:]
        return flat

    def _polygon(self, el: etree._Element) -> list[Ring]:
        if len(el) == 1:  # fast path: one exterior LinearRing with a 3D posList
            ext = el[0]
            if ext.tag in EXTERIOR and len(ext) == 1:
                ring = ext[0]
                if ring.tag == LINEAR_RING and len(ring) == 1:
                    pos_list = ring[0]
                    if pos_list.tag == POS_LIST and pos_list.get("srsDimension", "3") == "3":
                        values = (pos_list.text or "").split()
                        if len(values) % 3 == 0:
                            flat = _finite(list(map(float, values)))
                            if len(flat) >= 6 and flat[:3] == flat[-3:]:
                                del flat[-3:]
                            return [flat]
        rings: list[Ring] = []
        for boundary in el:
            tag = boundary.tag
            exterior = tag in EXTERIOR
            if exterior or tag in INTERIOR:
                ring = boundary.find(LINEAR_RING)
                if ring is None:
                    raise ValueError(f"polygon {el.get(GML_ID) or ''}: ring is not a LinearRing")
                if exterior:
                    rings.insert(0, self._coords(ring))
                else:
                    rings.append(self._coords(ring))
        return rings

    def _add_polygon(self, el: etree._Element, out: list[tuple[Surface, str | None]],
                     reverse: bool, pid: str | None) -> None:
        key = el.get(GML_ID)
        if key is None:
            rings = self._polygon(el)
        else:
            cached = self.parsed.get(key)
            rings = cached if cached is not None else self.parsed.setdefault(
                key, self._polygon(el))
        out.append((Surface([_reversed(r) for r in rings] if reverse else rings), pid or key))

    def surfaces(self, el: etree._Element, out: list[tuple[Surface, str | None]],
                 reverse: bool = False) -> None:
        """Append the polygons of any GML surface geometry to ``out`` with their gml:id."""
        tag = el.tag
        if tag in POLYGONAL:
            self._add_polygon(el, out, reverse, None)
        elif tag in COLLECTIONS:
            for member in el:
                href = member.get(XLINK_HREF)
                if href:
                    rings = self.parsed.get(href[1:]) if not reverse else None
                    if rings is not None:  # a polygon already read (e.g. in boundedBy)
                        out.append((Surface(rings), href[1:]))
                        continue
                    target = self.resolve(href)
                    if target is not None:
                        if target.tag in POLYGONAL:
                            self._add_polygon(target, out, reverse, None)
                        else:
                            self.surfaces(target, out, reverse)
                    continue
                for child in member:
                    if child.tag in POLYGONAL:
                        self._add_polygon(child, out, reverse, None)
                    elif isinstance(child.tag, str):
                        self.surfaces(child, out, reverse)
        elif tag == G["OrientableSurface"]:
            flip = reverse != (el.get("orientation") == "-")
            for member in el:
                self.member(member, out, flip)
        elif tag in PATCHED:
            for patches in el:
                for patch in patches:
                    if patch.tag in POLYGONAL:
                        self._add_polygon(patch, out, reverse, el.get(GML_ID))
        elif tag == G["Solid"]:
            for shell in el:
                self.member(shell, out, reverse)

    def member(self, prop: etree._Element, out: list[tuple[Surface, str | None]],
               reverse: bool = False) -> None:
        """A property element (surfaceMember, baseSurface, exterior, lodXSolid, ...)."""
        if not isinstance(prop.tag, str):
            return
        href = prop.get(XLINK_HREF)
        if href:
            target = self.resolve(href)
            if target is not None:
                self.surfaces(target, out, reverse)
            return
        for child in prop:
            if isinstance(child.tag, str):
                self.surfaces(child, out, reverse)

    def resolve(self, href: str) -> etree._Element | None:
        """The element a local ``#id`` reference points to (None: collected as missing)."""
        key = href[1:] if href[0] == "#" else href.rpartition("#")[2]
        if self.index is None:
            if self.root is None:
                raise RuntimeError("resolve() outside a building")
            self.index = {
                i: e for e in self.root.iter(*INDEXED) if (i := e.get(GML_ID)) is not None
            }
        target = self.index.get(key)
        if target is None:
            target = self.external.get(key)
        if target is None:
            self.missing.add(key)
        return target

    def solid_shells(self, solid: etree._Element,
                     kinds: dict[str, str]) -> list[list[Surface]]:
        shells: list[list[Surface]] = []
        for shell_prop in solid:
            if shell_prop.tag not in EXTERIOR and shell_prop.tag not in INTERIOR:
                continue
            found: list[tuple[Surface, str | None]] = []
            self.member(shell_prop, found)
            for surface, pid in found:
                if pid is not None:
                    surface.kind = kinds.get(pid)
            shells.append([s for s, _ in found])
        return shells


def _reversed(ring: Ring) -> Ring:
    pts = [ring[i:i + 3] for i in range(0, len(ring), 3)]
    pts = pts[:1] + pts[1:][::-1]
    return [c for p in pts for c in p]


def _finite(values: list[float]) -> list[float]:
    """``values``; ValueError naming the first that is NaN, infinite or out of range."""
    if not all(abs(v) < MAX_COORDINATE for v in values):
        bad = next(v for v in values if not abs(v) < MAX_COORDINATE)
        raise ValueError(f"a coordinate is out of range ({bad:g})" if math.isfinite(bad)
                         else f"a coordinate is not a finite number ({bad})")
    return values
