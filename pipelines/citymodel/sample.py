"""Generate LGLN-like CityGML 2.0 LoD2 tiles for Hannover (bundled sample and benchmark).

Buildings with flat, gabled and hipped roofs, some with a garage as ``BuildingPart``, xAL
addresses and generic attributes; geometry as ``lod2Solid`` referencing the semantic surfaces by
``xlink:href`` (as LGLN delivers it), CRS ``urn:adv:crs:ETRS89_UTM32*DE_DHHN2016_NH``. Each
building's ground surface lies at the terrain height of its footprint centre
(:func:`pipelines.samples.terrain.ground_height`, which the ``dgm1`` sample samples). Files are
named after their 1x1 km tile (``LoD2_32_<E>_<N>_1_ni.gml``) and written streaming, so the
generator scales to the 131,000 buildings of the city.

``python -m pipelines.citymodel.sample OUT_DIR [--buildings N] [--single FILE] [--lod 1]``
"""

from __future__ import annotations

import argparse
import math
import random
from collections.abc import Iterator
from pathlib import Path
from typing import TextIO

from pipelines.citymodel.tiles import tile_name
from pipelines.samples.terrain import ground_height

CRS_NAME = "urn:adv:crs:ETRS89_UTM32*DE_DHHN2016_NH"
ORIGIN_KM = (548, 5800)  # south-west corner of the generated tiles (Hannover Mitte)
SPACING = 40.0  # metres between building lots
STREETS = ("Lister Meile", "Podbielskistraße", "Limmerstraße", "Hildesheimer Straße",
           "Sallstraße", "Engelbosteler Damm", "Bödekerstraße", "Wunstorfer Straße",
           "Göttinger Chaussee", "Vahrenwalder Straße", "Celler Straße", "Marienstraße")
POSTCODES = ("30159", "30161", "30163", "30165", "30167", "30169", "30171", "30173")
ROOFS = ("1000", "3100", "3200")  # Flachdach, Satteldach, Walmdach (AdV)

HEADER = """<?xml version="1.0" encoding="UTF-8"?>
<core:CityModel xmlns:core="http://www.opengis.net/citygml/2.0"
 xmlns:bldg="http://www.opengis.net/citygml/building/2.0"
 xmlns:gen="http://www.opengis.net/citygml/generics/2.0"
 xmlns:gml="http://www.opengis.net/gml" xmlns:xlink="http://www.w3.org/1999/xlink"
 xmlns:xAL="urn:oasis:names:tc:ciq:xsdschema:xAL:2.0">
<gml:boundedBy><gml:Envelope srsName="{crs}" srsDimension="3">
<gml:lowerCorner>{x0} {y0} 40</gml:lowerCorner><gml:upperCorner>{x1} {y1} 120</gml:upperCorner>
</gml:Envelope></gml:boundedBy>
"""
FOOTER = "</core:CityModel>\n"

Point = tuple[float, float, float]


def _pos(ring: list[Point]) -> str:
    pts = [*ring, ring[0]]
    return " ".join(f"{x:.3f} {y:.3f} {z:.3f}" for x, y, z in pts)


def _surface(kind: str, pid: str, ring: list[Point]) -> str:
    return (f'<bldg:boundedBy><bldg:{kind} gml:id="{pid}_s"><bldg:lod2MultiSurface>'
            f'<gml:MultiSurface><gml:surfaceMember><gml:Polygon gml:id="{pid}">'
            f"<gml:exterior><gml:LinearRing><gml:posList>{_pos(ring)}</gml:posList>"
            "</gml:LinearRing></gml:exterior></gml:Polygon></gml:surfaceMember>"
            f"</gml:MultiSurface></bldg:lod2MultiSurface></bldg:{kind}></bldg:boundedBy>\n")


