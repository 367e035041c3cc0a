"""DCAT-AP.de: parsed with rdflib, checked for the mandatory and recommended properties."""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient
from rdflib import Graph, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import DCAT, DCTERMS, FOAF, RDF, XSD

from opengeodata.catalogue import Catalogue
from opengeodata.catalogue.dcat import DCATDE, SPDX, VCARD, build_graph
from opengeodata.server import create_app
from opengeodata.settings import Settings
from opengeodata.store import Store
from tests.catalogue_fixtures import BASE, declared, manifest

EU = "http://publications.europa.eu/resource/authority/"


@pytest.fixture
def client(published: Settings) -> FlaskClient:
    return create_app(published).test_client()


def one(g: Graph, s: object, p: URIRef) -> object:
    values = list(g.objects(s, p))  # type: ignore[arg-type]
    assert len(values) == 1, (s, p, values)
    return values[0]


def check_graph(g: Graph) -> None:
    """Every property DCAT-AP.de marks mandatory (and the recommended ones we provide)."""
    catalogs = list(g.subjects(RDF.type, DCAT.Catalog))
    assert len(catalogs) == 1
    cat = catalogs[0]
    for prop in (DCTERMS.title, DCTERMS.description, DCTERMS.publisher, FOAF.homepage,
                 DCTERMS.language, DCAT.themeTaxonomy, DCTERMS.modified):
        assert list(g.objects(cat, prop)), f"catalog lacks {prop}"
    datasets = set(g.objects(cat, DCAT.dataset))
    assert datasets and datasets == set(g.subjects(RDF.type, DCAT.Dataset))
    for ds in datasets:
        for prop in (DCTERMS.title, DCTERMS.description, DCTERMS.identifier, DCAT.keyword,
                     DCTERMS.modified, DCTERMS.issued, DCAT.landingPage):
            assert list(g.objects(ds, prop)), f"{ds} lacks {prop}"
        contributor = one(g, ds, DCATDE.contributorID)
        assert str(contributor).startswith("http://dcat-ap.de/def/contributors/")
        publisher = one(g, ds, DCTERMS.publisher)
        assert list(g.objects(publisher, FOAF.name))
        contact = one(g, ds, DCAT.contactPoint)
        assert list(g.objects(contact, VCARD.fn))
        assert list(g.objects(contact, VCARD.hasEmail)) or list(g.objects(contact, VCARD.hasURL))
        assert str(one(g, ds, DCAT.theme)).startswith(f"{EU}data-theme/")
        assert str(one(g, ds, DCTERMS.accrualPeriodicity)).startswith(f"{EU}frequency/")
        assert one(g, ds, DCATDE.politicalGeocodingURI) == URIRef(
            "http://dcat-ap.de/def/politicalGeocoding/municipalityKey/03241001")
        assert one(g, ds, DCATDE.politicalGeocodingLevelURI) == URIRef(
            "http://dcat-ap.de/def/politicalGeocoding/Level/municipality")
        locations = [s for s in g.objects(ds, DCTERMS.spatial)
                     if (s, RDF.type, DCTERMS.Location) in g]
        assert len(locations) == 1
        assert str(one(g, locations[0], DCAT.bbox)).startswith("POLYGON((")
        modified = one(g, ds, DCTERMS.modified)
        assert isinstance(modified, Literal) and modified.datatype == XSD.dateTime
        dists = list(g.objects(ds, DCAT.distribution))
        assert dists, f"{ds} has no distribution"
        services = [d for d in dists if (d, DCAT.accessService, None) in g]
        assert services, f"{ds} has no service distribution (CSW record, WMS)"
        for dist in services:  # WMS layer and ISO record: accessed through a dcat:DataService
            service = one(g, dist, DCAT.accessService)
            assert (service, RDF.type, DCAT.DataService) in g
            assert str(one(g, service, DCTERMS.conformsTo)).startswith(
                "http://www.opengis.net/def/serviceType/ogc/")
            assert one(g, dist, DCTERMS.conformsTo) == one(g, service, DCTERMS.conformsTo)
            assert str(one(g, dist, DCAT.accessURL)).startswith(str(one(g, service,
                                                                        DCAT.endpointURL)))
            assert (service, DCAT.servesDataset, ds) in g
        for dist in (d for d in dists if d not in services):
            assert (dist, RDF.type, DCAT.Distribution) in g
            assert one(g, dist, DCAT.accessURL) == one(g, dist, DCAT.downloadURL)
            assert str(one(g, dist, DCTERMS.license)).startswith("http://dcat-ap.de/def/licenses/")
            assert str(one(g, dist, DCATDE.licenseAttributionByText))
            assert str(one(g, dist, DCTERMS.format)).startswith(f"{EU}file-type/")
            assert str(one(g, dist, DCTERMS.title))
            size = one(g, dist, DCAT.byteSize)
            assert isinstance(size, Literal) and int(size) > 0
            checksum = one(g, dist, SPDX.checksum)
            assert one(g, checksum, SPDX.algorithm) == SPDX.checksumAlgorithm_sha256
            value = one(g, checksum, SPDX.checksumValue)
            assert isinstance(value, Literal) and len(str(value)) == 64


