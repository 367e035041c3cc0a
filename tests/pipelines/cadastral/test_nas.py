"""NAS reading: attributes, addresses, code labels, CRS, checks, portions and safe XML."""

from __future__ import annotations

import time
from pathlib import Path

import pandas as pd
import pytest
from pyproj import Transformer

from opengeodata.errors import DataValidationError
from pipelines.cadastral.crs import epsg_from_srs_name
from pipelines.cadastral.layers import build_layer
from pipelines.cadastral.nas import read_delivery
from tests.pipelines.cadastral.docs import (
    GID6,
    address,
    address_text,
    building,
    parcel,
    rect,
    ring,
    street,
    surface,
    write_extract,
)

E, N = 550_000.0, 5_800_000.0


def _square(x: float, y: float, size: float = 10.0, srs: str = "urn:adv:crs:ETRS89_UTM32"
            ) -> str:
    return surface(f"<gml:exterior>{ring(rect(x, y, x + size, y + size))}</gml:exterior>", srs)


def _layers(paths: list[Path]):
    delivery = read_delivery(paths, {"flurstuecke", "gebaeude"})
    return build_layer(delivery, "flurstuecke"), build_layer(delivery, "gebaeude")


@pytest.mark.parametrize("gid7", [False, True], ids=["gid6-featureMember", "gid7-wfs-member"])
def test_attributes_addresses_and_code_labels(tmp_path: Path, gid7: bool) -> None:
    links = ('<weistAuf xlink:href="DENIAL0300000001"/>'  # plain id
             '<weistAuf xlink:href="urn:adv:oid:DENIAL0300000002"/>'
             '<zeigtAuf xlink:href="urn:adv:oid:DENIAL0300000003"/>')
    path = write_extract(tmp_path / "a.xml", [
        parcel("DENIAL0100000001", _square(E, N), zaehler=123, nenner=4, area=100,
               links=links, flur=7),
        building("DENIAL0200000001", _square(E + 2, N + 2, 5), 1123, 4,
                 '<zeigtAuf xlink:href="urn:adv:oid:DENIAL0300000001"/>'),
        building("DENIAL0200000002", _square(E + 2, N + 8, 1), 2463),
        address("DENIAL0300000001", "01234", "12a"),
        address("DENIAL0300000002", "01234", "14"),
        address_text("DENIAL0300000003", "Am Maschsee"),
        street("DENIAL0400000001", "01234", "Lindener Marktplatz"),
    ], gid7=gid7)
    (parcels, pchecks), (buildings, bchecks) = _layers([path])
    row = parcels.iloc[0]
    assert row["flurstueckskennzeichen"] == "034101007001230004__"
    assert len(row["flurstueckskennzeichen"]) == 20
    assert (row["land"], row["gemarkungsnummer"], row["flurnummer"]) == ("03", "4101", 7)
    assert (row["zaehler"], row["nenner"]) == (123, 4)
    assert row["gemeindeschluessel"] == "03241001"
    assert row["amtliche_flaeche"] == 100.0
    assert row["geometrische_flaeche"] == pytest.approx(100.0)
    assert row["lagebezeichnung"] == "Lindener Marktplatz 12a; Lindener Marktplatz 14; Am Maschsee"
    assert (row["entstehung"], row["beginnt"]) == ("1999-09-09", "2020-01-02T03:04:05Z")
    assert row["gml_id"] == "DENIAL0100000001"
    assert list(parcels.columns) == [
        "flurstueckskennzeichen", "land", "gemarkungsnummer", "flurnummer", "zaehler", "nenner",
        "amtliche_flaeche", "geometrische_flaeche", "gemeindeschluessel", "lagebezeichnung",
        "entstehung", "beginnt", "gml_id", "geometry"]
    assert parcels.crs.to_epsg() == 25832
    b = buildings.set_index("gml_id")
    assert b.loc["DENIAL0200000001", "gebaeudefunktion"] == 1123
    assert b.loc["DENIAL0200000001", "gebaeudefunktion_text"] == "Wohn- und Geschäftsgebäude"
    assert b.loc["DENIAL0200000001", "geschosse_oberirdisch"] == 4
    assert b.loc["DENIAL0200000001", "lagebezeichnung"] == "Lindener Marktplatz 12a"
    assert b.loc["DENIAL0200000002", "gebaeudefunktion_text"] == "Garage"
    assert pd.isna(b.loc["DENIAL0200000002", "lagebezeichnung"])
    assert list(buildings.columns) == ["gml_id", "gebaeudefunktion", "gebaeudefunktion_text",
                                       "geschosse_oberirdisch", "lagebezeichnung", "beginnt",
                                       "geometry"]
    assert pchecks.counts["unresolved_xlinks"] == 0 and bchecks.counts["unresolved_xlinks"] == 0


