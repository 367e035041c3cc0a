"""One XSLT pass over a batch of buildings: their attributes and geometry as a token string.

libxslt walks the buildings in C and writes ``|``-terminated tokens; Python then reads the
tokens instead of visiting each element (which costs a Python object per element). Records:

- ``B`` a building (``X`` follows when its text contains a ``|``), ``O id`` ... ``Z`` an object
  (Building or BuildingPart, parts nested);
- ``A name text codeSpace`` a simple attribute, ``N text`` a gml:name, ``G type name value``
  a generic attribute (value ``v<text>`` or ``n`` for none), ``D`` (``F field text``)* ``E``
  an xAL address;
- ``S kind`` a thematic surface, ``L n`` its ``lodnMultiSurface``, ``P prop`` a geometry
  property (``lodnSolid``/``lodnMultiSurface``), ``K`` a Solid's exterior shell;
- ``M`` a surfaceMember: ``H href`` (by reference) or ``Y id`` a polygon, whose boundaries are
  ``E`` (exterior) / ``I`` (interior) each followed by ``R text`` (its posList);
- ``X``: a shape this reader does not take (holes without posList, ``gml:pos``, orientable or
  composite surfaces, references to solids, ...): the building goes to the element reader.

Text is emitted as lxml's ``.text`` (the text before the first child element).
"""

from __future__ import annotations

from lxml import etree

NS = {
    "b1": "http://www.opengis.net/citygml/building/1.0",
    "b2": "http://www.opengis.net/citygml/building/2.0",
    "c1": "http://www.opengis.net/citygml/1.0",
    "c2": "http://www.opengis.net/citygml/2.0",
    "g1": "http://www.opengis.net/citygml/generics/1.0",
    "g2": "http://www.opengis.net/citygml/generics/2.0",
    "gml": "http://www.opengis.net/gml",
    "xlink": "http://www.w3.org/1999/xlink",
    "xal": "urn:oasis:names:tc:ciq:xsdschema:xAL:2.0",
    "str": "http://exslt.org/strings",
}
SIMPLE = ("class", "function", "usage", "yearOfConstruction", "yearOfDemolition", "roofType",
          "measuredHeight", "storeysAboveGround", "storeysBelowGround")
GENERIC = ("stringAttribute", "intAttribute", "doubleAttribute", "measureAttribute",
           "dateAttribute", "uriAttribute", "genericAttributeSet")
THEMATIC = ("RoofSurface", "WallSurface", "GroundSurface", "ClosureSurface",
            "OuterCeilingSurface", "OuterFloorSurface", "InteriorWallSurface", "CeilingSurface",
            "FloorSurface")
PROPS = tuple(f"lod{i}{k}" for i in range(1, 5) for k in ("Solid", "MultiSurface"))
XAL_FIELDS = ("CountryName", "LocalityName", "DependentLocalityName", "ThoroughfareName",
              "ThoroughfareNumber", "PostalCodeNumber")


def _match(prefixes: tuple[str, ...], names: tuple[str, ...]) -> str:
    return " | ".join(f"{p}:{n}" for p in prefixes for n in names)


_B = ("b1", "b2")
_TEXT = "node()[1][self::text()]"  # lxml's .text
_LR = "gml:exterior/gml:LinearRing"
#: the exterior posLists {p} of n polygons: n when each is one text in a 3D ring (a posList of
#: several text nodes or a 2D ring adds 10^6); with the element count of the geometry this
#: says that each polygon is exterior/LinearRing/posList and nothing else
_CHECK = ("count({p}) + 1000000 * (count({p}[text()[2]]) + count({p}[@srsDimension != '3'])"
          " + count({p}/parent::*[@srsDimension != '3']))")