def box_surfaces(x: float, y: float, w: float, d: float, z0: float, eave: float,
                 ridge: float, roof: str) -> list[tuple[str, list[Point]]]:
    """Semantic surfaces of a w x d building at (x, y) with outward-facing rings."""
    z1, z2 = z0 + eave, z0 + ridge
    a, b, c, e = (x, y), (x + w, y), (x + w, y + d), (x, y + d)
    out: list[tuple[str, list[Point]]] = [
        ("GroundSurface", [(*a, z0), (*e, z0), (*c, z0), (*b, z0)]),
    ]
    if roof == "1000":
        out += [("WallSurface", [(*p, z0), (*q, z0), (*q, z1), (*p, z1)])
                for p, q in ((a, b), (b, c), (c, e), (e, a))]
        out.append(("RoofSurface", [(*a, z1), (*b, z1), (*c, z1), (*e, z1)]))
        return out
    ym = y + d / 2
    out += [("WallSurface", [(*a, z0), (*b, z0), (*b, z1), (*a, z1)]),
            ("WallSurface", [(*c, z0), (*e, z0), (*e, z1), (*c, z1)])]
    if roof == "3100":  # gabled: ridge along x, gable walls east and west
        out += [("WallSurface", [(*b, z0), (*c, z0), (*c, z1), (x + w, ym, z2), (*b, z1)]),
                ("WallSurface", [(*e, z0), (*a, z0), (*a, z1), (x, ym, z2), (*e, z1)]),
                ("RoofSurface", [(*a, z1), (*b, z1), (x + w, ym, z2), (x, ym, z2)]),
                ("RoofSurface", [(*c, z1), (*e, z1), (x, ym, z2), (x + w, ym, z2)])]
        return out
    inset = min(d / 2, w / 3)  # hipped: ridge shorter than the building
    r1, r2 = (x + inset, ym, z2), (x + w - inset, ym, z2)
    out += [("WallSurface", [(*b, z0), (*c, z0), (*c, z1), (*b, z1)]),
            ("WallSurface", [(*e, z0), (*a, z0), (*a, z1), (*e, z1)]),
            ("RoofSurface", [(*a, z1), (*b, z1), r2, r1]),
            ("RoofSurface", [(*c, z1), (*e, z1), r1, r2]),
            ("RoofSurface", [(*b, z1), (*c, z1), r2]),
            ("RoofSurface", [(*e, z1), (*a, z1), r1])]
    return out


def _solid(surfaces: list[tuple[str, list[Point]]], prefix: str) -> tuple[str, str]:
    members = "".join(f'<gml:surfaceMember xlink:href="#{prefix}_{i}"/>'
                      for i in range(len(surfaces)))
    solid = (f"<bldg:lod2Solid><gml:Solid><gml:exterior><gml:CompositeSurface>{members}"
             "</gml:CompositeSurface></gml:exterior></gml:Solid></bldg:lod2Solid>\n")
    bounded = "".join(_surface(kind, f"{prefix}_{i}", ring)
                      for i, (kind, ring) in enumerate(surfaces))
    return solid, bounded


def _lod1_solid(x: float, y: float, w: float, d: float, z0: float, height: float) -> str:
    members = "".join(
        f"<gml:surfaceMember><gml:Polygon><gml:exterior><gml:LinearRing><gml:posList>"
        f"{_pos(ring)}</gml:posList></gml:LinearRing></gml:exterior></gml:Polygon>"
        "</gml:surfaceMember>"
        for _kind, ring in box_surfaces(x, y, w, d, z0, height, height, "1000"))
    return (f"<bldg:lod1Solid><gml:Solid><gml:exterior><gml:CompositeSurface>{members}"
            "</gml:CompositeSurface></gml:exterior></gml:Solid></bldg:lod1Solid>\n")


def building_xml(rng: random.Random, bid: str, x: float, y: float, number: int,
                 lod: int = 2) -> str:
    """One bldg:Building (optionally with a garage BuildingPart) as CityGML 2.0 text.

    LoD2: roof shapes and semantic surfaces; LoD1: a block of the mean roof height.
    """
    roof = ROOFS[rng.randrange(3)]
    w, d = rng.uniform(10, 22), rng.uniform(8, 13)
    rng.uniform(50, 60)  # the former random ground height: drawn so the rest stays as it was
    z0 = round(ground_height(x + w / 2, y + d / 2), 2)  # on the terrain of the dgm1 sample
    storeys = rng.randint(1, 5)
    eave = storeys * 3.0
    ridge = eave if roof == "1000" else eave + round(rng.uniform(3, 6), 2)
    if lod == 1:
        height = round((eave + ridge) / 2, 2)
        solid, bounded = _lod1_solid(x, y, w, d, z0, height), ""
        ridge, roof = height, ""
    else:
        solid, bounded = _solid(box_surfaces(x, y, w, d, z0, eave, ridge, roof), bid)
    year = rng.randint(1890, 2020)
    street = STREETS[rng.randrange(len(STREETS))]
    parts = ""
    if rng.random() < 0.15 and lod == 2:  # garage next to the house as a BuildingPart
        gsolid, gbounded = _solid(box_surfaces(x + w, y, 6.0, 6.0, z0, 2.8, 2.8, "1000"),
                                  f"{bid}_g")
        parts = (f'<bldg:consistsOfBuildingPart><bldg:BuildingPart gml:id="{bid}_g">'
                 "<bldg:function>31001_2463</bldg:function><bldg:roofType>1000</bldg:roofType>"
                 '<bldg:measuredHeight uom="urn:adv:uom:m">2.8</bldg:measuredHeight>\n'
                 f"{gsolid}{gbounded}</bldg:BuildingPart></bldg:consistsOfBuildingPart>\n")
    return (
        f'<core:cityObjectMember><bldg:Building gml:id="{bid}">\n'
        '<gen:stringAttribute name="DatenquelleDachhoehe"><gen:value>1000</gen:value>'
        "</gen:stringAttribute>\n"
        f'<gen:doubleAttribute name="Grundflaeche"><gen:value>{w * d:.2f}</gen:value>'
        "</gen:doubleAttribute>\n"
        "<bldg:function>31001_1000</bldg:function>"
        f"<bldg:yearOfConstruction>{year}</bldg:yearOfConstruction>"
        f"{f'<bldg:roofType>{roof}</bldg:roofType>' if roof else ''}"
        f'<bldg:measuredHeight uom="urn:adv:uom:m">{ridge:.2f}</bldg:measuredHeight>'
        f"<bldg:storeysAboveGround>{storeys}</bldg:storeysAboveGround>\n"
        f"{solid}{bounded}{parts}"
        "<bldg:address><core:Address><core:xalAddress><xAL:AddressDetails><xAL:Country>"
        "<xAL:CountryName>Deutschland</xAL:CountryName><xAL:Locality Type=\"Town\">"
        "<xAL:LocalityName>Hannover</xAL:LocalityName><xAL:Thoroughfare Type=\"Street\">"
        f"<xAL:ThoroughfareNumber>{number}</xAL:ThoroughfareNumber>"
        f"<xAL:ThoroughfareName>{street}</xAL:ThoroughfareName></xAL:Thoroughfare>"
        f"<xAL:PostalCode><xAL:PostalCodeNumber>{POSTCODES[rng.randrange(len(POSTCODES))]}"
        "</xAL:PostalCodeNumber></xAL:PostalCode></xAL:Locality></xAL:Country>"
        "</xAL:AddressDetails></core:xalAddress></core:Address></bldg:address>\n"
        "</bldg:Building></core:cityObjectMember>\n"
    )


