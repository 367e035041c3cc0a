"""The regular expressions of the raw-bytes CityGML reader (:mod:`.rawread`), per set of prefixes.

They only match text the XML parser passes on unchanged (no entity, no normalised whitespace),
so what they capture equals what lxml would give.
"""

from __future__ import annotations

import re
from functools import lru_cache

from pipelines.citymodel import compiled
from pipelines.citymodel.citygml import GENERIC_TYPES, SIMPLE_ATTRIBUTES
from pipelines.citymodel.extract import THEMATIC, XAL_FIELDS

_S = "[ \t\n]*"
_AV = '[^"<>&\t\n\r]*'  # an attribute value the parser does not normalise
_ATTRS = f'(?:[ \t\n]+(?!xmlns)[\\w:.-]+="{_AV}")*'
_TXT = "[^<&\r]*"  # a text the parser passes on unchanged


def _until(close: str) -> str:
    """Content up to the first end tag starting with ``</close`` (tag by tag, greedy)."""
    return f"{_TXT}(?:<(?!/{close})[^<>]*>{_TXT})*"


class _Grammar:
    """The expressions for one set of prefixes."""

    def __init__(self, core: str, b: str, g: str, x: str, n: str, a: str) -> None:
        self.compiled: object | None = None  # the compiled recogniser's grammar, if built
        gid = f'(?:[ \t\n]+{g}id="{_AV}")?'

        def poly(pid: str, text: str) -> str:
            return (f'<{g}Polygon(?:[ \t\n]+{g}id="({pid}{_AV})")?{_S}>{_S}<{g}exterior{_S}>'
                    f"{_S}<{g}LinearRing{gid}{_S}>{_S}<{g}posList{_S}>({text}{_TXT})"
                    f"</{g}posList{_S}>{_S}</{g}LinearRing{_S}>{_S}</{g}exterior{_S}>{_S}"
                    f"</{g}Polygon{_S}>")

        member = f"{_S}<{g}surfaceMember{_S}>{_S}{poly('?:', '?:')}{_S}</{g}surfaceMember{_S}>"
        self.poly = re.compile(poly("", ""))
        self.building = re.compile(
            f'<{core}cityObjectMember>{_S}<{b}Building[ \t]+{g}id="({_AV})"[ \t]*>(.*)'
            f"</{b}Building{_S}>{_S}</{core}cityObjectMember{_S}>", re.S)
        kinds = "|".join(THEMATIC)
        simple = "|".join(SIMPLE_ATTRIBUTES)
        generic = "|".join(GENERIC_TYPES)
        fast_sm = (  # the usual thematic surface, without optional whitespace or ids
            f'<{b}boundedBy><{b}(?P<fk>{kinds}) {g}id="{_AV}"><{b}lod(?P<fl>[0-4])MultiSurface>'
            f'<{g}MultiSurface><{g}surfaceMember><{g}Polygon {g}id="(?P<fp>{_AV})"><{g}exterior>'
            f"<{g}LinearRing><{g}posList>(?P<ft>{_TXT})</{g}posList></{g}LinearRing>"
            f"</{g}exterior></{g}Polygon></{g}surfaceMember></{g}MultiSurface>"
            f"</{b}lod(?P=fl)MultiSurface></{b}(?P=fk)></{b}boundedBy>")
        fast_solid = (  # the usual Solid: references to the thematic surfaces' polygons
            f"<{b}lod(?P<hl>[1-4])Solid><{g}Solid><{g}exterior><{g}CompositeSurface>"
            f'(?P<hs>(?:<{g}surfaceMember {x}href="#[^"#<>&\t\n\r]*"/>)+)'
            f"</{g}CompositeSurface></{g}exterior></{g}Solid></{b}lod(?P=hl)Solid>")
        self.item = re.compile(
            f"[ \t\n]*(?:{fast_sm}|{fast_solid}"
            f"|<{b}(?P<an>{simple})(?P<aa>{_ATTRS}){_S}>(?P<at>{_TXT})</{b}(?P=an){_S}>"
            f"|<{n}(?P<gt>{generic})[ \t\n]+name=\"(?P<gn>{_AV})\"{_S}>{_S}<{n}value{_ATTRS}"
            f"{_S}>(?P<gv>{_TXT})</{n}value{_S}>{_S}</{n}(?P=gt){_S}>"
            f"|<{g}name(?P<na>{_ATTRS}){_S}>(?P<nt>{_TXT})</{g}name{_S}>"
            f"|<{b}address{_S}>{_S}<{core}Address{gid}{_S}>{_S}<{core}xalAddress{_S}>"
            f"(?P<ad>{_until(core + 'xalAddress')})</{core}xalAddress{_S}>{_S}"
            f"</{core}Address{_S}>{_S}"
            f"</{b}address{_S}>"
            f"|<{b}boundedBy{_S}>{_S}<{b}(?P<sk>{kinds}){gid}{_S}>{_S}"
            f"<{b}lod(?P<sl>[0-4])MultiSurface{_S}>{_S}<{g}MultiSurface{gid}{_S}>"
            f"(?P<sm>(?:{member})+){_S}</{g}MultiSurface{_S}>{_S}"
            f"</{b}lod(?P=sl)MultiSurface{_S}>{_S}</{b}(?P=sk){_S}>{_S}</{b}boundedBy{_S}>"
            f"|<{b}lod(?P<pl>[1-4])(?P<pk>Solid|MultiSurface){_S}>(?P<pb>{_until(b + 'lod')})"
            f"</{b}lod(?P=pl)(?P=pk){_S}>"
            f"|<{b}consistsOfBuildingPart{_S}>{_S}<{b}BuildingPart[ \t]+{g}id=\"(?P<pi>{_AV})\""
            f"[ \t]*>(?P<pp>{_until(b + 'BuildingPart')})</{b}BuildingPart{_S}>{_S}"
            f"</{b}consistsOfBuildingPart{_S}>"
            f"|<(?P<ig>{core}creationDate|{core}terminationDate|{core}relativeToTerrain"
            f"|{core}relativeToWater|{g}description){_S}>{_TXT}</(?P=ig){_S}>)")
        self.code_space = re.compile(f'[ \t\n]codeSpace="({_AV})"')
        fields = "|".join(XAL_FIELDS)
        self.field = re.compile(f"<{a}({fields}){_ATTRS}{_S}>({_TXT})</{a}\\1{_S}>")
        self.field_tag = re.compile(f"<{a}(?:{fields})[ \t\n/>]")
        self.solid = re.compile(
            f"{_S}<{g}Solid{gid}{_S}>{_S}<{g}exterior{_S}>{_S}<{g}CompositeSurface{gid}{_S}>"
            f"(.*)</{g}CompositeSurface{_S}>{_S}</{g}exterior{_S}>{_S}</{g}Solid{_S}>{_S}",
            re.S)
        self.multi = re.compile(f"{_S}<{g}MultiSurface{gid}{_S}>(.*)</{g}MultiSurface{_S}>{_S}",
                                re.S)
        self.hrefs = re.compile(
            f'(?:{_S}<{g}surfaceMember[ \t\n]+{x}href="#[^"#<>&\t\n\r]*"{_S}/>)*{_S}')
        self.href = re.compile(f'{x}href="#([^"]*)"')
        self.inline = re.compile(f"(?:{member})*{_S}")


@lru_cache(maxsize=8)
def _grammar(prefixes: tuple[str, str, str, str, str, str]) -> _Grammar:
    gr = _Grammar(*(re.escape(p) for p in prefixes))
    if compiled.rawc is not None:  # the same names for the compiled recogniser
        gr.compiled = compiled.rawc.grammar(tuple(p.encode() for p in prefixes),
                                    tuple(k.encode() for k in THEMATIC),
                                    tuple(n.encode() for n in SIMPLE_ATTRIBUTES),
                                    tuple(n.encode() for n in GENERIC_TYPES))
    return gr