def test_kennzeichen_is_built_when_missing(tmp_path: Path) -> None:
    path = write_extract(tmp_path / "k.xml", [
        parcel("DENIAL0100000001", _square(E, N), zaehler=5, kennzeichen=False, flur=2)])
    (parcels, _), _ = _layers([path])
    assert parcels.loc[0, "flurstueckskennzeichen"] == "03410100200005______"


def test_checks_duplicates_unresolved_links_and_area(tmp_path: Path) -> None:
    a = write_extract(tmp_path / "portion1.xml", [
        parcel("DENIAL0100000001", _square(E, N), area=100,
               links='<weistAuf xlink:href="urn:adv:oid:DENIAL03MISSING1"/>'),
        parcel("DENIAL0100000002", _square(E + 10, N), area=103, zaehler=2),  # 3 % off
    ])
    b = write_extract(tmp_path / "portion2.xml", [
        parcel("DENIAL0100000002", _square(E + 10, N), area=103, zaehler=2),  # again
        parcel("DENIAL0100000003", _square(E + 20, N), area=100.5,
               links='<weistAuf xlink:href="urn:adv:oid:DENIAL0300000009"/>'),
        address("DENIAL0300000009", "00042", "1"),  # street key not in the catalogue
    ])
    (parcels, checks), _ = _layers([a, b])
    assert sorted(parcels["gml_id"]) == ["DENIAL0100000001", "DENIAL0100000002",
                                         "DENIAL0100000003"]
    assert checks.counts["duplicate_gml_id"] == 1
    assert checks.counts["unresolved_xlinks"] == 1
    assert checks.counts["unresolved_street_keys"] == 1
    assert checks.counts["amtliche_flaeche_deviates_gt_1pct"] == 1
    text = "\n".join(checks.warnings)
    assert "DENIAL03MISSING1" in text and "03410100100002______: 103 m²" in text
    assert parcels.set_index("gml_id").loc["DENIAL0100000003", "lagebezeichnung"] == "1"


def test_addresses_resolve_across_portions(tmp_path: Path) -> None:
    a = write_extract(tmp_path / "p1.xml", [
        building("DENIAL0200000001", _square(E, N), 1000, 2,
                 '<zeigtAuf xlink:href="urn:adv:oid:DENIAL0300000001"/>')])
    b = write_extract(tmp_path / "p2.xml", [address("DENIAL0300000001", "00007", "3"),
                                             street("DENIAL0400000001", "00007", "Limmerstraße")],
                      gid7=True)
    _, (buildings, checks) = _layers([a, b])
    assert buildings.loc[0, "lagebezeichnung"] == "Limmerstraße 3"
    assert checks.counts["unresolved_xlinks"] == 0


