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


class _Irregular(Exception):
    """The building needs the element reader."""


class _Obj:
    """An object while its tokens are read (polygons as numbers into the building's texts)."""

    __slots__ = ("parts", "props", "rec", "t_kind", "t_lod", "t_pid", "t_poly")

    def __init__(self, rec: ObjRec) -> None:
        self.rec = rec
        #: thematic polygons: kind code, LoD, gml:id, polygon number
        self.t_kind: list[int] = []
        self.t_lod: list[str] = []
        self.t_pid: list[str] = []
        self.t_poly: list[int] = []
        #: (type, LoD, members): polygon numbers, or gml:ids referenced (str)
        self.props: list[tuple[str, str, list[int] | list[str]]] = []
        self.parts: list[_Obj] = []


class TokenReader:
    """Turns the tokens of one building into an object tree; ``irregular`` when the element
    reader must read it."""

    def __init__(self, toks: list[str], pos: int) -> None:
        self.t = toks
        self.i = pos
        self.irregular = False
        self.texts: list[str] = []  # posList of every polygon (one exterior ring each)
        self.ids: dict[str, int] = {}  # gml:id -> polygon number

    def next(self) -> str:
        tok = self.t[self.i]
        self.i += 1
        return tok

    def _ids(self, pids: list[str], first: int) -> None:
        """Register the gml:ids of polygons numbered from ``first``."""
        new = dict(zip(pids, range(first, first + len(pids)), strict=True))
        new.pop("", None)
        if len(new) != len(pids) - pids.count("") or not self.ids.keys().isdisjoint(new):
            self.irregular = True  # an id used twice (the element reader keeps the first)
        self.ids.update(new)

    def _polygon(self, pid: str, text: str) -> int:
        number = len(self.texts)
        self.texts.append(text)
        if pid:
            if pid in self.ids:
                self.irregular = True  # the element reader keeps the first one
            self.ids[pid] = number
        return number

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

    def _texts(self, check: int, n: int) -> list[str]:
        """The posList texts after ``Q`` (as many as the check counted)."""
        count = check % 1_000_000
        if check != n:
            self.irregular = True  # not one 3D exterior posList per polygon
        texts = self.t[self.i:self.i + count]
        self.i += count
        return texts

    def _thematic(self, obj: _Obj) -> None:
        """``T F C (S kind (L lod (Y id)*)*)* Q text*`` (the ``T`` consumed)."""
        t = self.t
        below, check = int(t[self.i]), int(t[self.i + 1])
        self.i += 2
        i = self.i
        end = t.index("Q", i)
        seg = t[i:end]
        k = len(seg) // 6
        if (len(seg) == 6 * k and seg[0::6].count("S") == k and seg[2::6].count("L") == k
                and seg[4::6].count("Y") == k):
            # one polygon per thematic surface: read them all at once
            kinds = list(map(KINDS.get, seg[1::6]))
            lods = list(map(LODS.get, seg[3::6]))
            if None in kinds or None in lods:
                self.irregular = True
            obj.t_kind = kinds  # type: ignore[assignment]
            obj.t_lod = lods  # type: ignore[assignment]
            obj.t_pid = seg[5::6]
            self.i = end + 1
        else:
            kind = -1
            lod: str | None = None
            while True:
                tok = t[self.i]
                if tok == "Y":
                    if lod is None or kind == -2:
                        self.irregular = True  # not a lodNMultiSurface of a thematic surface
                    obj.t_kind.append(kind)
                    obj.t_lod.append(lod or "")
                    obj.t_pid.append(t[self.i + 1])
                    self.i += 2
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
        n = len(obj.t_pid)
        texts = self._texts(check, n)
        if below != 5 * n or len(texts) != n:
            self.irregular = True
            return
        first = len(self.texts)
        self.texts.extend(texts)
        obj.t_poly = list(range(first, first + n))
        self._ids(obj.t_pid, first)

    def _prop(self, obj: _Obj) -> None:
        """``P prop F nhref hrefs C (Y id)* Q text*`` (the ``P`` consumed)."""
        t = self.t
        gtype, glod = GEOMETRY_PROPS[t[self.i]]
        below, nhref, hrefs = int(t[self.i + 1]), int(t[self.i + 2]), t[self.i + 3]
        check = int(t[self.i + 4])
        self.i += 5
        pids: list[str] = []
        while t[self.i] == "Y":
            pids.append(t[self.i + 1])
            self.i += 2
        if self.next() != "Q":
            raise _Irregular("Q")
        texts = self._texts(check, len(pids))
        if len(texts) != len(pids):
            self.irregular = True
            return
        first = len(self.texts)
        self.texts.extend(texts)
        members: list[int] | list[str] = list(range(first, first + len(pids)))
        self._ids(pids, first)
        if nhref:
            refs = hrefs.split("#")
            if pids or refs[0] or len(refs) != nhref + 1:
                self.irregular = True  # mixed members, or a reference not of the form #id
            members = refs[1:]
        frame = 3 if gtype == "Solid" else 1
        if below != frame + nhref + 5 * len(pids):
            self.irregular = True
        obj.props.append((gtype, glod, members))


