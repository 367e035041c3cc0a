"""Raw-bytes CityGML reader: the text of each cityObjectMember, read without an XML tree.

Pass 1 (:func:`plan`) checks the layout at byte level (:mod:`.rawscan`): a ``CityModel`` root
whose namespace declarations bind the prefixes the reader is built with (CityGML 1.0 or 2.0),
one ``gml:Envelope`` with ``srsName`` before the first member, ``cityObjectMember`` tags without
attributes and not nested, no comment, CDATA section, processing instruction or DTD after the
root start tag, UTF-8, and no ``Building`` outside a member. Otherwise :func:`iter_batches`
hands the whole file to the lxml reader (:mod:`.fastread`).

Pass 2 cuts the members at byte offsets. A building of the common shape (simple, generic and
``gml:name`` attributes, xAL addresses, thematic surfaces of exterior-only polygons, Solids and
MultiSurfaces of such polygons or of ``#id`` references) is read, into the records fastread's
token reader makes (same rules, same ``_emit``), by

- the compiled recogniser (``_rawc.c``, :mod:`.compiled`) where it takes the member: a subset of
  the expressions' shapes with the same captures, and only text that is well-formed by
  construction; or else
- the regular expressions (:mod:`.rawgrammar`), which must cover its text completely.

Any other member (``&``, ``gml:pos``, nested parts, holes, other attributes, ...) is parsed
alone by lxml, wrapped in the file's own prolog and root start tag with line numbers shifted to
the file's, and read by the lxml reader: the output is the same either way. Meanwhile libxml2
checks the text of the whole file (well-formedness and namespaces, no tree), with blanks in
place of the members the recogniser took; an error names file, line and column, and the
conversion's outputs are discarded.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from lxml import etree

from opengeodata.errors import DataValidationError
from pipelines.citymodel import compiled, fastread
from pipelines.citymodel.batch import Batch, BatchBuilder, ObjRec
from pipelines.citymodel.citygml import (
    GENERIC_TYPES,
    SIMPLE_ATTRIBUTES,
    _parser_args,
    _resolve_pending,
    check_no_doctype,
)
from pipelines.citymodel.crs import SourceCrs, parse_crs_name
from pipelines.citymodel.gml import BLDG, BUILDING_TAGS, CORE, GEN, GML
from pipelines.citymodel.rawgrammar import _ATTRS, _AV, _S, _Grammar, _grammar
from pipelines.citymodel.rawscan import _not_well_formed, _Scanner, _WellFormed

#: after STREAK members in a row the expressions do not take, RUN members go to lxml as one tree
STREAK, RUN = 4, 128
XLINK = "http://www.w3.org/1999/xlink"
XAL = "urn:oasis:names:tc:ciq:xsdschema:xAL:2.0"
_ROOT = re.compile(rb"<((?:[A-Za-z_][\w.-]*:)?CityModel)((?:[ \t\r\n]+[^\s=<>/]+[ \t\r\n]*="
                   rb"[ \t\r\n]*(?:\"[^\"]*\"|'[^']*'))*)[ \t\r\n]*>")
_XMLNS = re.compile(rb'xmlns(:[\w.-]+)?[ \t\r\n]*=[ \t\r\n]*"([^"]*)"')


@dataclass
class Plan:
    """What pass 1 found: prolog and root start tag, prefixes, CRS."""

    path: Path
    prolog: bytes
    root: bytes
    prefixes: tuple[str, str, str, str, str, str]  # core, bldg, gml, xlink, gen, xAL
    crs: SourceCrs


_PROLOG = re.compile(rb"(?:\xef\xbb\xbf)?(?:<\?xml[ \t\r\n][^<>?]*\?>)?"
                     rb"(?:[ \t\r\n]+|<!--(?:[^-]|-[^-])*-->)*")
_ENCODING = re.compile(rb"""encoding[ \t\r\n]*=[ \t\r\n]*["']([^"']*)["']""")


def _prefixes(attrs: bytes) -> tuple[str, str, str, str, str, str] | None:
    """Element name prefixes with their colon ("" for the default namespace)."""
    by_uri = {uri.decode(): f"{prefix.decode()[1:]}:" if prefix else ""
              for prefix, uri in _XMLNS.findall(attrs)}
    core = next((by_uri[u] for u in CORE if u in by_uri), None)
    bldg = next((by_uri[u] for u in BLDG if u in by_uri), None)
    gen = next((by_uri[u] for u in GEN if u in by_uri), "\x00")
    gml, xlink = by_uri.get(GML), by_uri.get(XLINK)
    if core is None or not bldg or not gml or not xlink:  # attributes need the prefixes
        return None
    return core, bldg, gml, xlink, gen, by_uri.get(XAL, "\x00")


def plan(path: Path) -> Plan | None:
    """Pass 1: check the file's layout; None when it needs the lxml reader. Well-formedness is
    checked while pass 2 reads (:class:`_WellFormed`)."""
    with path.open("rb") as f:
        head = f.read(1 << 20)  # the root start tag is in there
    prolog = _PROLOG.match(head)
    m = _ROOT.match(head, prolog.end()) if prolog else None
    if m is None:
        return None
    decl = _ENCODING.search(head, 0, m.start())
    if decl and decl.group(1).lower().replace(b"_", b"-") not in (b"utf-8", b"utf8"):
        return None
    prefixes = _prefixes(m.group(2))
    if prefixes is None:
        return None
    scanner = _Scanner(path, f"{prefixes[0]}cityObjectMember".encode())
    if not scanner.layout(m.end()):
        return None
    members = scanner.members()
    first = next(members, None)
    members.close()
    if first is None or scanner.first_gap is None:
        return None
    header, line = scanner.first_gap
    crs = _header_crs(path, header[m.end():], line + header.count(b"\n", 0, m.end()),
                      prefixes[2])
    if crs is None:
        return None
    return Plan(path, head[:m.end()], m.group(1), prefixes, crs)


def _header_crs(path: Path, header: bytes, line: int, gml: str) -> SourceCrs | None:
    """The CRS of the one Envelope before the first member (None: let lxml find it)."""
    tag = f"<{gml}Envelope".encode()
    at = header.find(tag)
    if at < 0 or header.find(tag, at + 1) >= 0:
        return None
    env = re.compile(f"<{re.escape(gml)}Envelope({_ATTRS}){_S}>".encode())
    m = env.match(header, at)
    name = re.search(f'[ \t\n]srsName="({_AV})"'.encode(), m.group(1)) if m else None
    if name is None:
        return None
    try:
        return parse_crs_name(name.group(1).decode())
    except DataValidationError as exc:
        raise DataValidationError(
            f"{path.name}: line {line + header.count(b'\n', 0, at)}: {exc}") from None


class _Polygons:
    """The polygons of one building in the token reader's numbering."""

    def __init__(self) -> None:
        self.texts: list[str] = []
        self.pids: list[str] = []

    def thematic(self, obj: fastread._Obj, kinds: list[str], lods: list[str], pids: list[str],
                 texts: list[str]) -> None:
        """An object's thematic polygons, numbered after those read before (its parts')."""
        first = len(self.texts)
        self.texts += texts
        self.pids += pids
        obj.t_kind = list(map(fastread.KINDS.__getitem__, kinds))
        obj.t_lod = lods
        obj.t_pid = pids
        obj.t_poly = list(range(first, first + len(texts)))

    def add(self, polygons: list[tuple[str, str]]) -> list[int]:
        first = len(self.texts)
        for pid, text in polygons:
            self.pids.append(pid)
            self.texts.append(text)
        return list(range(first, len(self.texts)))