@pytest.mark.parametrize(("srs", "epsg"), [
    ("urn:adv:crs:ETRS89_UTM32", 25832), ("urn:adv:crs:ETRS89_UTM33", 25833),
    ("urn:adv:crs:DE_DHDN_3GK2", 31466), ("urn:adv:crs:DE_DHDN_3GK3", 31467),
    ("urn:adv:crs:DE_DHDN_3GK4", 31468), ("urn:adv:crs:ETRS89_UTM32*DE_DHHN2016_NH", 25832),
    ("urn:adv:crs:DE_DHDN_3GK3*DE_DHHN92_NH", 31467), ("urn:ogc:def:crs:EPSG::25833", 25833),
    ("urn:ogc:def:crs:EPSG:6.12:31467", 31467), ("EPSG:25832", 25832),
    ("http://www.opengis.net/def/crs/EPSG/0/25832", 25832),
])
def test_srs_names(srs: str, epsg: int) -> None:
    assert epsg_from_srs_name(srs) == epsg


def test_unknown_srs_name_is_an_error(tmp_path: Path) -> None:
    path = write_extract(tmp_path / "u.xml", [
        parcel("DENIAL0100000001", _square(E, N, srs="urn:adv:crs:MARS_UTM99"))])
    with pytest.raises(DataValidationError, match=r"u\.xml: .*DENIAL0100000001.*MARS_UTM99"):
        _layers([path])


def test_gauss_krueger_zone_3_lands_where_pyproj_says(tmp_path: Path) -> None:
    x, y = 3_550_123.456, 5_803_210.987  # DHDN / 3-degree Gauss-Krueger zone 3, Hannover
    srs = "urn:adv:crs:DE_DHDN_3GK3*DE_DHHN92_NH"
    path = write_extract(tmp_path / "gk.xml", [parcel("DENIAL0100000001", _square(x, y, 20, srs))])
    (parcels, _), _ = _layers([path])
    expected = Transformer.from_crs(31467, 25832, always_xy=True).transform(x, y)
    first = parcels.geometry[0].exterior.coords[0]
    assert first == pytest.approx(expected, abs=0.001)
    assert 549_000 < first[0] < 551_000  # Hannover, not the GK false easting
    assert parcels.loc[0, "geometrische_flaeche"] == pytest.approx(400, rel=0.002)


def test_3d_poslist_with_srs_dimension(tmp_path: Path) -> None:
    geom = ('<gml:Polygon gml:id="p" srsName="urn:adv:crs:ETRS89_UTM32*DE_DHHN2016_NH" '
            'srsDimension="3"><gml:exterior><gml:LinearRing><gml:posList>'
            f"{E} {N} 55 {E + 4} {N} 55 {E + 4} {N + 5} 56 {E} {N + 5} 56 {E} {N} 55"
            "</gml:posList></gml:LinearRing></gml:exterior></gml:Polygon>")
    path = write_extract(tmp_path / "z.xml", [parcel("DENIAL0100000001", geom)])
    (parcels, _), _ = _layers([path])
    assert parcels.loc[0, "geometrische_flaeche"] == pytest.approx(20.0)


