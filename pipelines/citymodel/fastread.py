"""Streaming CityGML 1.0/2.0 reader into :class:`~pipelines.citymodel.batch.Batch` es.

The file is parsed with lxml ``iterparse`` (no DTD, no entities, no network) and kept in memory
for ``size`` buildings at a time. Each batch is read by one XSLT pass
(:mod:`pipelines.citymodel.extract`) whose tokens are turned into records here, following the
rules of the element reader (:class:`pipelines.citymodel.citygml.BuildingParser`): thematic
surfaces give the semantic type of their polygons; a Solid or MultiSurface referencing them
takes it over; a LoD with such a Solid does not repeat the thematic surfaces as MultiSurface.
A building whose tokens contain ``X`` (a shape the XSLT does not take), a reference to a
polygon outside itself or a value that does not convert is read by the element reader
instead, which also names the problem of bad input; references elsewhere in the file are
resolved in a second pass as before.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from pathlib import Path

from lxml import etree

from opengeodata.errors import DataValidationError
from pipelines.citymodel.batch import KIND_CODES, Batch, BatchBuilder, GeomRec, ObjRec
from pipelines.citymodel.citygml import (
    GENERIC_TYPES,
    GEOMETRY_PROPS,
    SIMPLE_ATTRIBUTES,
    BuildingParser,
    _crs,
    _parser_args,
    _resolve_pending,
    _Unresolved,
    check_no_doctype,
)
from pipelines.citymodel.crs import SourceCrs
from pipelines.citymodel.extract import tokens
from pipelines.citymodel.gml import BUILDING_TAGS, ENVELOPE, GML_ID, MEMBER_TAGS

BATCH = 512
KINDS = {k: KIND_CODES.get(k, -1) for k in (
    "RoofSurface", "WallSurface", "GroundSurface", "ClosureSurface", "OuterCeilingSurface",
    "OuterFloorSurface", "InteriorWallSurface", "CeilingSurface", "FloorSurface")}

LODS = {f"lod{i}MultiSurface": str(i) for i in range(5)}
Polygon = tuple[str, list[str]]  # gml:id ("" for none), ring texts (exterior first)


class _Irregular(Exception):
    """The building needs the element reader."""


class _Obj:
    """An object while its tokens are read."""

    __slots__ = ("parts", "props", "rec", "thematic")

    def __init__(self, rec: ObjRec) -> None:
        self.rec = rec
        #: (kind code, lod, polygons) per thematic surface LoD
        self.thematic: list[tuple[int, str, list[Polygon]]] = []
        #: (type, lod, shells of members); a member is a Polygon or an href (str)
        self.props: list[tuple[str, str, list[list[Polygon | str]]]] = []
        self.parts: list[_Obj] = []


class TokenReader:
    """Turns the tokens of one building into an object tree (raises _Irregular)."""

    def __init__(self, toks: list[str], pos: int) -> None:
        self.t = toks
        self.i = pos
        self.irregular = False
        self.polygons: list[Polygon] = []

    def next(self) -> str:
        tok = self.t[self.i]
        self.i += 1
        return tok

    def obj(self, kind: str, source: str, line: int) -> _Obj:
        """Read ``O id ... Z`` (the ``O`` already consumed)."""
        rec = ObjRec(id=self.next(), type=kind, source=source, line=line)
        obj = _Obj(rec)
        attrs = rec.attributes
        t = self.t
        while True:
            tok = t[self.i]
            self.i += 1
            if tok == "A":
                name, text, space = t[self.i], t[self.i + 1].strip(), t[self.i + 2]
                self.i += 3
                if text:
                    try:
                        attrs[name] = SIMPLE_ATTRIBUTES[name](text)
                    except ValueError:
                        self.irregular = True
                    if space:
                        rec.code_spaces[name] = space
            elif tok == "G":
                gtype, name, value = t[self.i], t[self.i + 1], t[self.i + 2]
                self.i += 3
                caster = GENERIC_TYPES.get(gtype)
                if caster is None or not name or value[:1] != "v":
                    continue
                try:
                    attrs[name] = caster(value[1:].strip())
                except ValueError:
                    self.irregular = True
            elif tok == "D":
                record: dict[str, str] = {}
                while t[self.i] == "F":
                    fname, text = t[self.i + 1], t[self.i + 2].strip()
                    self.i += 3
                    if text:
                        record.setdefault(fname, text)
                if self.next() != "E":
                    raise _Irregular("E")
                if record:
                    rec.addresses.append(record)
            elif tok == "N":
                text = self.next()
                if text and "name" not in attrs:
                    attrs["name"] = text.strip()
            elif tok == "O":
                obj.parts.append(self.obj("BuildingPart", source, 0))
            elif tok == "X":
                self.irregular = True
            elif tok == "T":
                break
            else:
                raise _Irregular(tok)  # out of step: cannot happen for the stylesheet's output
        self._thematic(obj)
        while (tok := self.next()) == "P":
            self._prop(obj)
        if tok != "Z":
            raise _Irregular(tok)
        rec.parts = [p.rec for p in obj.parts]
        return obj

    def _thematic(self, obj: _Obj) -> None:
        """``T F C (S kind (L lod (Y id text)*)*)* Q`` (the ``T`` consumed)."""
        t = self.t
        below, check = int(t[self.i]), int(t[self.i + 1])
        self.i += 2
        kind = -1
        lod: str | None = None
        n = 0
        while True:
            tok = t[self.i]
            if tok == "Y":
                polygon = (t[self.i + 1], [t[self.i + 2]])
                self.i += 3
                self.polygons.append(polygon)
                if lod is None or kind == -2:
                    self.irregular = True  # not a lodNMultiSurface of a thematic surface
                    continue
                obj.thematic.append((kind, lod, [polygon]))
                n += 1
            elif tok == "S":
                kind = KINDS.get(t[self.i + 1], -2)
                lod = None
                self.i += 2
            elif tok == "L":
                lod = LODS.get(t[self.i + 1])
                self.i += 2
            elif tok == "Q":
                self.i += 1
                break
            else:
                raise _Irregular(tok)
        if below != 5 * n or check != 1003 * n:
            self.irregular = True

    def _prop(self, obj: _Obj) -> None:
        """``P prop F nhref hrefs C (Y id text)* Q`` (the ``P`` consumed)."""
        t = self.t
        gtype, glod = GEOMETRY_PROPS[t[self.i]]
        below, nhref, hrefs = int(t[self.i + 1]), int(t[self.i + 2]), t[self.i + 3]
        check = int(t[self.i + 4])
        self.i += 5
        members: list[Polygon | str] = []
        while t[self.i] == "Y":
            polygon = (t[self.i + 1], [t[self.i + 2]])
            self.i += 3
            self.polygons.append(polygon)
            members.append(polygon)
        if self.next() != "Q":
            raise _Irregular("Q")
        inline = len(members)
        if nhref:
            refs = hrefs.split("#")
            if inline or refs[0] or len(refs) != nhref + 1:
                self.irregular = True  # mixed members, or a reference not of the form #id
            members = ["#" + r for r in refs[1:]]
        frame = 3 if gtype == "Solid" else 1
        if below != frame + nhref + 5 * inline or check != 1003 * inline:
            self.irregular = True
        obj.props.append((gtype, glod, [members]))


def _emit(obj: _Obj, out: BatchBuilder, raws: dict[int, list[int]],
          by_id: dict[str, Polygon]) -> None:
    """Append an object's surfaces (then its parts') in output order."""

    def ring_ids(polygon: Polygon) -> list[int]:
        got = raws.get(id(polygon))
        if got is None:
            got = raws[id(polygon)] = [out.add_text(text) for text in polygon[1]]
        return got

    kinds = {pid: kind for kind, _lod, polygons in obj.thematic if kind >= 0
             for pid, _rings in polygons if pid}
    solids: set[str] = set()
    geometries = obj.rec.geometries
    for gtype, glod, shells in obj.props:
        s0 = out.nsurf
        counts = []
        for shell in shells:
            start = out.nsurf
            for member in shell:
                if isinstance(member, str):
                    key = member[1:] if member[:1] == "#" else member.rpartition("#")[2]
                    target = by_id.get(key)
                    if target is None:
                        raise _Irregular(member)  # elsewhere in the file
                    out.add_surface(kinds.get(key, -1), ring_ids(target))
                else:
                    out.add_surface(kinds.get(member[0], -1) if member[0] else -1,
                                    ring_ids(member))
            counts.append(out.nsurf - start)
        if gtype == "Solid":
            if counts and counts[0]:
                geometries.append(GeomRec("Solid", glod, s0, out.nsurf, counts))
                if any(out.surf_kind[i] >= 0 for i in range(s0, s0 + counts[0])):
                    solids.add(glod)
        elif out.nsurf > s0:
            geometries.append(GeomRec("MultiSurface", glod, s0, out.nsurf, counts))
    by_lod: dict[str, list[tuple[int, Polygon]]] = {}
    for kind, lod, polygons in obj.thematic:
        by_lod.setdefault(lod, []).extend((kind, p) for p in polygons)
    for lod, surfaces in sorted(by_lod.items()):
        if lod in solids or not surfaces:
            continue
        s0 = out.nsurf
        for kind, polygon in surfaces:
            out.add_surface(kind, ring_ids(polygon))
        geometries.append(GeomRec("MultiSurface", lod, s0, out.nsurf, [out.nsurf - s0]))
    for part in obj.parts:
        _emit(part, out, raws, by_id)


def _part_lines(el: etree._Element) -> list[int]:
    return [p.sourceline or 0 for p in el.iter("{*}BuildingPart")]


class _Batcher:
    """Buildings of one file waiting for their XSLT pass."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.name = path.name
        self.parser = BuildingParser(path)
        self.elements: list[etree._Element] = []
        self.crs: SourceCrs | None = None
        self.pending: list[tuple[etree._Element, set[str]]] = []

    def flush(self) -> Batch | None:
        """Read the waiting buildings; None when there are none."""
        if not self.elements:
            return None
        out = BatchBuilder(self.crs)
        root = self.elements[0].getroottree().getroot()
        toks = tokens(root, len(self.elements))
        starts = [i for i, tok in enumerate(toks) if tok == "B"]
        pos = 0
        if toks.count("B") != len(self.elements):  # "B" as a value: read every building
            starts = []
        for n, el in enumerate(self.elements):
            if starts:
                pos = self._fast(toks, pos, el, out)
            if not starts or pos < 0:
                self._slow(el, out)
                if starts:
                    pos = starts[n + 1] if n + 1 < len(starts) else len(toks)
        self.elements = []
        return out.finish() if len(out) else None

    def _fast(self, toks: list[str], pos: int, el: etree._Element, out: BatchBuilder) -> int:
        """Read one building from its tokens; returns the next position, -1 if irregular."""
        reader = TokenReader(toks, pos + 1)
        try:
            if toks[reader.i] == "X":
                reader.irregular = True
                reader.i += 1
            if reader.next() != "O":
                raise _Irregular("O")
            obj = reader.obj("Building", self.name, el.sourceline or 0)
            if reader.irregular or obj.rec.id != el.get(GML_ID):
                raise _Irregular("X")
            by_id: dict[str, Polygon] = {}
            for polygon in reader.polygons:
                if polygon[0]:
                    if polygon[0] in by_id:
                        raise _Irregular("duplicate polygon id")
                    by_id[polygon[0]] = polygon
            parts = obj.rec.all_objects()[1:]
            if parts:
                lines = _part_lines(el)
                if len(lines) != len(parts):
                    raise _Irregular("parts")
                for part, line in zip(parts, lines, strict=True):
                    part.line = line
            mark = (len(out.texts), len(out.text_owner), len(out.raw), len(out.ring_raw),
                    out.nsurf)
            raws: dict[int, list[int]] = {}
            try:
                _emit(obj, out, raws, by_id)
                for polygon in reader.polygons:  # unused ones too: their errors are reported
                    if id(polygon) not in raws:
                        raws[id(polygon)] = [out.add_text(text) for text in polygon[1]]
            except _Irregular:
                del out.texts[mark[0]:], out.text_owner[mark[1]:], out.raw[mark[2]:]
                del out.ring_raw[mark[3]:], out.surf_kind[mark[4]:], out.surf_nrings[mark[4]:]
                raise
        except (_Irregular, IndexError, KeyError):
            return -1
        out.add_building(obj.rec)
        return reader.i

    def _slow(self, el: etree._Element, out: BatchBuilder) -> None:
        try:
            out.add_object(self.parser.building(el))
        except _Unresolved as unresolved:
            self.pending.append((copy.deepcopy(el), unresolved.ids))