def _read(gr: _Grammar, member: bytes, line: int, source: str, out: BatchBuilder,
          check: _WellFormed | None = None) -> bool:
    """Append one member's building; False: the lxml reader must read it. The compiled
    recogniser is asked first; what it takes is well-formed (``check.verified``)."""
    polys = _Polygons()
    rawc = compiled.rawc
    if rawc is not None and gr.compiled is not None and (t := rawc.read(gr.compiled, member)):
        rec = ObjRec(id=t[0], type="Building", source=source, line=line + t[1])
        try:
            obj = _compiled_object(gr, t, rec, polys, line)
        except ValueError:
            return False  # a value that does not convert: the element reader names it
        if obj is None or not _add(obj, polys, out):
            return False
        if check is not None:
            check.verified = True
        return True
    try:
        text = member.decode("utf-8")
    except UnicodeDecodeError:
        return False  # lxml names the problem
    m = gr.building.fullmatch(text)
    if m is None:
        return False
    rec = ObjRec(id=m.group(1), type="Building", source=source,
                 line=line + text.count("\n", 0, m.start(1)))
    try:
        obj = _object(gr, text, m.start(2), m.end(2), rec, polys, line)
    except ValueError:
        return False  # a value that does not convert: the element reader names it
    return obj is not None and _add(obj, polys, out)


def _add(obj: fastread._Obj, polys: _Polygons, out: BatchBuilder) -> bool:
    """Append a building read by the expressions; False when the lxml reader must."""
    ids = {pid: n for n, pid in enumerate(polys.pids) if pid}
    if len(ids) != len(polys.pids) - polys.pids.count(""):
        return False  # an id used twice (the element reader keeps the first)
    mark = (len(out.ring_raw), out.nsurf)
    try:
        fastread._emit(obj, out, len(out.raw), ids, polys.pids)
    except fastread._Irregular:
        del out.ring_raw[mark[0]:], out.surf_kind[mark[1]:], out.surf_nrings[mark[1]:]
        return False
    out.add_texts(polys.texts)
    out.add_building(obj.rec)
    return True


