"""INSPIRE-style ATOM download feeds: one service feed, one dataset feed per dataset (lxml)."""

from __future__ import annotations

from collections.abc import Iterable

from lxml import etree

from opengeodata.catalogue.model import Catalogue, Download, Record
from opengeodata.catalogue.vocab import FORMAT_NAMES
from opengeodata.ogc import ATOM, EPSG_URI, GEOJSON

ATOM_NS = "http://www.w3.org/2005/Atom"
GEORSS_NS = "http://www.georss.org/georss"
DLS_NS = "http://inspire.ec.europa.eu/schemas/inspire_dls/1.0"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
NSMAP = {None: ATOM_NS, "georss": GEORSS_NS, "inspire_dls": DLS_NS}
MEDIA_TYPE = ATOM


def _el(parent: etree._Element, tag: str, text: str | None = None,
        ns: str = ATOM_NS, **attrs: str) -> etree._Element:
    node = etree.SubElement(parent, f"{{{ns}}}{tag}", {k: v for k, v in attrs.items() if v})
    if text is not None:
        node.text = text
    return node


def _link(parent: etree._Element, href: str, rel: str, type_: str, title: str = "",
          length: int | None = None, hreflang: str = "de") -> etree._Element:
    attrs = {"href": href, "rel": rel, "type": type_, "hreflang": hreflang, "title": title}
    if length is not None:
        attrs["length"] = str(length)
    return _el(parent, "link", **attrs)


def georss_polygon(bbox: tuple[float, float, float, float]) -> str:
    """GeoRSS polygon text ('lat lon' pairs, closed ring) of a CRS84 bbox."""
    x1, y1, x2, y2 = bbox
    points = [(y1, x1), (y1, x2), (y2, x2), (y2, x1), (y1, x1)]
    return " ".join(f"{lat} {lon}" for lat, lon in points)


def _author(parent: etree._Element, record: Record) -> None:
    author = _el(parent, "author")
    _el(author, "name", record.contact.name)
    if record.contact.email:
        _el(author, "email", record.contact.email)
    if record.contact.url:
        _el(author, "uri", record.contact.url)


def _rights(record: Record) -> str:
    return f"{record.licence.id} ({record.licence.url}): {record.licence.attribution}"


def _crs_category(parent: etree._Element, crs: str | None) -> None:
    if crs and crs.upper().startswith("EPSG:"):
        code = crs.split(":", 1)[1]
        _el(parent, "category", term=EPSG_URI.format(code), label=crs)


def _to_bytes(feed: etree._Element) -> bytes:
    return bytes(etree.tostring(feed, xml_declaration=True, encoding="UTF-8",
                                pretty_print=True))


def feed_url(catalogue: Catalogue, record_id: str | None = None) -> str:
    """URL of the service feed (no id) or of a dataset feed."""
    return catalogue.url(f"atom/{record_id or 'service'}.xml")


