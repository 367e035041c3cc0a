"""DCAT-AP.de: the catalogue as an RDF graph (rdflib), serialized as JSON-LD, Turtle, RDF/XML."""

from __future__ import annotations

from datetime import datetime

from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, OWL, RDF, RDFS, XSD

from opengeodata.catalogue import services
from opengeodata.catalogue.model import Catalogue, Record
from opengeodata.catalogue.vocab import (
    CONTRIBUTOR_ID,
    EU,
    HANNOVER_MUNICIPALITY_KEY,
    IANA,
    MUNICIPALITY_KEY_URI,
    POLITICAL_LEVEL_MUNICIPALITY,
    eu_file_type,
    eu_frequency,
    eu_theme,
    iana_media_type,
)
from opengeodata.declaration import Organisation

DCATDE = Namespace("http://dcat-ap.de/def/dcatde/")
SPDX = Namespace("http://spdx.org/rdf/terms#")
VCARD = Namespace("http://www.w3.org/2006/vcard/ns#")
LOCN = Namespace("http://www.w3.org/ns/locn#")
GSP = Namespace("http://www.opengis.net/ont/geosparql#")
ADMS = Namespace("http://www.w3.org/ns/adms#")

#: output name -> (rdflib format, media type)
SERIALIZATIONS = {
    "jsonld": ("json-ld", "application/ld+json"),
    "ttl": ("turtle", "text/turtle"),
    "rdf": ("xml", "application/rdf+xml"),
}


def _date(value: str) -> Literal:
    text = value.replace("Z", "+00:00")
    try:
        if len(text) == 10:
            return Literal(datetime.fromisoformat(text).date(), datatype=XSD.date)
        return Literal(datetime.fromisoformat(text), datatype=XSD.dateTime)
    except ValueError:
        return Literal(value)


def _wkt(bbox: tuple[float, float, float, float]) -> Literal:
    x1, y1, x2, y2 = bbox
    ring = f"{x1} {y1}, {x2} {y1}, {x2} {y2}, {x1} {y2}, {x1} {y1}"
    return Literal(f"POLYGON(({ring}))", datatype=GSP.wktLiteral)


def _agent(g: Graph, org: Organisation) -> BNode:
    node = BNode()
    g.add((node, RDF.type, FOAF.Organization))
    g.add((node, FOAF.name, Literal(org.name)))
    if org.url:
        g.add((node, FOAF.homepage, URIRef(org.url)))
    if org.email:
        g.add((node, FOAF.mbox, URIRef(f"mailto:{org.email}")))
    return node


def _contact(g: Graph, org: Organisation) -> BNode:
    node = BNode()
    g.add((node, RDF.type, VCARD.Organization))
    g.add((node, VCARD.fn, Literal(org.name)))
    if org.email:
        g.add((node, VCARD.hasEmail, URIRef(f"mailto:{org.email}")))
    if org.url:
        g.add((node, VCARD.hasURL, URIRef(org.url)))
    return node


def dataset_uri(catalogue: Catalogue, record_id: str) -> URIRef:
    """The dataset's IRI: its OGC API Records item."""
    return URIRef(catalogue.url(f"collections/catalogue/items/{record_id}"))


