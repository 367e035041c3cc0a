"""Write a realistic NAS delivery (AX_Bestandsdatenauszug) in Hannover coordinates.

Parcels in street blocks with rounded corners (``gml:Arc``), enclaves (interior rings, some as
``gml:Circle``), ``gml:Polygon`` and ``gml:MultiSurface`` forms, addresses with street keys and
a street catalogue, buildings with ALKIS function codes. The file is written as it is generated,
so a Hannover-scale delivery (150,000 parcels, 60,000 buildings) needs little memory::

    python -m pipelines.cadastral.sample OUT.xml --parcels 150000 --buildings 60000
"""

from __future__ import annotations

import argparse
import itertools
import math
import random
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

NS = {"6.0": "http://www.adv-online.de/namespaces/adv/gid/6.0",
      "7.1": "http://www.adv-online.de/namespaces/adv/gid/7.1"}
SRS = "urn:adv:crs:ETRS89_UTM32"
ORIGIN = (546_000.0, 5_798_000.0)  # south-west of the generated area, Hannover-Linden
PER_BLOCK = 20  # 2 rows x 10 parcels
BLOCKS_PER_ROW = 40
STREET_WIDTH = 16.0
CORNER_RADIUS = 6.0
STREET_NAMES = [
    "Lindener Marktplatz", "Limmerstraße", "Davenstedter Straße", "Fössestraße",
    "Deisterstraße", "Allerweg", "Ihmeplatz", "Wunstorfer Straße", "Stephanusstraße",
    "Kötnerholzweg", "Nieschlagstraße", "Ottenstraße", "Pfarrlandstraße", "Elisenstraße",
    "Gartenallee", "Am Lindener Berge", "Bethlehemstraße", "Weckenstraße", "Haspelmathstraße",
    "Fannystraße", "Viktoriastraße", "Kochstraße", "Charlottenstraße", "Badenstedter Straße",
]
FUNCTIONS = [(1000, 30), (1010, 8), (2463, 15), (1123, 6), (1122, 3), (2020, 4), (2000, 3),
             (2143, 3), (1313, 4), (3065, 1), (3021, 1), (3041, 1), (2050, 2), (2071, 1),
             (3211, 1), (2081, 1), (9998, 1)]
GML_NS = "http://www.opengis.net/gml/3.2"

Point = tuple[float, float]


@dataclass
class Parcel:
    """A generated parcel: key parts, rings and address."""

    gml_id: str
    flur: int
    zaehler: int
    nenner: int | None
    exterior: list[tuple[str, list[Point]]]
    holes: list[list[tuple[str, list[Point]]]]
    area: float
    form: str  # surface | polygon | multisurface
    address: str | None
    address_plain: bool


def _f(p: Point) -> str:
    return f"{p[0]:.3f} {p[1]:.3f}"


def _ring_area(segs: list[tuple[str, list[Point]]]) -> float:
    """Area of a ring given as segments (linear parts exactly, arcs analytically)."""
    if segs[0][0] == "circle":
        p1, p2, p3 = segs[0][1]
        return math.pi * _circumradius(p1, p2, p3) ** 2
    pts: list[Point] = []
    extra = 0.0
    for kind, seg in segs:
        pts.extend(seg if not pts else seg[1:])
        if kind == "arc":
            p1, p2, p3 = seg
            r = _circumradius(p1, p2, p3)
            chord = math.dist(p1, p3)
            theta = 2 * math.asin(min(1.0, chord / (2 * r)))
            extra += r * r * (theta - math.sin(theta)) / 2  # circular segment, bulges outward
    shoelace = sum(a[0] * b[1] - b[0] * a[1] for a, b in itertools.pairwise(pts)) / 2
    return abs(shoelace) + extra


def _circumradius(p1: Point, p2: Point, p3: Point) -> float:
    a, b, c = math.dist(p2, p3), math.dist(p1, p3), math.dist(p1, p2)
    s = abs((p2[0] - p1[0]) * (p3[1] - p1[1]) - (p3[0] - p1[0]) * (p2[1] - p1[1]))
    return a * b * c / (2 * s)


def _rect(x0: float, y0: float, x1: float, y1: float) -> list[Point]:
    return [(x0, y0), (x1, y0), (x1, y1), (x0, y1), (x0, y0)]


