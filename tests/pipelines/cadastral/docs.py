"""Small hand-written NAS documents for the cadastral tests."""

from __future__ import annotations

from pathlib import Path

GID6 = "http://www.adv-online.de/namespaces/adv/gid/6.0"
GID7 = "http://www.adv-online.de/namespaces/adv/gid/7.1"
HEAD = ('<?xml version="1.0" encoding="UTF-8"?>\n'
        '<{root} xmlns="{ns}" xmlns:gml="http://www.opengis.net/gml/3.2" '
        'xmlns:xlink="http://www.w3.org/1999/xlink" xmlns:wfs="http://www.opengis.net/wfs/2.0" '
        'xmlns:fes="http://www.opengis.net/fes/2.0">\n')


def surface(rings: str, srs: str = "urn:adv:crs:ETRS89_UTM32") -> str:
    """A gml:Surface with one PolygonPatch."""
    return (f'<gml:Surface gml:id="s" srsName="{srs}"><gml:patches><gml:PolygonPatch>{rings}'
            "</gml:PolygonPatch></gml:patches></gml:Surface>")


def ring(*segments: str) -> str:
    """A gml:Ring with one Curve of the given segments."""
    return (f"<gml:Ring><gml:curveMember><gml:Curve><gml:segments>{''.join(segments)}"
            "</gml:segments></gml:Curve></gml:curveMember></gml:Ring>")


def seg(kind: str, *coords: float) -> str:
    """A curve segment (LineStringSegment, Arc, Circle, ArcString)."""
    return f"<gml:{kind}><gml:posList>{' '.join(map(str, coords))}</gml:posList></gml:{kind}>"


def rect(x0: float, y0: float, x1: float, y1: float) -> str:
    """A LineStringSegment around a rectangle."""
    return seg("LineStringSegment", x0, y0, x1, y0, x1, y1, x0, y1, x0, y0)


def parcel(gml_id: str, geometry: str, *, zaehler: int = 1, nenner: int | None = None,
           area: float | None = None, links: str = "", flur: int = 1,
           kennzeichen: bool = True) -> str:
    """An AX_Flurstueck in Hannover (Gemarkung 4101)."""
    nn = f"<nenner>{nenner}</nenner>" if nenner is not None else ""
    kz = ""
    if kennzeichen:
        kz = (f"<flurstueckskennzeichen>034101{flur:03d}{zaehler:05d}"
              + (f"{nenner:04d}" if nenner else "____") + "__</flurstueckskennzeichen>")
    fl = f'<amtlicheFlaeche uom="m2">{area}</amtlicheFlaeche>' if area is not None else ""
    return (
        f'<AX_Flurstueck gml:id="{gml_id}"><lebenszeitintervall><AA_Lebenszeitintervall>'
        "<beginnt>2020-01-02T03:04:05Z</beginnt></AA_Lebenszeitintervall></lebenszeitintervall>"
        f"<position>{geometry}</position>{kz}{fl}<flurnummer>{flur}</flurnummer>"
        f"<flurstuecksnummer><AX_Flurstuecksnummer><zaehler>{zaehler}</zaehler>{nn}"
        "</AX_Flurstuecksnummer></flurstuecksnummer>"
        "<zeitpunktDerEntstehung>1999-09-09</zeitpunktDerEntstehung>"
        "<gemeindezugehoerigkeit><AX_Gemeindekennzeichen><land>03</land><regierungsbezirk>2"
        "</regierungsbezirk><kreis>41</kreis><gemeinde>001</gemeinde></AX_Gemeindekennzeichen>"
        "</gemeindezugehoerigkeit><gemarkung><AX_Gemarkung_Schluessel><land>03</land>"
        "<gemarkungsnummer>4101</gemarkungsnummer></AX_Gemarkung_Schluessel></gemarkung>"
        f"{links}</AX_Flurstueck>"
    )


def building(gml_id: str, geometry: str, code: int, floors: int | None = None,
             links: str = "") -> str:
    """An AX_Gebaeude."""
    fl = (f"<anzahlDerOberirdischenGeschosse>{floors}</anzahlDerOberirdischenGeschosse>"
          if floors is not None else "")
    return (f'<AX_Gebaeude gml:id="{gml_id}"><lebenszeitintervall><AA_Lebenszeitintervall>'
            "<beginnt>2021-05-06T07:08:09Z</beginnt></AA_Lebenszeitintervall>"
            f"</lebenszeitintervall><position>{geometry}</position>"
            f"<gebaeudefunktion>{code}</gebaeudefunktion>{fl}{links}</AX_Gebaeude>")


