"""Streaming CityGML 1.0/2.0 building reader (lxml iterparse; no DTD, no entities, no network).

``iter_buildings(path)`` yields one :class:`CityObject` per ``bldg:Building`` with its parts,
attributes, addresses and geometries (coordinates in the file's CRS). Memory stays flat: each
``cityObjectMember`` is dropped after it was read. ``xlink:href`` references to polygons are
resolved inside the building; references to polygons elsewhere in the file are resolved in a
second pass over the file for the few buildings that need it.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from lxml import etree

from opengeodata.errors import DataValidationError
from pipelines.citymodel.crs import SourceCrs, parse_crs_name
from pipelines.citymodel.gml import (
    BLDG,
    BUILDING_TAGS,
    CORE,
    ENVELOPE,
    GEN,
    GML_ID,
    INDEXED,
    MEMBER_TAGS,
    MULTI_SURFACE,
    POLYGON,
    SURFACE_MEMBER,
    XLINK_HREF,
    G,
    GeometryReader,
)
from pipelines.citymodel.model import SEMANTIC_TYPES, CityObject, Geometry, Surface
from pipelines.xmlsafe import refuse_dtd

SIMPLE_ATTRIBUTES = {
    "class": str, "function": str, "usage": str, "roofType": str, "measuredHeight": float,
    "storeysAboveGround": int, "storeysBelowGround": int, "yearOfConstruction": str,
    "yearOfDemolition": str,
}
GEOMETRY_PROPS = {f"lod{i}{kind}": (kind, str(i)) for i in range(1, 5)
                  for kind in ("Solid", "MultiSurface")}
GENERIC_TYPES = {"stringAttribute": str, "intAttribute": int, "doubleAttribute": float,
                 "measureAttribute": float, "dateAttribute": str, "uriAttribute": str}

#: child tag of a Building/BuildingPart -> (role, name), for both CityGML versions
ROLES: dict[str, tuple[str, str]] = {G["name"]: ("name", "name")}
for _ns_b in BLDG:
    ROLES.update({f"{{{_ns_b}}}{n}": ("attr", n) for n in SIMPLE_ATTRIBUTES})
    ROLES.update({f"{{{_ns_b}}}{n}": ("geom", n) for n in GEOMETRY_PROPS})
    ROLES.update({f"{{{_ns_b}}}{n}": (n, n)
                  for n in ("boundedBy", "consistsOfBuildingPart", "address")})
for _ns_g in GEN:
    ROLES.update({f"{{{_ns_g}}}{n}": ("generic", n)
                  for n in (*GENERIC_TYPES, "genericAttributeSet")})
#: thematic surface tag -> semantic type (None: a surface type CityJSON Buildings do not use)
THEMATIC = {f"{{{ns}}}{k}": (k if k in SEMANTIC_TYPES else None)
            for ns in BLDG for k in (*SEMANTIC_TYPES, "InteriorWallSurface", "CeilingSurface",
                                     "FloorSurface")}
#: lodXMultiSurface of a thematic surface -> LoD
SURFACE_LODS = {f"{{{ns}}}lod{i}MultiSurface": str(i) for ns in BLDG for i in range(5)}


class _Unresolved(Exception):
    """A building references polygons outside itself (resolved in a second pass)."""

    def __init__(self, ids: set[str]) -> None:
        super().__init__(", ".join(sorted(ids)))
        self.ids = ids


def check_no_doctype(path: Path) -> None:
    """Refuse files with a DTD anywhere before the root (streaming; see pipelines.xmlsafe)."""
    refuse_dtd(path)


def _local(tag: Any) -> str:
    return tag.rpartition("}")[2] if isinstance(tag, str) else ""



class BuildingParser(GeometryReader):
    """Turns one bldg:Building element into a CityObject (one instance per file)."""

    def __init__(self, path: Path) -> None:
        super().__init__()
        self.path = path

    # -- objects -----------------------------------------------------------------------------
    def building(self, el: etree._Element) -> CityObject:
        """Parse a Building (with parts); raise DataValidationError naming file and building."""
        self.start(el)
        try:
            obj = self._object(el, "Building")
        except (ValueError, IndexError) as exc:
            raise DataValidationError(
                f"{self.path.name}: line {el.sourceline}: building "
                f"{el.get(GML_ID) or '(no gml:id)'}: {exc}"
            ) from None
        if self.missing:
            raise _Unresolved(set(self.missing))
        return obj

    def _object(self, el: etree._Element, kind: str) -> CityObject:
        obj = CityObject(id=el.get(GML_ID) or f"{self.path.stem}_line{el.sourceline}",
                         type=kind, source=self.path.name, line=el.sourceline or 0)
        geometry_props: list[etree._Element] = []
        semantic: list[tuple[str | None, etree._Element]] = []
        for child in el:
            role = ROLES.get(child.tag)
            if role is None:
                continue
            kind, local = role
            if kind == "attr":
                text = (child.text or "").strip()
                if text:
                    obj.attributes[local] = SIMPLE_ATTRIBUTES[local](text)
                    if child.get("codeSpace"):
                        obj.code_spaces[local] = child.get("codeSpace", "")
            elif kind == "geom":
                geometry_props.append(child)
            elif kind == "boundedBy":
                for surface in child:
                    if surface.tag in THEMATIC:
                        semantic.append((THEMATIC[surface.tag], surface))
            elif kind == "consistsOfBuildingPart":
                for part in child:
                    if _local(part.tag) == "BuildingPart":
                        obj.parts.append(self._object(part, "BuildingPart"))
            elif kind == "address":
                obj.addresses.extend(_addresses(child))
            elif kind == "generic":
                _generic(child, obj.attributes)
            elif child.text and "name" not in obj.attributes:
                obj.attributes["name"] = child.text.strip()
        self._geometries(obj, geometry_props, semantic)
        return obj

    def _geometries(self, obj: CityObject, props: list[etree._Element],
                    semantic: list[tuple[str | None, etree._Element]]) -> None:
        kinds: dict[str, str] = {}
        by_lod: dict[str, list[Surface]] = {}
        for sem_kind, surface_el in semantic:
            for prop in surface_el:
                lod = SURFACE_LODS.get(prop.tag)
                if lod is None:
                    continue
                found: list[tuple[Surface, str | None]] = []
                multi = prop[0] if len(prop) == 1 else None
                plain = multi is not None and multi.tag == MULTI_SURFACE
                if plain:  # fast path: a MultiSurface of plain polygons, no references
                    for member in multi:  # type: ignore[union-attr]
                        polygon = member[0] if len(member) == 1 else None
                        if (member.tag != SURFACE_MEMBER or polygon is None
                                or polygon.tag != POLYGON):
                            plain = False
                            break
                        self._add_polygon(polygon, found, False, None)
                if not plain:
                    found.clear()
                    self.member(prop, found)
                for surface, pid in found:
                    surface.kind = sem_kind
                    if pid is not None and sem_kind:
                        kinds[pid] = sem_kind
                by_lod.setdefault(lod, []).extend(s for s, _ in found)
        solids: set[str] = set()
        for prop in props:
            gtype, glod = GEOMETRY_PROPS[ROLES[prop.tag][1]]
            if gtype == "Solid":
                solid = next((c for c in prop if c.tag == G["Solid"]), None)
                if solid is None and prop.get(XLINK_HREF):
                    solid = self.resolve(prop.get(XLINK_HREF, ""))
                if solid is None:
                    continue
                shells = self.solid_shells(solid, kinds)
                if shells and shells[0]:
                    obj.geometries.append(Geometry("Solid", glod, shells))
                    if any(s.kind for s in shells[0]):
                        solids.add(glod)
            else:
                members: list[tuple[Surface, str | None]] = []
                self.member(prop, members)
                for surface, pid in members:
                    if pid is not None:
                        surface.kind = kinds.get(pid)
                if members:
                    obj.geometries.append(
                        Geometry("MultiSurface", glod, [[s for s, _ in members]]))
        for lod, surfaces in sorted(by_lod.items()):
            if lod not in solids and surfaces:
                obj.geometries.append(Geometry("MultiSurface", lod, [surfaces]))


def _generic(el: etree._Element, attributes: dict[str, Any]) -> None:
    local = _local(el.tag)
    name = el.get("name")
    if local == "genericAttributeSet":
        for child in el:
            if isinstance(child.tag, str):
                _generic(child, attributes)
        return
    caster = GENERIC_TYPES.get(local)
    if caster is None or not name:
        return
    value = next((c.text for c in el if _local(c.tag) == "value"), None)
    if value is None:
        return
    try:
        attributes[name] = caster(value.strip())
    except ValueError:
        raise ValueError(f"generic attribute {name!r}: {value!r} is not a {local}") from None


XAL = "urn:oasis:names:tc:ciq:xsdschema:xAL:2.0"
XAL_FIELDS = {f"{{{XAL}}}{n}": n for n in (
    "CountryName", "LocalityName", "DependentLocalityName", "ThoroughfareName",
    "ThoroughfareNumber", "PostalCodeNumber")}
ADDRESS_TAGS = [f"{{{ns}}}Address" for ns in CORE]


def _addresses(prop: etree._Element) -> list[dict[str, str]]:
    out = []
    for address in prop.iter(*ADDRESS_TAGS):
        record: dict[str, str] = {}
        for el in address.iter(*XAL_FIELDS):
            text = (el.text or "").strip()
            if text:
                record.setdefault(XAL_FIELDS[el.tag], text)
        if record:
            out.append(record)
    return out


def _parser_args() -> dict[str, Any]:
    return {"resolve_entities": False, "no_network": True, "load_dtd": False,
            "huge_tree": True, "remove_comments": True}


def iter_buildings(path: Path) -> Iterator[tuple[CityObject, SourceCrs | None]]:
    """Stream the buildings of one CityGML file with the CRS named in the file (if any)."""
    check_no_doctype(path)
    parser = BuildingParser(path)
    crs: SourceCrs | None = None
    pending: list[tuple[etree._Element, set[str]]] = []
    count = 0
    try:
        events = etree.iterparse(str(path), events=("end",),
                                 tag=[*BUILDING_TAGS, *MEMBER_TAGS, ENVELOPE], **_parser_args())
        for _event, el in events:
            tag = el.tag
            if tag == ENVELOPE:
                if crs is None and el.get("srsName"):
                    crs = _crs(path, el, el.get("srsName", ""))
                continue
            if tag in MEMBER_TAGS:
                el.clear()
                while el.getprevious() is not None:
                    del el.getparent()[0]
                continue
            count += 1
            if crs is None:
                names = el.xpath(".//@srsName")
                if names:
                    crs = _crs(path, el, str(names[0]))
            try:
                yield parser.building(el), crs
            except _Unresolved as unresolved:
                pending.append((copy.deepcopy(el), unresolved.ids))
    except etree.XMLSyntaxError as exc:
        raise DataValidationError(f"{path.name}: not well-formed XML: {exc}") from None
    if count == 0 and not pending:
        raise DataValidationError(f"{path.name}: no bldg:Building found (CityGML 1.0/2.0)")
    if pending:
        yield from _resolve_pending(path, parser, pending, crs)


def _crs(path: Path, el: etree._Element, name: str) -> SourceCrs:
    try:
        return parse_crs_name(name)
    except DataValidationError as exc:
        raise DataValidationError(f"{path.name}: line {el.sourceline}: {exc}") from None


def _resolve_pending(path: Path, parser: BuildingParser,
                     pending: list[tuple[etree._Element, set[str]]],
                     crs: SourceCrs | None) -> Iterator[tuple[CityObject, SourceCrs | None]]:
    """Second pass: collect the referenced polygons, then parse the waiting buildings."""
    wanted = set().union(*(ids for _, ids in pending))
    for _event, el in etree.iterparse(str(path), events=("end",),
                                      tag=[*INDEXED, *MEMBER_TAGS], **_parser_args()):
        if el.tag in MEMBER_TAGS:
            el.clear()
            while el.getprevious() is not None:
                del el.getparent()[0]
            continue
        key = el.get(GML_ID)
        if key in wanted:
            parser.external[key] = copy.deepcopy(el)
    for el, _ids in pending:
        try:
            yield parser.building(el), crs
        except _Unresolved as exc:
            raise DataValidationError(
                f"{path.name}: line {el.sourceline}: building {el.get(GML_ID)}: "
                f"xlink:href to polygon(s) not found in the file: {exc}"
            ) from None