def _address(gr: _Grammar, inner: str) -> dict[str, str] | None:
    """The fields of an xalAddress's content; None when the expressions do not cover it."""
    fields = gr.field.findall(inner)
    if len(fields) != len(gr.field_tag.findall(inner)) or "xmlns" in inner:
        return None
    record: dict[str, str] = {}
    for fname, value in fields:
        if value.strip():
            record.setdefault(fname, value.strip())
    return record


def _compiled_object(gr: _Grammar, t: tuple, rec: ObjRec, polys: _Polygons,
                     line: int) -> fastread._Obj | None:
    """:func:`_object` for what the compiled recogniser returned (same rules, same order)."""
    _id, _nl, items, solids, kinds, lods, pids, texts, addresses, parts = t
    obj = fastread._Obj(rec)
    attrs = rec.attributes
    for item in items:  # document order
        if item[0] == 0:
            name, value, space = item[1], item[2].strip(), item[3]
            if value:
                attrs[name] = SIMPLE_ATTRIBUTES[name](value)
                if space:
                    rec.code_spaces[name] = space
        elif item[0] == 1:
            gtype, gname, value = item[1], item[2], item[3]
            if gname and value:
                attrs[gname] = GENERIC_TYPES[gtype](value.strip())
        elif item[1] and "name" not in attrs:
            attrs["name"] = item[1].strip()
    for fields in addresses:  # (name, text) of the fields, as _address reads them
        record: dict[str, str] = {}
        for fname, value in fields:
            if value.strip():
                record.setdefault(fname, value.strip())
        if record:
            rec.addresses.append(record)
    for p in parts:  # their polygons come first
        part = ObjRec(id=p[0], type="BuildingPart", source=rec.source, line=line + p[1])
        sub = _compiled_object(gr, p, part, polys, line)
        if sub is None:
            return None
        obj.parts.append(sub)
    polys.thematic(obj, kinds, lods, pids, texts)
    for gtype, lod, hrefs, inline in solids:  # inline polygons come after the thematic ones
        obj.props.append((gtype, lod, hrefs if inline is None else polys.add(inline)))
    rec.parts = [p.rec for p in obj.parts]
    return obj


def _object(gr: _Grammar, text: str, pos: int, end: int, rec: ObjRec, polys: _Polygons,
            line: int) -> fastread._Obj | None:
    """Read ``text[pos:end]``, the children of a Building or BuildingPart, as the token
    reader does (parts' polygons first, then thematic surfaces, then geometry properties)."""
    obj = fastread._Obj(rec)
    attrs = rec.attributes
    # thematic polygons: surface kind, LoD, gml:id, posList
    t_kind: list[str] = []
    t_lod: list[str] = []
    t_pid: list[str] = []
    t_text: list[str] = []
    props: list[tuple[str, str, list[tuple[str, str]] | list[str]]] = []
    for it in gr.item.finditer(text, pos, end):
        start, stop = it.span()
        if start != pos:
            return None
        pos = stop
        kind = it.lastgroup
        if kind == "ft":
            k, lod, pid, pl = it.group("fk", "fl", "fp", "ft")
            t_kind.append(k)
            t_lod.append(lod)
            t_pid.append(pid)
            t_text.append(pl)
        elif kind == "hs":
            props.append(("Solid", it.group("hl"), gr.href.findall(it.group("hs"))))
        elif kind == "at":
            name, value = it.group("an"), it.group("at").strip()
            if value:
                attrs[name] = SIMPLE_ATTRIBUTES[name](value)
                space = gr.code_space.search(it.group("aa"))
                if space and space.group(1):
                    rec.code_spaces[name] = space.group(1)
        elif kind == "gv":
            gname, value = it.group("gn"), it.group("gv")
            if gname and value:
                attrs[gname] = GENERIC_TYPES[it.group("gt")](value.strip())
        elif kind == "nt":
            value = it.group("nt")
            if value and "name" not in attrs:
                attrs["name"] = value.strip()
        elif kind == "ad":
            record = _address(gr, it.group("ad"))
            if record is None:
                return None
            if record:
                rec.addresses.append(record)
        elif kind == "sm":
            k, lod = it.group("sk", "sl")
            for pid, pl in gr.poly.findall(it.group("sm")):
                t_kind.append(k)
                t_lod.append(lod)
                t_pid.append(pid)
                t_text.append(pl)
        elif kind == "pb":
            gtype, inner = it.group("pk"), it.group("pb")
            frame = (gr.solid if gtype == "Solid" else gr.multi).fullmatch(inner)
            if frame is None:
                return None
            members = frame.group(1)
            if gr.hrefs.fullmatch(members):
                props.append((gtype, it.group("pl"), gr.href.findall(members)))
            elif gr.inline.fullmatch(members):
                props.append((gtype, it.group("pl"), gr.poly.findall(members)))
            else:
                return None
        elif kind == "pp":
            a, b = it.span("pp")
            if "BuildingPart" in text[a:b]:
                return None  # nested parts: the lxml reader
            part = ObjRec(id=it.group("pi"), type="BuildingPart", source=rec.source,
                          line=line + text.count("\n", 0, it.start()))
            sub = _object(gr, text, a, b, part, polys, line)
            if sub is None:
                return None
            obj.parts.append(sub)
        # else: an element both readers ignore
    if pos != end and text[pos:end].strip(" \t\n"):
        return None
    polys.thematic(obj, t_kind, t_lod, t_pid, t_text)
    for gtype, glod, members in props:
        if members and isinstance(members[0], tuple):
            obj.props.append((gtype, glod, polys.add(members)))
        else:
            obj.props.append((gtype, glod, members))  # type: ignore[arg-type]
    rec.parts = [p.rec for p in obj.parts]
    return obj