def add_dataset(g: Graph, catalogue: Catalogue, record: Record, municipality_key: str,
                contributor_id: str) -> URIRef:
    """Add one dcat:Dataset with its distributions to ``g``."""
    ds = dataset_uri(catalogue, record.id)
    g.add((ds, RDF.type, DCAT.Dataset))
    g.add((ds, DCTERMS.identifier, Literal(str(ds))))
    g.add((ds, DCTERMS.title, Literal(record.title, lang="de")))
    if record.title_en:
        g.add((ds, DCTERMS.title, Literal(record.title_en, lang="en")))
    g.add((ds, DCTERMS.description, Literal(record.description, lang="de")))
    if record.description_en:
        g.add((ds, DCTERMS.description, Literal(record.description_en, lang="en")))
    for keyword in record.keywords:
        g.add((ds, DCAT.keyword, Literal(keyword, lang="de")))
    g.add((ds, DCAT.theme, URIRef(eu_theme(record.theme))))
    g.add((ds, DCTERMS.publisher, _agent(g, record.publisher)))
    g.add((ds, DCAT.contactPoint, _contact(g, record.contact)))
    g.add((ds, DCATDE.maintainer, _agent(g, record.contact)))
    g.add((ds, DCATDE.contributorID, URIRef(contributor_id)))
    g.add((ds, DCATDE.politicalGeocodingURI,
           URIRef(MUNICIPALITY_KEY_URI.format(municipality_key))))
    g.add((ds, DCATDE.politicalGeocodingLevelURI, URIRef(POLITICAL_LEVEL_MUNICIPALITY)))
    g.add((ds, DCTERMS.spatial, URIRef(MUNICIPALITY_KEY_URI.format(municipality_key))))
    if record.bbox:
        loc = BNode()
        g.add((loc, RDF.type, DCTERMS.Location))
        g.add((loc, DCAT.bbox, _wkt(record.bbox)))
        g.add((loc, LOCN.geometry, _wkt(record.bbox)))
        g.add((ds, DCTERMS.spatial, loc))
    if record.temporal:
        period = BNode()
        g.add((period, RDF.type, DCTERMS.PeriodOfTime))
        if record.temporal[0]:
            g.add((period, DCAT.startDate, _date(record.temporal[0])))
        if record.temporal[1]:
            g.add((period, DCAT.endDate, _date(record.temporal[1])))
        g.add((ds, DCTERMS.temporal, period))
    g.add((ds, DCTERMS.modified, _date(record.updated)))
    issued = _version_time(record.versions[0]) if record.versions else None
    g.add((ds, DCTERMS.issued, _date(issued or record.updated)))
    g.add((ds, DCTERMS.accrualPeriodicity, URIRef(eu_frequency(record.update_frequency))))
    g.add((ds, DCTERMS.language, URIRef(f"{EU}language/DEU")))
    g.add((ds, DCAT.landingPage, URIRef(f"{ds}?f=html")))
    g.add((ds, OWL.versionInfo, Literal(record.version)))
    g.add((ds, ADMS.versionNotes, Literal(record.quality_summary()["summary"], lang="en")))
    for d in record.downloads:
        dist = URIRef(f"{ds}#distribution-{d.name}")
        g.add((ds, DCAT.distribution, dist))
        g.add((dist, RDF.type, DCAT.Distribution))
        g.add((dist, DCTERMS.title, Literal(d.title, lang="de")))
        g.add((dist, DCAT.accessURL, URIRef(d.href)))
        g.add((dist, DCAT.downloadURL, URIRef(d.href)))
        media = iana_media_type(d.media_type)
        if media:
            g.add((dist, DCAT.mediaType, URIRef(media)))
        g.add((dist, DCTERMS.format, URIRef(eu_file_type(d.format))))
        g.add((dist, DCAT.byteSize, Literal(d.size, datatype=XSD.nonNegativeInteger)))
        checksum = BNode()
        g.add((checksum, RDF.type, SPDX.Checksum))
        g.add((checksum, SPDX.algorithm, SPDX.checksumAlgorithm_sha256))
        g.add((checksum, SPDX.checksumValue, Literal(d.sha256, datatype=XSD.hexBinary)))
        g.add((dist, SPDX.checksum, checksum))
        g.add((dist, DCTERMS.license, URIRef(record.licence.uri)))
        g.add((dist, DCATDE.licenseAttributionByText, Literal(record.licence.attribution)))
        g.add((dist, DCTERMS.modified, _date(record.updated)))
        if d.crs:
            g.add((dist, DCTERMS.conformsTo, URIRef(_crs_uri(d.crs))))
    add_service_distributions(g, catalogue, record, ds)
    return ds


def data_service(g: Graph, catalogue: Catalogue, kind: str) -> URIRef:
    """The dcat:DataService of the portal's WMS or CSW (added once to ``g``)."""
    base = catalogue.base_url
    endpoint, description, conforms, title = {
        "wms": (services.wms_url(base), services.wms_capabilities(base),
                services.WMS_CONFORMS, "WMS 1.3.0 (Darstellungsdienst)"),
        "csw": (services.csw_url(base), services.csw_capabilities(base),
                services.CSW_CONFORMS, "CSW 2.0.2 (Katalogdienst, ISO 19139)"),
    }[kind]
    node = URIRef(endpoint)
    if (node, RDF.type, DCAT.DataService) not in g:
        g.add((node, RDF.type, DCAT.DataService))
        g.add((node, DCTERMS.title, Literal(title, lang="de")))
        g.add((node, DCAT.endpointURL, URIRef(endpoint)))
        g.add((node, DCAT.endpointDescription, URIRef(description)))
        g.add((node, DCTERMS.conformsTo, URIRef(conforms)))
    return node