def _rounded(corners: list[Point], k: int, r: float) -> list[tuple[str, list[Point]]]:
    """A rectangle (CCW corners) with corner ``k`` rounded by a quarter arc of radius r."""
    c = corners[k]
    prev, nxt = corners[k - 1], corners[(k + 1) % 4]

    def unit(p: Point) -> Point:
        d = math.dist(p, c)
        return ((p[0] - c[0]) / d, (p[1] - c[1]) / d)

    up, un = unit(prev), unit(nxt)
    start = (c[0] + r * up[0], c[1] + r * up[1])
    end = (c[0] + r * un[0], c[1] + r * un[1])
    center = (c[0] + r * (up[0] + un[0]), c[1] + r * (up[1] + un[1]))
    h = r / math.sqrt(2)
    mid = (center[0] - h * (up[0] + un[0]), center[1] - h * (up[1] + un[1]))
    line = [end, corners[(k + 1) % 4], corners[(k + 2) % 4], corners[(k + 3) % 4], start]
    return [("line", line), ("arc", [start, mid, end])]


def _circle(cx: float, cy: float, r: float, ccw: bool = True) -> list[tuple[str, list[Point]]]:
    a = [0.0, 2 * math.pi / 3, 4 * math.pi / 3] if ccw else [0.0, -2 * math.pi / 3,
                                                              -4 * math.pi / 3]
    return [("circle", [(cx + r * math.cos(t), cy + r * math.sin(t)) for t in a])]


def _curve_xml(segs: list[tuple[str, list[Point]]], split: bool) -> str:
    parts = []
    for kind, pts in segs:
        name = {"line": "LineStringSegment", "arc": "Arc", "circle": "Circle"}[kind]
        attr = ' interpolation="circularArc3Points"' if kind != "line" else ""
        parts.append(f'<gml:{name}{attr}><gml:posList>{" ".join(_f(p) for p in pts)}'
                     f"</gml:posList></gml:{name}>")
    if split:
        return "".join(f"<gml:curveMember><gml:Curve><gml:segments>{p}</gml:segments>"
                       f"</gml:Curve></gml:curveMember>" for p in parts)
    return (f"<gml:curveMember><gml:Curve><gml:segments>{''.join(parts)}</gml:segments>"
            "</gml:Curve></gml:curveMember>")


def _ring_xml(segs: list[tuple[str, list[Point]]], linear: bool, split: bool) -> str:
    if linear:
        return (f"<gml:LinearRing><gml:posList>{' '.join(_f(p) for p in segs[0][1])}"
                "</gml:posList></gml:LinearRing>")
    return f"<gml:Ring>{_curve_xml(segs, split)}</gml:Ring>"


def surface_xml(gid: str, exterior: list[tuple[str, list[Point]]],
                holes: list[list[tuple[str, list[Point]]]], form: str, srs: str = SRS) -> str:
    """The ``position`` content of a feature."""
    linear = form == "polygon"
    split = form == "split"
    rings = f"<gml:exterior>{_ring_xml(exterior, linear, split)}</gml:exterior>" + "".join(
        f"<gml:interior>{_ring_xml(h, linear, split)}</gml:interior>" for h in holes)
    if form == "polygon":
        return f'<gml:Polygon gml:id="{gid}_0" srsName="{srs}">{rings}</gml:Polygon>'
    surface = (f'<gml:Surface gml:id="{gid}_0"{{srs}}><gml:patches><gml:PolygonPatch>{rings}'
               "</gml:PolygonPatch></gml:patches></gml:Surface>")
    if form == "multisurface":
        return (f'<gml:MultiSurface gml:id="{gid}_m" srsName="{srs}"><gml:surfaceMember>'
                f"{surface.format(srs='')}</gml:surfaceMember></gml:MultiSurface>")
    return surface.format(srs=f' srsName="{srs}"')