def iter_batches(path: Path, size: int = BATCH) -> Iterator[Batch]:
    """Stream the buildings of one CityGML file in batches (CRS as named in the file)."""
    check_no_doctype(path)
    batcher = _Batcher(path)
    crs: SourceCrs | None = None
    count = 0
    try:
        events = etree.iterparse(str(path), events=("end",),
                                 tag=[*BUILDING_TAGS, *MEMBER_TAGS, ENVELOPE], **_parser_args())
        for _event, el in events:
            tag = el.tag
            if tag in MEMBER_TAGS:
                if len(batcher.elements) >= size:
                    batch = batcher.flush()
                    if batch is not None:
                        yield batch
                if not batcher.elements:
                    el.clear()
                    while el.getprevious() is not None:
                        del el.getparent()[0]
                continue
            if tag == ENVELOPE:
                if crs is None and el.get("srsName"):
                    crs = _crs(path, el, el.get("srsName", ""))
                continue
            count += 1
            if crs is None:
                names = el.xpath(".//@srsName")
                if names:
                    crs = _crs(path, el, str(names[0]))
            if not batcher.elements:
                batcher.crs = crs  # a batch has the CRS known at its first building
            batcher.elements.append(el)
        batch = batcher.flush()
        if batch is not None:
            yield batch
    except etree.XMLSyntaxError as exc:
        raise DataValidationError(f"{path.name}: not well-formed XML: {exc}") from None
    if count == 0 and not batcher.pending:
        raise DataValidationError(f"{path.name}: no bldg:Building found (CityGML 1.0/2.0)")
    if batcher.pending:
        out = BatchBuilder(crs)
        for building, _crs_known in _resolve_pending(path, batcher.parser, batcher.pending, crs):
            out.add_object(building)
        yield out.finish()