def address(gml_id: str, lage: str, number: str) -> str:
    """An AX_LagebezeichnungMitHausnummer with a street key."""
    return (f'<AX_LagebezeichnungMitHausnummer gml:id="{gml_id}"><lagebezeichnung>'
            "<AX_Lagebezeichnung><verschluesselt><AX_VerschluesselteLagebezeichnung>"
            "<land>03</land><regierungsbezirk>2</regierungsbezirk><kreis>41</kreis>"
            f"<gemeinde>001</gemeinde><lage>{lage}</lage></AX_VerschluesselteLagebezeichnung>"
            f"</verschluesselt></AX_Lagebezeichnung></lagebezeichnung>"
            f"<hausnummer>{number}</hausnummer></AX_LagebezeichnungMitHausnummer>")


def address_text(gml_id: str, text: str) -> str:
    """An AX_LagebezeichnungOhneHausnummer with an unencoded name."""
    return (f'<AX_LagebezeichnungOhneHausnummer gml:id="{gml_id}"><lagebezeichnung>'
            f"<AX_Lagebezeichnung><unverschluesselt>{text}</unverschluesselt>"
            "</AX_Lagebezeichnung></lagebezeichnung></AX_LagebezeichnungOhneHausnummer>")


def street(gml_id: str, lage: str, name: str) -> str:
    """An AX_LagebezeichnungKatalogeintrag."""
    return (f'<AX_LagebezeichnungKatalogeintrag gml:id="{gml_id}">'
            f"<schluesselGesamt>03241001{lage}</schluesselGesamt><bezeichnung>{name}"
            "</bezeichnung><schluessel><AX_VerschluesselteLagebezeichnung><land>03</land>"
            "<regierungsbezirk>2</regierungsbezirk><kreis>41</kreis><gemeinde>001</gemeinde>"
            f"<lage>{lage}</lage></AX_VerschluesselteLagebezeichnung></schluessel>"
            "</AX_LagebezeichnungKatalogeintrag>")


def write_extract(path: Path, features: list[str], *, gid7: bool = False) -> Path:
    """An AX_Bestandsdatenauszug: GID 6.0 with gml:featureMember, 7.1 with wfs:member."""
    ns = GID7 if gid7 else GID6
    wrap = "wfs:member" if gid7 else "gml:featureMember"
    body = "".join(f"<{wrap}>{f}</{wrap}>\n" for f in features)
    path.write_text(HEAD.format(root="AX_Bestandsdatenauszug", ns=ns)
                    + f"<enthaelt><wfs:FeatureCollection>\n{body}</wfs:FeatureCollection>"
                    "</enthaelt></AX_Bestandsdatenauszug>\n", encoding="utf-8")
    return path


def write_nba(path: Path, inserts: list[str], replaces: list[tuple[str, str]],
              deletes: list[str]) -> Path:
    """An NBA update: wfs:Transaction with Insert, Replace (old rid, feature) and Delete."""
    ops = "".join(f"<wfs:Insert>{f}</wfs:Insert>\n" for f in inserts)
    ops += "".join(
        f'<wfs:Replace>{f}<fes:Filter><fes:ResourceId rid="{rid}20200102T030405Z"/>'
        "</fes:Filter></wfs:Replace>\n" for rid, f in replaces)
    ops += "".join(
        f'<wfs:Delete typeName="AX_Flurstueck"><fes:Filter><fes:ResourceId rid="{rid}"/>'
        "</fes:Filter></wfs:Delete>\n" for rid in deletes)
    path.write_text(
        HEAD.format(root="AX_NutzerbezogeneBestandsdatenaktualisierung_NBA", ns=GID7)
        + f"<enthaelt><wfs:Transaction>\n{ops}</wfs:Transaction></enthaelt>"
        "</AX_NutzerbezogeneBestandsdatenaktualisierung_NBA>\n", encoding="utf-8")
    return path