class Writer:
    """Generates and writes the delivery feature by feature."""

    def __init__(self, out: TextIO, parcels: int, buildings: int, gid: str, seed: int,
                 deviations: bool) -> None:
        self.out = out
        self.n_parcels = parcels
        self.n_buildings = buildings
        self.gid = gid
        self.rng = random.Random(seed)  # noqa: S311 - sample data, not security
        self.deviations = deviations
        self.counter = 0
        self.streets: dict[str, str] = {}
        self.written_parcels = 0
        self.written_buildings = 0

    def new_id(self, kind: int) -> str:
        self.counter += 1
        return f"DENIAL{kind:02d}{self.counter:08X}"

    def member(self, xml: str) -> None:
        wrap = "gml:featureMember" if self.gid == "6.0" else "wfs:member"
        self.out.write(f"<{wrap}>{xml}</{wrap}>\n")

    def life(self) -> str:
        year = self.rng.randint(2008, 2025)
        return (f"<lebenszeitintervall><AA_Lebenszeitintervall><beginnt>{year}-"
                f"{self.rng.randint(1, 12):02d}-{self.rng.randint(1, 28):02d}T"
                f"{self.rng.randint(6, 18):02d}:{self.rng.randint(0, 59):02d}:00Z</beginnt>"
                "</AA_Lebenszeitintervall></lebenszeitintervall>"
                "<modellart><AA_Modellart><advStandardModell>DLKM</advStandardModell>"
                "</AA_Modellart></modellart>")

    def street_key(self, index: int) -> tuple[str, str]:
        lage = f"{(index * 7 + 101) % 100000:05d}"
        if lage not in self.streets:
            base = STREET_NAMES[index % len(STREET_NAMES)]
            name = base if index < len(STREET_NAMES) else f"{base} {index // len(STREET_NAMES)}"
            self.streets[lage] = name
        return lage, self.streets[lage]

    # -- features -------------------------------------------------------------------
    def parcel(self, p: Parcel, gemarkung: str) -> None:
        nenner = f"<nenner>{p.nenner}</nenner>" if p.nenner is not None else ""
        kennzeichen = (f"03{gemarkung}{p.flur:03d}{p.zaehler:05d}"
                       + (f"{p.nenner:04d}" if p.nenner is not None else "____") + "__")
        area = round(p.area)
        if self.deviations and self.written_parcels % 97 == 41:
            area = round(p.area * 1.05)  # a recorded area that no longer fits the boundary
        link = ""
        if p.address:
            href = p.address if p.address_plain else f"urn:adv:oid:{p.address}"
            link = f'<weistAuf xlink:href="{href}"/>'
        year = self.rng.randint(1900, 2024)
        self.member(
            f'<AX_Flurstueck gml:id="{p.gml_id}">'
            f'<gml:identifier codeSpace="http://www.adv-online.de/">urn:adv:oid:{p.gml_id}'
            f"</gml:identifier>{self.life()}"
            f"<position>{surface_xml(p.gml_id, p.exterior, p.holes, p.form)}</position>"
            f"<flurstueckskennzeichen>{kennzeichen}</flurstueckskennzeichen>"
            f'<amtlicheFlaeche uom="m2">{area}</amtlicheFlaeche>'
            f"<flurnummer>{p.flur}</flurnummer>"
            f"<flurstuecksnummer><AX_Flurstuecksnummer><zaehler>{p.zaehler}</zaehler>{nenner}"
            "</AX_Flurstuecksnummer></flurstuecksnummer>"
            f"<zeitpunktDerEntstehung>{year}-{self.rng.randint(1, 12):02d}-"
            f"{self.rng.randint(1, 28):02d}</zeitpunktDerEntstehung>"
            "<gemeindezugehoerigkeit><AX_Gemeindekennzeichen><land>03</land>"
            "<regierungsbezirk>2</regierungsbezirk><kreis>41</kreis><gemeinde>001</gemeinde>"
            "</AX_Gemeindekennzeichen></gemeindezugehoerigkeit>"
            f"<gemarkung><AX_Gemarkung_Schluessel><land>03</land>"
            f"<gemarkungsnummer>{gemarkung}</gemarkungsnummer></AX_Gemarkung_Schluessel>"
            f"</gemarkung>{link}</AX_Flurstueck>"
        )
        self.written_parcels += 1

    def building(self, x0: float, y0: float, x1: float, y1: float, address: str | None,
                 arc: bool) -> None:
        gid = self.new_id(2)
        if arc:
            sag = min(1.0, (x1 - x0) / 4)
            ext = [("arc", [(x0, y0), ((x0 + x1) / 2, y0 - sag), (x1, y0)]),
                   ("line", [(x1, y0), (x1, y1), (x0, y1), (x0, y0)])]
        else:
            ext = [("line", _rect(x0, y0, x1, y1))]
        code = self.rng.choices([c for c, _ in FUNCTIONS], [w for _, w in FUNCTIONS])[0]
        floors = "" if code == 2463 else (
            f"<anzahlDerOberirdischenGeschosse>{self.rng.randint(1, 6)}"
            "</anzahlDerOberirdischenGeschosse>")
        link = f'<zeigtAuf xlink:href="urn:adv:oid:{address}"/>' if address and code != 2463 \
            else ""
        self.member(
            f'<AX_Gebaeude gml:id="{gid}">'
            f'<gml:identifier codeSpace="http://www.adv-online.de/">urn:adv:oid:{gid}'
            f"</gml:identifier>{self.life()}"
            f"<position>{surface_xml(gid, ext, [], 'surface' if arc else 'polygon')}"
            f"</position><gebaeudefunktion>{code}</gebaeudefunktion>{floors}{link}"
            "</AX_Gebaeude>"
        )
        self.written_buildings += 1

    def address(self, gid: str, lage: str, number: str) -> None:
        self.member(
            f'<AX_LagebezeichnungMitHausnummer gml:id="{gid}">{self.life()}'
            "<lagebezeichnung><AX_Lagebezeichnung><verschluesselt>"
            "<AX_VerschluesselteLagebezeichnung><land>03</land><regierungsbezirk>2"
            "</regierungsbezirk><kreis>41</kreis><gemeinde>001</gemeinde>"
            f"<lage>{lage}</lage></AX_VerschluesselteLagebezeichnung></verschluesselt>"
            f"</AX_Lagebezeichnung></lagebezeichnung><hausnummer>{number}</hausnummer>"
            "</AX_LagebezeichnungMitHausnummer>"
        )

    def catalogue(self) -> None:
        for lage, name in sorted(self.streets.items()):
            gid = self.new_id(4)
            self.member(
                f'<AX_LagebezeichnungKatalogeintrag gml:id="{gid}">{self.life()}'
                f"<schluesselGesamt>03241001{lage}</schluesselGesamt>"
                f"<bezeichnung>{name}</bezeichnung><schluessel>"
                "<AX_VerschluesselteLagebezeichnung><land>03</land><regierungsbezirk>2"
                "</regierungsbezirk><kreis>41</kreis><gemeinde>001</gemeinde>"
                f"<lage>{lage}</lage></AX_VerschluesselteLagebezeichnung></schluessel>"
                "</AX_LagebezeichnungKatalogeintrag>"
            )

    # -- blocks ---------------------------------------------------------------------
    def blocks(self) -> Iterator[int]:
        block = 0
        while self.written_parcels < self.n_parcels:
            yield block
            block += 1

    def buildings_for(self, index: int) -> int:
        """Buildings on parcel ``index`` so that they spread evenly over the parcels."""
        target = (index + 1) * self.n_buildings // self.n_parcels
        return max(0, min(3, target - self.written_buildings))

    def write_block(self, block: int) -> None:
        rng = self.rng
        col, row = block % BLOCKS_PER_ROW, block // BLOCKS_PER_ROW
        width, depth = 10 * 22.0, 34.0
        bx = ORIGIN[0] + col * (width + STREET_WIDTH)
        by = ORIGIN[1] + row * (2 * depth + STREET_WIDTH)
        gemarkung = f"{4100 + (row // 4) * 10 + col // 8:04d}"
        flur = 1 + block % 37
        lage_s, _ = self.street_key(row * 2 * (BLOCKS_PER_ROW // 8) + (col // 8) * 2)
        lage_n, _ = self.street_key(row * 2 * (BLOCKS_PER_ROW // 8) + (col // 8) * 2 + 1)
        addresses: list[tuple[str, str, str]] = []
        for i in range(PER_BLOCK):
            if self.written_parcels >= self.n_parcels:
                break
            r, c = divmod(i, 10)
            x0 = bx + c * 22.0
            x1 = x0 + 22.0
            y0, y1 = by + r * depth, by + (r + 1) * depth
            gid = self.new_id(1)
            index = self.written_parcels
            corners = [(x0, y0), (x1, y0), (x1, y1), (x0, y1)]
            variant = rng.random()
            holes: list[list[tuple[str, list[Point]]]] = []
            enclave: Parcel | None = None
            form = "surface"
            if c in (0, 9):
                k = {(0, 0): 0, (0, 9): 1, (1, 9): 2, (1, 0): 3}[(r, c)]
                exterior = _rounded(corners, k, CORNER_RADIUS)
                area = 22.0 * depth - CORNER_RADIUS ** 2 * (1 - math.pi / 4)
                form = "split" if variant < 0.5 else "surface"
            else:
                exterior = [("line", _rect(x0, y0, x1, y1))]
                area = 22.0 * depth
                if variant < 0.15:
                    form = "polygon"
                elif variant < 0.22:
                    form = "multisurface"
            building_area = (x0 + 4, y0 + 6 if r == 0 else y0 + 12, x1 - 4,
                             y1 - 12 if r == 0 else y1 - 6)
            if (c in (3, 6) and variant > 0.55 and self.written_parcels + 1 < self.n_parcels):
                # an enclave: a small parcel in the back of this one (a hole in it)
                ey0 = y1 - 9 if r == 0 else y0 + 3
                if variant > 0.8:
                    hole = _circle(x0 + 11, ey0 + 3.5, 3.5, ccw=False)
                    inner = _circle(x0 + 11, ey0 + 3.5, 3.5)
                    hole_area = _ring_area(inner)
                else:
                    ring = _rect(x0 + 8, ey0, x0 + 14, ey0 + 6)
                    hole = [("line", ring[::-1])]
                    inner = [("line", ring)]
                    hole_area = 36.0
                holes.append(hole)
                area -= hole_area
                building_area = (x0 + 4, y0 + 6, x1 - 4, y0 + 16) if r == 0 else \
                    (x0 + 4, y1 - 16, x1 - 4, y1 - 6)
                enclave = Parcel(self.new_id(1), flur, index + 2, None, inner, [], hole_area,
                                 "surface" if inner[0][0] == "circle" else "polygon", None,
                                 False)
            number = str(block % BLOCKS_PER_ROW * 10 + c + 1) + ("a" if variant > 0.93 else "")
            lage = lage_s if r == 0 else lage_n
            address = self.new_id(3)
            addresses.append((address, lage, number))
            nenner = rng.choice([1, 2, 3]) if variant < 0.2 else None
            self.parcel(Parcel(gid, flur, index + 1, nenner, exterior, holes, area, form,
                               address, variant > 0.9), gemarkung)
            count = self.buildings_for(index)
            for j in range(count):
                bx0, by0, bx1, by1 = building_area
                seg = (bx1 - bx0) / count
                self.building(bx0 + j * seg + (0.5 if j else 0), by0, bx0 + (j + 1) * seg,
                              by1, address if j == 0 else None, arc=variant > 0.85 and j == 0)
            if enclave is not None:
                self.parcel(enclave, gemarkung)
        for gid, lage, number in addresses:
            self.address(gid, lage, number)


def write_delivery(path: Path, parcels: int, buildings: int, *, gid: str = "6.0",
                   seed: int = 4, deviations: bool = True) -> dict[str, int]:
    """Write a delivery with exactly ``parcels`` parcels and up to ``buildings`` buildings."""
    ns = NS[gid]
    wfs = "http://www.opengis.net/wfs/2.0" if gid == "7.1" else "http://www.opengis.net/wfs"
    with path.open("w", encoding="utf-8", buffering=1 << 20) as out:
        out.write(
            '<?xml version="1.0" encoding="UTF-8"?>\n'
            f'<AX_Bestandsdatenauszug xmlns="{ns}" xmlns:gml="{GML_NS}" '
            'xmlns:xlink="http://www.w3.org/1999/xlink" '
            'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
            f'xmlns:wfs="{wfs}" '
            f'xsi:schemaLocation="{ns} NAS-Operationen.xsd">\n'
            "<allgemeineAngaben><AX_K_Benutzungsergebnis><empfaenger><AA_Empfaenger>"
            "<direkt>true</direkt></AA_Empfaenger></empfaenger></AX_K_Benutzungsergebnis>"
            "</allgemeineAngaben>\n"
            "<koordinatenangaben><AA_Koordinatenreferenzsystemangaben>"
            f'<crs xlink:href="{SRS}"/><anzahlDerNachkommastellen>3'
            "</anzahlDerNachkommastellen><standard>true</standard>"
            "</AA_Koordinatenreferenzsystemangaben></koordinatenangaben>\n"
            "<enthaelt><wfs:FeatureCollection>\n"
        )
        writer = Writer(out, parcels, buildings, gid, seed, deviations)
        for block in writer.blocks():
            writer.write_block(block)
        writer.catalogue()
        out.write("</wfs:FeatureCollection></enthaelt>\n</AX_Bestandsdatenauszug>\n")
    return {"parcels": writer.written_parcels, "buildings": writer.written_buildings,
            "streets": len(writer.streets)}


def main(argv: list[str] | None = None) -> None:
    """Command line: ``python -m pipelines.cadastral.sample OUT.xml --parcels N --buildings M``."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("output", type=Path)
    parser.add_argument("--parcels", type=int, default=300)
    parser.add_argument("--buildings", type=int, default=150)
    parser.add_argument("--gid", choices=sorted(NS), default="6.0")
    parser.add_argument("--seed", type=int, default=4)
    args = parser.parse_args(argv)
    counts = write_delivery(args.output, args.parcels, args.buildings, gid=args.gid,
                            seed=args.seed)
    print(f"wrote {args.output}: {counts['parcels']} parcels, {counts['buildings']} buildings, "
          f"{counts['streets']} streets")


if __name__ == "__main__":
    main()