BILLION_LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<AX_Bestandsdatenauszug xmlns="http://www.adv-online.de/namespaces/adv/gid/6.0">
<enthaelt>&lol9;</enthaelt></AX_Bestandsdatenauszug>
"""

XXE = """<?xml version="1.0"?>
<!DOCTYPE AX_Bestandsdatenauszug [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<AX_Bestandsdatenauszug xmlns="http://www.adv-online.de/namespaces/adv/gid/6.0">
<enthaelt>&xxe;</enthaelt></AX_Bestandsdatenauszug>
"""

EXTERNAL_DTD = """<?xml version="1.0"?>
<!DOCTYPE AX_Bestandsdatenauszug SYSTEM "http://127.0.0.1:9/evil.dtd">
<AX_Bestandsdatenauszug xmlns="http://www.adv-online.de/namespaces/adv/gid/6.0"/>
"""


@pytest.mark.parametrize("text", [BILLION_LAUGHS, XXE, EXTERNAL_DTD],
                         ids=["billion-laughs", "xxe", "external-dtd"])
def test_entity_attacks_are_refused_fast(tmp_path: Path, text: str) -> None:
    path = tmp_path / "evil.xml"
    path.write_text(text)
    started = time.monotonic()
    with pytest.raises(DataValidationError, match=r"evil\.xml: refused.*DTD"):
        read_delivery([path], {"flurstuecke"})
    assert time.monotonic() - started < 5


def test_not_a_nas_file_and_broken_xml(tmp_path: Path) -> None:
    other = tmp_path / "other.xml"
    other.write_text('<?xml version="1.0"?><kml xmlns="http://www.opengis.net/kml/2.2"/>')
    with pytest.raises(DataValidationError, match=r"other\.xml: root element 'kml'"):
        read_delivery([other], {"flurstuecke"})
    broken = write_extract(tmp_path / "broken.xml", [parcel("DENIAL0100000001", _square(E, N))])
    broken.write_text(broken.read_text()[:-40])
    with pytest.raises(DataValidationError, match=r"broken\.xml: not well-formed XML"):
        read_delivery([broken], {"flurstuecke"})


def test_bad_number_names_the_feature(tmp_path: Path) -> None:
    path = write_extract(tmp_path / "n.xml", [
        parcel("DENIAL0100000001", _square(E, N)).replace("<flurnummer>1<", "<flurnummer>x<")])
    with pytest.raises(DataValidationError,
                       match=r"n\.xml: line \d+: AX_Flurstueck DENIAL0100000001: flurnummer 'x'"):
        read_delivery([path], {"flurstuecke"})


def test_nba_operations_of_both_wfs_flavours(tmp_path: Path) -> None:
    nba = tmp_path / "nba.xml"
    nba.write_text(
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<AX_NutzerbezogeneBestandsdatenaktualisierung_NBA xmlns="' + GID6 + '" '
        'xmlns:gml="http://www.opengis.net/gml/3.2" xmlns:wfs="http://www.opengis.net/wfs" '
        'xmlns:wfsext="http://www.interactive-instruments.de/namespaces/wfsext" '
        'xmlns:ogc="http://www.opengis.net/ogc" xmlns:xlink="http://www.w3.org/1999/xlink">'
        "<enthaelt><wfs:Transaction>"
        f"<wfsext:Replace>{parcel('DENIAL0100000002', _square(E, N))}"
        '<ogc:Filter><ogc:FeatureId fid="DENIAL010000000220100101T000000Z"/></ogc:Filter>'
        "</wfsext:Replace>"
        '<wfs:Delete typeName="AX_Gebaeude"><ogc:Filter>'
        '<ogc:FeatureId fid="DENIAL0200000007"/></ogc:Filter></wfs:Delete>'
        '<wfs:Update typeName="AX_Flurstueck"><wfs:Property><wfs:Name>'
        "lebenszeitintervall|AA_Lebenszeitintervall|endet</wfs:Name>"
        "<wfs:Value>2024-01-01T00:00:00Z</wfs:Value></wfs:Property>"
        '<ogc:Filter><ogc:FeatureId fid="DENIAL0100000005"/></ogc:Filter></wfs:Update>'
        '<wfs:Update typeName="AX_Flurstueck"><wfs:Property><wfs:Name>zeigtAuf</wfs:Name>'
        '</wfs:Property><ogc:Filter><ogc:FeatureId fid="DENIAL0100000006"/></ogc:Filter>'
        "</wfs:Update>"
        "</wfs:Transaction></enthaelt></AX_NutzerbezogeneBestandsdatenaktualisierung_NBA>\n")
    delivery = read_delivery([nba], {"flurstuecke"})
    (update,) = delivery.files
    assert update.nba
    assert update.replaced == {"DENIAL0100000002"}
    assert update.deleted == {"DENIAL0200000007", "DENIAL0100000005"}
    assert len(update.parcels) == 1
    assert any("wfs:Update without 'endet' ignored" in w for w in delivery.warnings)