def tile_lots(e_km: int, n_km: int, count: int) -> Iterator[tuple[float, float]]:
    """``count`` lot corners inside the tile (row by row, 40 m apart, 5 m from the edge)."""
    per_row = int((1000 - 40) // SPACING)
    for i in range(count):
        row, col = divmod(i, per_row)
        yield e_km * 1000 + 5 + col * SPACING, n_km * 1000 + 5 + row * SPACING


def tiles_for(buildings: int, per_tile: int) -> list[tuple[int, int, int]]:
    """(E km, N km, count) of the tiles, filled to ``per_tile`` buildings, square-ish grid."""
    ntiles = max(1, math.ceil(buildings / per_tile))
    side = math.ceil(math.sqrt(ntiles))
    out = []
    left = buildings
    for k in range(ntiles):
        count = min(per_tile, left)
        left -= count
        out.append((ORIGIN_KM[0] + k % side, ORIGIN_KM[1] + k // side, count))
    return out


def _write_tile(fh: TextIO, rng: random.Random, e_km: int, n_km: int, count: int,
                start: int, lod: int) -> None:
    for i, (x, y) in enumerate(tile_lots(e_km, n_km, count)):
        fh.write(building_xml(rng, f"DENI{start + i:011d}", x, y, 1 + (i % 150), lod))


def generate(out_dir: Path, buildings: int = 240, per_tile: int = 60, seed: int = 5,
             single: Path | None = None, lod: int = 2) -> list[Path]:
    """Write the tiles (or one file ``single``); returns the written files."""
    rng = random.Random(seed)  # noqa: S311 - reproducible sample data, not security
    tiles = tiles_for(buildings, per_tile)
    out_dir.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    start = 0
    if single is not None:
        x0, y0 = min(t[0] for t in tiles) * 1000, min(t[1] for t in tiles) * 1000
        x1, y1 = (max(t[0] for t in tiles) + 1) * 1000, (max(t[1] for t in tiles) + 1) * 1000
        with single.open("w", encoding="utf-8") as fh:
            fh.write(HEADER.format(crs=CRS_NAME, x0=x0, y0=y0, x1=x1, y1=y1))
            for e_km, n_km, count in tiles:
                _write_tile(fh, rng, e_km, n_km, count, start, lod)
                start += count
            fh.write(FOOTER)
        return [single]
    for e_km, n_km, count in tiles:
        path = out_dir / f"{tile_name(e_km * 1000, n_km * 1000, lod=lod)}.gml"
        with path.open("w", encoding="utf-8") as fh:
            fh.write(HEADER.format(crs=CRS_NAME, x0=e_km * 1000, y0=n_km * 1000,
                                   x1=(e_km + 1) * 1000, y1=(n_km + 1) * 1000))
            _write_tile(fh, rng, e_km, n_km, count, start, lod)
            fh.write(FOOTER)
        start += count
        written.append(path)
    return written


def main(argv: list[str] | None = None) -> None:
    """Command line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out_dir", type=Path)
    parser.add_argument("--buildings", type=int, default=240)
    parser.add_argument("--per-tile", type=int, default=60)
    parser.add_argument("--single", type=Path, default=None)
    parser.add_argument("--lod", type=int, choices=(1, 2), default=2)
    args = parser.parse_args(argv)
    for path in generate(args.out_dir, args.buildings, args.per_tile, single=args.single,
                         lod=args.lod):
        print(path)


if __name__ == "__main__":
    main()