def service_feed(catalogue: Catalogue) -> bytes:
    """The download service feed: one entry per dataset, linking its dataset feed."""
    feed = etree.Element(f"{{{ATOM_NS}}}feed", nsmap=NSMAP)
    feed.set(XML_LANG, "de")
    _el(feed, "title", f"{catalogue.title} – Download-Dienst")
    _el(feed, "subtitle", catalogue.description or catalogue.title)
    _link(feed, feed_url(catalogue), "self", MEDIA_TYPE, "Dieses Dokument")
    _link(feed, catalogue.url("openapi?f=json"), "describedby",
          "application/vnd.oai.openapi+json;version=3.0", "Dienstbeschreibung (OpenAPI)")
    _link(feed, catalogue.url("catalogue/dcat"), "related", "application/ld+json",
          "Katalog (DCAT-AP.de)")
    _el(feed, "id", feed_url(catalogue))
    records = catalogue.records()
    _el(feed, "rights", "; ".join(sorted({_rights(r) for r in records})) or "-")
    _el(feed, "updated", max((r.updated for r in records), default="1970-01-01T00:00:00Z"))
    provider = catalogue.metadata.get("provider", {})
    contact = catalogue.metadata.get("contact", {})
    author = _el(feed, "author")
    _el(author, "name", provider.get("name") or catalogue.title)
    if contact.get("email"):
        _el(author, "email", contact["email"])
    for record in records:
        entry = _el(feed, "entry")
        _el(entry, "spatial_dataset_identifier_code", record.id, ns=DLS_NS)
        _el(entry, "spatial_dataset_identifier_namespace", catalogue.url(""), ns=DLS_NS)
        _link(entry, catalogue.url(f"collections/catalogue/items/{record.id}?f=json"),
              "describedby", GEOJSON, "Metadaten (OGC API Records)")
        _el(entry, "title", record.title)
        _link(entry, feed_url(catalogue, record.id), "alternate", MEDIA_TYPE,
              f"Download-Feed: {record.title}")
        _el(entry, "id", feed_url(catalogue, record.id))
        _el(entry, "rights", _rights(record))
        _el(entry, "updated", record.updated)
        _el(entry, "summary", record.description)
        if record.bbox:
            _el(entry, "polygon", georss_polygon(record.bbox), ns=GEORSS_NS)
        for crs in sorted({d.crs for d in record.downloads if d.crs}):
            _crs_category(entry, crs)
        _author(entry, record)
    return _to_bytes(feed)


def _groups(downloads: Iterable[Download]) -> list[list[Download]]:
    """One group per untiled file, one per format of tiled files."""
    groups: list[list[Download]] = []
    tiled: dict[str, list[Download]] = {}
    for d in downloads:
        if d.tile:
            if d.format not in tiled:
                tiled[d.format] = []
                groups.append(tiled[d.format])
            tiled[d.format].append(d)
        else:
            groups.append([d])
    return groups


def dataset_feed(catalogue: Catalogue, record: Record) -> bytes:
    """The dataset feed: one entry per download (tiled downloads: one entry, a link per tile)."""
    feed = etree.Element(f"{{{ATOM_NS}}}feed", nsmap=NSMAP)
    feed.set(XML_LANG, "de")
    _el(feed, "title", f"{record.title} – Downloads")
    _el(feed, "subtitle", record.description)
    _link(feed, feed_url(catalogue, record.id), "self", MEDIA_TYPE, "Dieses Dokument")
    _link(feed, catalogue.url(f"collections/catalogue/items/{record.id}?f=json"),
          "describedby", GEOJSON, "Metadaten (OGC API Records)")
    _link(feed, feed_url(catalogue), "up", MEDIA_TYPE, "Download-Dienst")
    _el(feed, "id", feed_url(catalogue, record.id))
    _el(feed, "rights", _rights(record))
    _el(feed, "updated", record.updated)
    _author(feed, record)
    for group in _groups(record.downloads):
        first = group[0]
        entry = _el(feed, "entry")
        if first.tile:
            name = FORMAT_NAMES.get(first.format, first.format)
            _el(entry, "title", f"{record.title} – {name} ({len(group)} Kacheln)")
            entry_id = f"{catalogue.url(f'atom/{record.id}.xml')}#{first.format}-tiles"
            for d in group:
                _link(entry, d.href, "section", d.media_type, d.title, d.size)
        else:
            _el(entry, "title", f"{record.title} – {first.title}")
            entry_id = first.href
            _link(entry, first.href, "alternate", first.media_type, first.title, first.size)
            if first.latest_href:
                _link(entry, first.latest_href, "related", first.media_type,
                      f"{first.title} (immer die neueste Version)", first.size)
            _link(entry, first.version_href, "related", first.media_type,
                  f"{first.title} (Version {record.version}, zitierbar)", first.size)
        _el(entry, "id", entry_id)
        _el(entry, "updated", record.updated)
        _el(entry, "rights", _rights(record))
        checksums = "; ".join(f"{d.name}: SHA-256 {d.sha256}" for d in group)
        _el(entry, "summary", checksums)
        _crs_category(entry, first.crs)
        if record.bbox:
            _el(entry, "polygon", georss_polygon(record.bbox), ns=GEORSS_NS)
    return _to_bytes(feed)
