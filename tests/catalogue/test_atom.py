"""INSPIRE-style ATOM feeds: parsed with lxml, checked entry by entry."""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient
from lxml import etree

from opengeodata.catalogue import Catalogue
from opengeodata.catalogue.atom import dataset_feed, georss_polygon
from opengeodata.manifest import OutputFile
from opengeodata.server import create_app
from opengeodata.settings import Settings
from opengeodata.store import Store
from tests.catalogue.fixtures import BASE, declared, manifest

NS = {"a": "http://www.w3.org/2005/Atom", "georss": "http://www.georss.org/georss",
      "dls": "http://inspire.ec.europa.eu/schemas/inspire_dls/1.0"}
PARSER = etree.XMLParser(resolve_entities=False, no_network=True)


@pytest.fixture
def client(published: Settings) -> FlaskClient:
    return create_app(published).test_client()


def parse(data: bytes) -> etree._Element:
    return etree.fromstring(data, PARSER)


def text(node: etree._Element, path: str) -> str:
    found = node.find(path, NS)
    assert found is not None and found.text, path
    return str(found.text)


def test_service_feed_lists_every_dataset(client: FlaskClient) -> None:
    resp = client.get("/atom/service.xml")
    assert resp.status_code == 200 and resp.mimetype == "application/atom+xml"
    feed = parse(resp.data)
    assert feed.tag == "{http://www.w3.org/2005/Atom}feed"
    assert text(feed, "a:id") == "http://testserver/atom/service.xml"
    assert text(feed, "a:updated") and text(feed, "a:rights") and text(feed, "a:author/a:name")
    assert feed.find("a:link[@rel='self']", NS).get("href") == text(feed, "a:id")  # type: ignore[union-attr]
    entries = feed.findall("a:entry", NS)
    assert [text(e, "dls:spatial_dataset_identifier_code") for e in entries] == ["stadtbezirke"]
    entry = entries[0]
    assert text(entry, "a:title") == "Stadtbezirke Hannover"
    alt = entry.find("a:link[@rel='alternate']", NS)
    assert alt is not None and alt.get("href") == "http://testserver/atom/stadtbezirke.xml"
    assert alt.get("type") == "application/atom+xml" and alt.get("hreflang") == "de"
    assert "dl-de/by-2-0" in text(entry, "a:rights")
    assert text(entry, "a:author/a:email") == "geoinformation@hannover-stadt.de"
    coords = [float(v) for v in text(entry, "georss:polygon").split()]
    assert len(coords) == 10 and coords[:2] == coords[-2:]
    lats, lons = coords[0::2], coords[1::2]
    assert all(52.2 < v < 52.5 for v in lats) and all(9.5 < v < 10.0 for v in lons)


def test_dataset_feed_has_one_entry_per_download(client: FlaskClient,
                                                 published: Settings) -> None:
    manifest_ = Store(published.data_dir).live_manifest("stadtbezirke")
    assert manifest_ is not None
    resp = client.get("/atom/stadtbezirke.xml")
    assert resp.status_code == 200
    feed = parse(resp.data)
    assert text(feed, "a:updated") == manifest_.created
    assert "Landeshauptstadt Hannover" in text(feed, "a:rights")
    assert text(feed, "a:author/a:name")
    up = feed.find("a:link[@rel='up']", NS)
    assert up is not None and up.get("href") == "http://testserver/atom/service.xml"
    entries = feed.findall("a:entry", NS)
    assert len(entries) == len(manifest_.outputs)
    for out, entry in zip(manifest_.outputs, entries, strict=True):
        link = entry.find("a:link[@rel='alternate']", NS)
        assert link is not None
        assert link.get("href") == f"http://testserver/downloads/stadtbezirke/{out.name}"
        assert link.get("type") == out.media_type and link.get("length") == str(out.size)
        assert link.get("hreflang") == "de" and link.get("title")
        assert out.sha256 in text(entry, "a:summary")
        assert text(entry, "a:updated") and text(entry, "a:rights") and text(entry, "a:id")
        assert text(entry, "georss:polygon")
        related = [r.get("href") for r in entry.findall("a:link[@rel='related']", NS)]
        assert f"http://testserver/downloads/stadtbezirke/versions/{manifest_.version}/{out.name}" in related  # noqa: E501


def test_unknown_dataset_feed_is_404(client: FlaskClient) -> None:
    assert client.get("/atom/nothing.xml").status_code == 404


def test_tiled_downloads_are_sections_of_one_entry() -> None:
    m = manifest("gebaeude", ("gpkg",))
    m.outputs += [
        OutputFile(name=f"gebaeude_32_{e}_5800.gml", format="citygml",
                   media_type="application/gml+xml", size=100 + e, sha256=f"{e:064x}",
                   title="CityGML", tile=f"32_{e}_5800") for e in (550, 551, 552)
    ]
    cat = Catalogue.build([declared("gebaeude", "Gebäude & <3D>")], {"gebaeude": m}, BASE)
    record = cat.record("gebaeude")
    assert record is not None
    feed = parse(dataset_feed(cat, record))
    entries = feed.findall("a:entry", NS)
    assert len(entries) == 2
    sections = entries[1].findall("a:link[@rel='section']", NS)
    assert [s.get("length") for s in sections] == ["650", "651", "652"]
    assert all("CityGML" in (s.get("title") or "") for s in sections)
    assert text(feed, "a:title").startswith("Gebäude & <3D>")  # escaped by lxml, parsed back


def test_georss_polygon_is_lat_lon() -> None:
    assert georss_polygon((9.0, 52.0, 10.0, 53.0)).split()[:4] == ["52.0", "9.0", "52.0", "10.0"]


@pytest.mark.parametrize("path", ["/atom/service.xml", "/atom/stadtbezirke.xml",
                                  "/catalogue/dcat", "/catalogue/dcat/stadtbezirke?f=ttl"])
def test_feeds_are_cacheable(client: FlaskClient, path: str) -> None:
    first = client.get(path)
    etag = first.headers["ETag"]
    assert "max-age" in first.headers["Cache-Control"]
    again = client.get(path, headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.data == b""
    head = client.head(path)
    assert head.status_code == 200 and head.headers["ETag"] == etag