class _Others:
    """Consecutive members the expressions do not take, read by lxml as one tree."""

    def __init__(self, pl: Plan, batcher: fastread._Batcher) -> None:
        self.pl = pl
        self.batcher = batcher
        self.shift = pl.prolog.count(b"\n") + 1
        self.close = b"</" + pl.root + b">"
        self.parser = etree.XMLParser(**_parser_args())
        self.members: list[bytes] = []
        self.lines: list[int] = []
        self.count = 0  # buildings read

    def add(self, member: bytes, line: int) -> None:
        self.members.append(member)
        self.lines.append(line)

    def flush(self, out: BatchBuilder) -> None:
        """Append the waiting members' buildings to ``out`` (file order kept)."""
        if not self.members:
            return
        # newlines put each member on its line in the file (libxml2 takes lines above 65535
        # from text nodes, so they are text, not attribute whitespace)
        parts = [self.pl.prolog]
        at = self.shift
        for member, line in zip(self.members, self.lines, strict=True):
            parts += (b"\n" * (line - at), member)
            at = line + member.count(b"\n")
        parts.append(self.close)
        try:
            root = etree.fromstring(b"".join(parts), self.parser)
        except etree.XMLSyntaxError as exc:
            line, column = exc.position
            raise _not_well_formed(self.pl.path, line, column, exc.msg) from None
        self.members, self.lines = [], []
        batcher = self.batcher
        batcher.elements = list(root.iter(*BUILDING_TAGS))
        self.count += len(batcher.elements)
        if batcher.elements:
            batcher.read_into(out)


def read(pl: Plan, size: int = fastread.BATCH) -> Iterator[Batch]:
    """Pass 2: the buildings of a planned file in batches."""
    path = pl.path
    gr = _grammar(pl.prefixes)
    batcher = fastread._Batcher(path)
    batcher.crs = pl.crs
    scanner = _Scanner(path, f"{pl.prefixes[0]}cityObjectMember".encode())
    check = _WellFormed(path)
    others = _Others(pl, batcher)
    out = BatchBuilder(pl.crs)
    count = streak = run = 0
    for member, line in scanner.members(check):
        if run and len(others.members) + len(out) < size:
            others.add(member, line)  # many irregular members in a row: read them together
            run -= 1
            continue
        others.flush(out)
        run = 0
        if len(out) >= size:
            yield out.finish()
            out = BatchBuilder(pl.crs)
        if _read(gr, member, line, path.name, out, check):
            count += 1
            streak = 0
        else:
            others.add(member, line)
            streak += 1
            if streak >= STREAK:
                run, streak = RUN, 0
    others.flush(out)
    if len(out):
        yield out.finish()
    if count + others.count == 0:
        raise DataValidationError(f"{path.name}: no bldg:Building found (CityGML 1.0/2.0)")
    if batcher.pending:
        out = BatchBuilder(pl.crs)
        for building, _crs_known in _resolve_pending(path, batcher.parser, batcher.pending,
                                                     pl.crs):
            out.add_object(building)
        yield out.finish()


def iter_batches(path: Path, size: int = fastread.BATCH) -> Iterator[Batch]:
    """Stream the buildings of one CityGML file in batches: by the expressions when the
    file's layout allows it (:func:`plan`), else by :func:`fastread.iter_batches`."""
    check_no_doctype(path)
    planned = plan(path)
    if planned is None:
        yield from fastread.iter_batches(path, size)
    else:
        yield from read(planned, size)