def _emit(obj: _Obj, out: BatchBuilder, base: int, ids: dict[str, int],
          pid_of: list[str]) -> None:
    """Append an object's surfaces (then its parts') in output order; ``base``: the raw ring
    number of the building's first polygon."""
    kinds = {pid: kind for pid, kind in zip(obj.t_pid, obj.t_kind, strict=True)
             if kind >= 0 and pid}
    solids: set[str] = set()
    geometries = obj.rec.geometries
    for gtype, glod, members in obj.props:
        if not members:
            continue
        s0 = out.nsurf
        numbers: list[int]
        if isinstance(members[0], str):  # all references (else all inline polygons)
            try:
                numbers = [ids[key] for key in members]
            except KeyError:
                raise _Irregular("reference") from None  # elsewhere in the file
            surf_kinds = [kinds.get(key, -1) for key in members]
        else:
            numbers = members
            surf_kinds = [kinds.get(pid_of[m], -1) for m in numbers] if kinds else \
                [-1] * len(numbers)
        out.add_surfaces(surf_kinds, [base + m for m in numbers])
        n = len(numbers)
        geometries.append(GeomRec(gtype, glod, s0, s0 + n, [n]))
        if gtype == "Solid" and max(surf_kinds) >= 0:
            solids.add(glod)
    if obj.t_poly:
        lods = sorted(set(obj.t_lod))
        for lod in lods:
            if lod in solids:
                continue
            if len(lods) == 1:
                sel_kinds, sel = obj.t_kind, obj.t_poly
            else:
                pick = [i for i, x in enumerate(obj.t_lod) if x == lod]
                sel_kinds = [obj.t_kind[i] for i in pick]
                sel = [obj.t_poly[i] for i in pick]
            s0 = out.nsurf
            out.add_surfaces(sel_kinds, [base + m for m in sel])
            geometries.append(GeomRec("MultiSurface", lod, s0, out.nsurf, [out.nsurf - s0]))
    for part in obj.parts:
        _emit(part, out, base, ids, pid_of)


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
        self.read_into(out)
        return out.finish() if len(out) else None

    def read_into(self, out: BatchBuilder) -> None:
        """Append the waiting buildings (one tree) to ``out``."""
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
            parts = obj.rec.all_objects()[1:]
            if parts:
                lines = _part_lines(el)
                if len(lines) != len(parts):
                    raise _Irregular("parts")
                for part, line in zip(parts, lines, strict=True):
                    part.line = line
            mark = (len(out.ring_raw), out.nsurf)
            pid_of = [""] * len(reader.texts)
            for pid, number in reader.ids.items():
                pid_of[number] = pid
            try:
                _emit(obj, out, len(out.raw), reader.ids, pid_of)
            except _Irregular:
                del out.ring_raw[mark[0]:], out.surf_kind[mark[1]:], out.surf_nrings[mark[1]:]
                raise
            out.add_texts(reader.texts)  # every polygon, used or not: errors are reported
        except (_Irregular, IndexError, KeyError, ValueError):
            return -1  # out of step (a value that looks like a token): the element reader
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