def add_service_distributions(g: Graph, catalogue: Catalogue, record: Record,
                              ds: URIRef) -> None:
    """The WMS layer and the ISO 19139 record (CSW) of a dataset as distributions whose
    ``dcat:accessService`` is the portal's dcat:DataService."""
    base = catalogue.base_url
    entries = [("csw", services.csw_record_url(base, record.id),
                "Metadaten ISO 19139 (CSW GetRecordById)", "application/xml")]
    if services.has_wms_layer(record):
        entries.insert(0, ("wms", services.wms_capabilities(base),
                           f"WMS 1.3.0, Layer {record.id}", "application/xml"))
    for kind, url, title, media in entries:
        service = data_service(g, catalogue, kind)
        g.add((service, DCAT.servesDataset, ds))
        dist = URIRef(f"{ds}#distribution-{kind}")
        g.add((ds, DCAT.distribution, dist))
        g.add((dist, RDF.type, DCAT.Distribution))
        g.add((dist, DCTERMS.title, Literal(title, lang="de")))
        g.add((dist, DCAT.accessURL, URIRef(url)))
        g.add((dist, DCAT.accessService, service))
        g.add((dist, DCTERMS.conformsTo, URIRef(services.WMS_CONFORMS if kind == "wms"
                                                 else services.CSW_CONFORMS)))
        g.add((dist, DCAT.mediaType, URIRef(f"{IANA}{media}")))
        file_type = "WMS_SRVC" if kind == "wms" else "XML"
        g.add((dist, DCTERMS.format, URIRef(f"{EU}file-type/{file_type}")))
        g.add((dist, DCTERMS.license, URIRef(record.licence.uri)))
        g.add((dist, DCATDE.licenseAttributionByText, Literal(record.licence.attribution)))


def _crs_uri(crs: str) -> str:
    if crs.upper().startswith("EPSG:"):
        return f"http://www.opengis.net/def/crs/EPSG/0/{crs.split(':', 1)[1]}"
    return crs


def _version_time(version: str) -> str | None:
    """'20260102T030405Z-abc' -> '2026-01-02T03:04:05Z' (versions start with a UTC stamp)."""
    stamp = version.split("-", 1)[0]
    try:
        moment = datetime.strptime(stamp, "%Y%m%dT%H%M%SZ")
    except ValueError:
        return None
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def build_graph(catalogue: Catalogue, records: list[Record] | None = None, *,
                municipality_key: str = HANNOVER_MUNICIPALITY_KEY,
                contributor_id: str = CONTRIBUTOR_ID) -> Graph:
    """A dcat:Catalog with one dcat:Dataset per record (default: every record)."""
    g = Graph(bind_namespaces="core")
    for prefix, ns in (("dcat", DCAT), ("dct", DCTERMS), ("foaf", FOAF), ("dcatde", DCATDE),
                       ("spdx", SPDX), ("vcard", VCARD), ("locn", LOCN), ("gsp", GSP),
                       ("adms", ADMS), ("owl", OWL), ("rdfs", RDFS)):
        g.bind(prefix, ns)
    cat = URIRef(catalogue.url("catalogue/dcat"))
    g.add((cat, RDF.type, DCAT.Catalog))
    g.add((cat, DCTERMS.title, Literal(catalogue.title, lang="de")))
    g.add((cat, DCTERMS.description,
           Literal(catalogue.description or catalogue.title, lang="de")))
    provider = catalogue.metadata.get("provider", {})
    publisher = Organisation(name=provider.get("name") or catalogue.title,
                             url=provider.get("url"))
    g.add((cat, DCTERMS.publisher, _agent(g, publisher)))
    g.add((cat, FOAF.homepage, URIRef(catalogue.url(""))))
    g.add((cat, DCTERMS.language, URIRef(f"{EU}language/DEU")))
    g.add((cat, DCAT.themeTaxonomy, URIRef(f"{EU}data-theme")))
    records = catalogue.records() if records is None else records
    if catalogue.items:
        g.add((cat, DCTERMS.modified, _date(max(r.updated for r in catalogue.items))))
    for record in records:
        g.add((cat, DCAT.dataset, add_dataset(g, catalogue, record, municipality_key,
                                              contributor_id)))
    return g


def serialize(graph: Graph, fmt: str) -> tuple[bytes, str]:
    """``fmt`` in :data:`SERIALIZATIONS` -> (body, media type)."""
    rdf_format, media_type = SERIALIZATIONS[fmt]
    if rdf_format == "json-ld":
        body = graph.serialize(format="json-ld", auto_compact=True)
    else:
        body = graph.serialize(format=rdf_format)
    return body.encode("utf-8"), media_type
