"""Small hand-written CityGML documents for the citymodel tests (canonical geometries)."""

from __future__ import annotations

from pathlib import Path

# A CityGML 1.0 LoD1 block (10 x 20 m, 9 m high) with gml:pos rings, generic attributes,
# an xAL address and a LoD1 BuildingPart; CRS spelled as plain EPSG:25832.
CITYGML_1_0 = """<?xml version="1.0" encoding="UTF-8"?>
<CityModel xmlns="http://www.opengis.net/citygml/1.0"
 xmlns:bldg="http://www.opengis.net/citygml/building/1.0"
 xmlns:gen="http://www.opengis.net/citygml/generics/1.0"
 xmlns:gml="http://www.opengis.net/gml" xmlns:xlink="http://www.w3.org/1999/xlink"
 xmlns:xAL="urn:oasis:names:tc:ciq:xsdschema:xAL:2.0">
 <cityObjectMember>
  <bldg:Building gml:id="B1">
   <gen:intAttribute name="anzahl"><gen:value>7</gen:value></gen:intAttribute>
   <gen:measureAttribute name="dachneigung"><gen:value uom="deg">0</gen:value>
   </gen:measureAttribute>
   <bldg:function>31001_2020</bldg:function>
   <bldg:roofType>1000</bldg:roofType>
   <bldg:storeysAboveGround>3</bldg:storeysAboveGround>
   <bldg:yearOfConstruction>1975</bldg:yearOfConstruction>
   <bldg:lod1Solid><gml:Solid srsName="EPSG:25832"><gml:exterior><gml:CompositeSurface>
{faces}
   </gml:CompositeSurface></gml:exterior></gml:Solid></bldg:lod1Solid>
   <bldg:consistsOfBuildingPart><bldg:BuildingPart gml:id="B1_p">
    <bldg:measuredHeight uom="m">3</bldg:measuredHeight>
    <bldg:lod1MultiSurface><gml:MultiSurface><gml:surfaceMember><gml:Polygon>
     <gml:exterior><gml:LinearRing><gml:posList srsDimension="3">
      550010 5800000 50 550015 5800000 50 550015 5800005 50 550010 5800005 50
      550010 5800000 50</gml:posList></gml:LinearRing></gml:exterior>
    </gml:Polygon></gml:surfaceMember></gml:MultiSurface></bldg:lod1MultiSurface>
   </bldg:BuildingPart></bldg:consistsOfBuildingPart>
   <bldg:address><Address><xalAddress><xAL:AddressDetails><xAL:Country><xAL:Locality>
    <xAL:LocalityName>Hannover</xAL:LocalityName><xAL:Thoroughfare>
    <xAL:ThoroughfareNumber>2</xAL:ThoroughfareNumber>
    <xAL:ThoroughfareName>Trammplatz</xAL:ThoroughfareName></xAL:Thoroughfare>
   </xAL:Locality></xAL:Country></xAL:AddressDetails></xalAddress></Address></bldg:address>
  </bldg:Building>
 </cityObjectMember>
</CityModel>
"""


def _box_faces(x: float, y: float, w: float, d: float, z0: float, z1: float) -> str:
    corners = [(x, y), (x + w, y), (x + w, y + d), (x, y + d)]
    faces = [[(cx, cy, z0) for cx, cy in reversed(corners)],
             [(cx, cy, z1) for cx, cy in corners]]
    for i in range(4):
        (ax, ay), (bx, by) = corners[i], corners[(i + 1) % 4]
        faces.append([(ax, ay, z0), (bx, by, z0), (bx, by, z1), (ax, ay, z1)])
    out = []
    for face in faces:
        pos = "".join(f"<gml:pos>{px} {py} {pz}</gml:pos>" for px, py, pz in [*face, face[0]])
        out.append("<gml:surfaceMember><gml:Polygon><gml:exterior><gml:LinearRing>"
                   f"{pos}</gml:LinearRing></gml:exterior></gml:Polygon></gml:surfaceMember>")
    return "\n".join(out)


def write_citygml_1_0(path: Path) -> Path:
    """The LoD1 document: block 550000/5800000, 10 x 20 m, z 50..59."""
    path.write_text(CITYGML_1_0.replace("{faces}", _box_faces(550000, 5800000, 10, 20, 50, 59)),
                    encoding="utf-8")
    return path


# Two buildings; the second one's solid references a polygon of the first (xlink:href to a
# polygon elsewhere in the file) and the CRS is the versioned compound URN.
CROSS_REFERENCE = """<?xml version="1.0" encoding="UTF-8"?>
<core:CityModel xmlns:core="http://www.opengis.net/citygml/2.0"
 xmlns:bldg="http://www.opengis.net/citygml/building/2.0"
 xmlns:gml="http://www.opengis.net/gml" xmlns:xlink="http://www.w3.org/1999/xlink">
 <gml:boundedBy><gml:Envelope srsName="urn:ogc:def:crs,crs:EPSG:6.12:25832,crs:EPSG:6.12:5783">
  <gml:lowerCorner>0 0 0</gml:lowerCorner><gml:upperCorner>1 1 1</gml:upperCorner>
 </gml:Envelope></gml:boundedBy>
 <core:cityObjectMember><bldg:Building gml:id="A">
  <bldg:boundedBy><bldg:GroundSurface><bldg:lod2MultiSurface><gml:MultiSurface>
   <gml:surfaceMember><gml:Polygon gml:id="shared">
    <gml:exterior><gml:LinearRing><gml:posList>
     550000 5800000 50 550000 5800010 50 550010 5800010 50 550010 5800000 50 550000 5800000 50
    </gml:posList></gml:LinearRing></gml:exterior>
   </gml:Polygon></gml:surfaceMember>
  </gml:MultiSurface></bldg:lod2MultiSurface></bldg:GroundSurface></bldg:boundedBy>
 </bldg:Building></core:cityObjectMember>
 <core:cityObjectMember><bldg:Building gml:id="B">
  <bldg:lod2MultiSurface><gml:MultiSurface>
   <gml:surfaceMember xlink:href="#shared"/>
   <gml:surfaceMember xlink:href="#{target}"/>
  </gml:MultiSurface></bldg:lod2MultiSurface>
 </bldg:Building></core:cityObjectMember>
</core:CityModel>
"""

ENTITY_BOMB = """<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;">]>
<CityModel xmlns="http://www.opengis.net/citygml/2.0">&lol2;</CityModel>
"""