#: templates dispatch on element names (libxslt looks them up by name); each mode's
#: catch-all either ignores an element (as the element reader does) or emits X
STYLESHEET = f"""<xsl:stylesheet version="1.0" xmlns:xsl="http://www.w3.org/1999/XSL/Transform"
 {' '.join(f'xmlns:{k}="{v}"' for k, v in NS.items())}>
<xsl:output method="text" encoding="UTF-8"/>
<xsl:param name="n" select="0"/>
<xsl:template match="/">
 <xsl:for-each select="(//b1:Building | //b2:Building)[position() &lt;= $n]">
  <xsl:text>B|</xsl:text>
  <xsl:if test="contains(string(.), '|')">X|</xsl:if>
  <xsl:call-template name="obj"/>
 </xsl:for-each>
</xsl:template>
<xsl:template name="obj">
 <xsl:text>O|</xsl:text><xsl:value-of select="@gml:id"/><xsl:text>|</xsl:text>
 <xsl:if test="not(@gml:id)">X|</xsl:if>
 <xsl:apply-templates select="*" mode="child"/>
 <xsl:variable name="props" select="(b1:boundedBy | b2:boundedBy)/*/*"/>
 <xsl:variable name="pl"
  select="$props/gml:MultiSurface/gml:surfaceMember/gml:Polygon/{_LR}/gml:posList"/>
 <xsl:text>T|</xsl:text><xsl:value-of select="count($props//*) - count($props/gml:MultiSurface)
  + 1000 * count($props/@xlink:href)"/>|<xsl:value-of
  select="{_CHECK.format(p='$pl')}"/>|<xsl:for-each
  select="(b1:boundedBy | b2:boundedBy)/*">S|<xsl:value-of
  select="local-name()"/>|<xsl:for-each
  select="*">L|<xsl:value-of select="local-name()"/>|<xsl:for-each
  select="gml:MultiSurface/gml:surfaceMember/gml:Polygon">Y|<xsl:value-of
  select="@gml:id"/>|</xsl:for-each></xsl:for-each></xsl:for-each>
 <xsl:text>Q|</xsl:text><xsl:for-each select="$pl"><xsl:value-of select="."/>|</xsl:for-each>
 <xsl:for-each select="{_match(_B, PROPS)}">
  <xsl:variable name="m" select="gml:Solid/gml:exterior/gml:CompositeSurface/gml:surfaceMember
   | gml:MultiSurface/gml:surfaceMember"/>
  <xsl:variable name="mpl" select="$m/gml:Polygon/{_LR}/gml:posList"/>P|<xsl:value-of
   select="local-name()"/>|<xsl:value-of select="count(.//*)"/>|<xsl:value-of
   select="count($m/@xlink:href)"/>|<xsl:value-of
   select="str:concat($m/@xlink:href)"/>|<xsl:value-of
   select="{_CHECK.format(p='$mpl')}"/>|<xsl:for-each select="$m/gml:Polygon">Y|<xsl:value-of
   select="@gml:id"/>|</xsl:for-each>Q|<xsl:for-each select="$mpl"><xsl:value-of
   select="."/>|</xsl:for-each></xsl:for-each>
 <xsl:text>Z|</xsl:text>
</xsl:template>
<xsl:template match="*" mode="child"/>
<xsl:template match="{_match(_B, SIMPLE)}" mode="child">A|<xsl:value-of
 select="local-name()"/>|<xsl:value-of select="{_TEXT}"/>|<xsl:value-of
 select="@codeSpace"/>|</xsl:template>
<xsl:template match="gml:name" mode="child">N|<xsl:value-of select="{_TEXT}"/>|</xsl:template>
<xsl:template match="{_match(('g1', 'g2'), GENERIC)}" mode="child"><xsl:apply-templates
 select="." mode="gen"/></xsl:template>
<xsl:template match="*[local-name() = 'genericAttributeSet']" mode="gen"><xsl:apply-templates
 select="*" mode="gen"/></xsl:template>
<xsl:template match="*" mode="gen">G|<xsl:value-of select="local-name()"/>|<xsl:value-of
 select="@name"/>|<xsl:apply-templates select="*[local-name() = 'value'][1]"
 mode="value"/>|</xsl:template>
<xsl:template match="*" mode="value"><xsl:choose><xsl:when test="{_TEXT}">v<xsl:value-of
 select="{_TEXT}"/></xsl:when><xsl:otherwise>n</xsl:otherwise></xsl:choose></xsl:template>
<xsl:template match="b1:address | b2:address" mode="child"><xsl:for-each
 select=".//c1:Address | .//c2:Address">D|<xsl:for-each
 select="{' | '.join(f'.//xal:{n}' for n in XAL_FIELDS)}">F|<xsl:value-of
 select="local-name()"/>|<xsl:value-of
 select="{_TEXT}"/>|</xsl:for-each>E|</xsl:for-each></xsl:template>
<xsl:template match="b1:consistsOfBuildingPart | b2:consistsOfBuildingPart"
 mode="child"><xsl:apply-templates select="*" mode="part"/></xsl:template>
<xsl:template match="*" mode="part"/>
<xsl:template match="*[local-name() = 'BuildingPart']" mode="part"><xsl:call-template
 name="obj"/></xsl:template>
</xsl:stylesheet>
"""

_TRANSFORM: etree.XSLT | None = None


def tokens(root: etree._Element, count: int) -> list[str]:
    """The token list of the first ``count`` bldg:Buildings under ``root`` (document order;
    the parser may have read further)."""
    global _TRANSFORM
    if _TRANSFORM is None:
        _TRANSFORM = etree.XSLT(etree.fromstring(STYLESHEET.encode()))
    return str(_TRANSFORM(root, n=str(count))).split("|")