def test_dcat_default_is_json_ld_and_complete(client: FlaskClient, published: Settings) -> None:
    resp = client.get("/catalogue/dcat")
    assert resp.status_code == 200 and resp.mimetype == "application/ld+json"
    g = Graph().parse(data=resp.data, format="json-ld")
    check_graph(g)
    ds = URIRef("http://testserver/collections/catalogue/items/stadtbezirke")
    assert set(g.objects(ds, DCTERMS.title)) == {Literal("Stadtbezirke Hannover", lang="de"),
                                                 Literal("City districts of Hanover", lang="en")}
    manifest_ = Store(published.data_dir).live_manifest("stadtbezirke")
    assert manifest_ is not None
    dists = {str(one(g, d, DCAT.downloadURL)): d for d in g.objects(ds, DCAT.distribution)
             if (d, DCAT.accessService, None) not in g}
    assert len(dists) == len(manifest_.outputs)
    wms = URIRef(f"{ds}#distribution-wms")
    assert str(one(g, wms, DCAT.accessURL)) == (
        "http://testserver/wms?SERVICE=WMS&VERSION=1.3.0&REQUEST=GetCapabilities")
    assert one(g, one(g, wms, DCAT.accessService), DCTERMS.conformsTo) == URIRef(
        "http://www.opengis.net/def/serviceType/ogc/wms")
    for out in manifest_.outputs:
        dist = dists[f"http://testserver/downloads/stadtbezirke/{out.name}"]
        assert int(one(g, dist, DCAT.byteSize)) == out.size  # type: ignore[call-overload]
        assert str(one(g, one(g, dist, SPDX.checksum), SPDX.checksumValue)) == out.sha256
        assert one(g, dist, DCTERMS.license) == URIRef(
            "http://dcat-ap.de/def/licenses/dl-by-de/2.0")
        assert "Landeshauptstadt Hannover" in str(one(g, dist, DCATDE.licenseAttributionByText))
    gpkg = dists["http://testserver/downloads/stadtbezirke/stadtbezirke.gpkg"]
    assert one(g, gpkg, DCTERMS.format) == URIRef(f"{EU}file-type/GPKG")
    assert one(g, gpkg, DCAT.mediaType) == URIRef(
        "https://www.iana.org/assignments/media-types/application/geopackage+sqlite3")


@pytest.mark.parametrize(("query", "accept", "rdf_format", "mimetype"), [
    ("?f=ttl", None, "turtle", "text/turtle"),
    ("?f=rdf", None, "xml", "application/rdf+xml"),
    ("?f=jsonld", None, "json-ld", "application/ld+json"),
    ("", "text/turtle", "turtle", "text/turtle"),
    ("", "application/rdf+xml", "xml", "application/rdf+xml"),
    ("", "application/ld+json", "json-ld", "application/ld+json"),
    ("", "text/html,*/*;q=0.8", "json-ld", "application/ld+json"),
])
def test_content_negotiation(client: FlaskClient, query: str, accept: str | None,
                             rdf_format: str, mimetype: str) -> None:
    headers = {"Accept": accept} if accept else {}
    resp = client.get(f"/catalogue/dcat{query}", headers=headers)
    assert resp.status_code == 200 and resp.mimetype == mimetype
    g = Graph().parse(data=resp.data, format=rdf_format)
    check_graph(g)
    reference = Graph().parse(data=client.get("/catalogue/dcat").data, format="json-ld")
    assert isomorphic(g, reference)


def test_bad_format_and_unknown_dataset(client: FlaskClient) -> None:
    resp = client.get("/catalogue/dcat?f=csv")
    assert resp.status_code == 400 and "csv" in resp.get_json()["description"]
    assert client.get("/catalogue/dcat/nothing").status_code == 404
    one_ds = Graph().parse(data=client.get("/catalogue/dcat/stadtbezirke?f=ttl").data,
                           format="turtle")
    check_graph(one_ds)


def test_temporal_frequency_themes_and_licences_from_declarations() -> None:
    datasets = [
        declared("gruen", "Grünflächen", licence="CC-BY-4.0", theme="environment",
                 update_frequency="monthly", keywords=["Park"],
                 temporal={"start": "2020-01-01", "end": "2021-12-31"}),
        declared("nullt", "Nullt", licence="dl-de/zero-2-0", theme="transport",
                 update_frequency="biannual", keywords=["x"]),
    ]
    manifests = {"gruen": manifest("gruen", ("gpkg", "csv", "pmtiles")),
                 "nullt": manifest("nullt", ("geojson",))}
    g = build_graph(Catalogue.build(datasets, manifests, BASE))
    check_graph(g)
    gruen = URIRef(f"{BASE}/collections/catalogue/items/gruen")
    period = one(g, gruen, DCTERMS.temporal)
    assert str(one(g, period, DCAT.startDate)) == "2020-01-01"
    assert str(one(g, period, DCAT.endDate)) == "2021-12-31"
    assert one(g, gruen, DCTERMS.accrualPeriodicity) == URIRef(f"{EU}frequency/MONTHLY")
    assert one(g, gruen, DCAT.theme) == URIRef(f"{EU}data-theme/ENVI")
    licences = {str(o) for o in g.objects(None, DCTERMS.license)}
    assert licences == {"http://dcat-ap.de/def/licenses/cc-by/4.0",
                        "http://dcat-ap.de/def/licenses/dl-zero-de/2.0"}
    nullt = URIRef(f"{BASE}/collections/catalogue/items/nullt")
    assert one(g, nullt, DCTERMS.accrualPeriodicity) == URIRef(f"{EU}frequency/ANNUAL_2")
    assert list(g.objects(nullt, DCTERMS.temporal)) == []
    formats = {str(o) for o in g.objects(None, DCTERMS.format)}
    assert f"{EU}file-type/CSV" in formats and f"{EU}file-type/GEOJSON" in formats
