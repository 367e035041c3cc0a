"""ISO 19139 records (GDI-DE conventions) and the pycsw repository over them (real pycsw)."""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import quote, urlencode

import pytest
from lxml import etree

from opengeodata.catalogue import Catalogue
from opengeodata.catalogue.csw import build_repository, repository_key
from opengeodata.catalogue.csw_service import CswService, pycsw_config
from opengeodata.catalogue.iso19139 import (
    INSPIRE_THESAURUS,
    NS,
    file_identifier,
    iso_record,
)
from opengeodata.declaration import load_all
from opengeodata.settings import Settings
from opengeodata.store import Store
from tests.sdi_support import build_sdi_site

BASE = "http://geo.test"
CSW_NS = {**NS, "csw": "http://www.opengis.net/cat/csw/2.0.2",
          "dc": "http://purl.org/dc/elements/1.1/", "ows": "http://www.opengis.net/ows"}
ISO = "http://www.isotc211.org/2005/gmd"


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    return build_sdi_site(tmp_path_factory.mktemp("csw"), raster=False)


@pytest.fixture(scope="module")
def catalogue(site: Settings) -> Catalogue:
    return Catalogue.from_store(load_all(site.datasets_dir), Store(site.data_dir), BASE)


@pytest.fixture(scope="module")
def service(catalogue: Catalogue, tmp_path_factory: pytest.TempPathFactory) -> CswService:
    docs = [iso_record(r, BASE) for r in catalogue.records()]
    folder = tmp_path_factory.mktemp("cswdb")
    db = build_repository(folder / f"{repository_key(docs)}.sqlite", docs)
    return CswService(db, pycsw_config(f"{BASE}/csw", catalogue.metadata))


def ask(service: CswService, **params: str) -> tuple[int, etree._Element]:
    query = urlencode({"service": "CSW", "version": "2.0.2", **params}, quote_via=quote)
    answer = service.answer({"REQUEST_METHOD": "GET", "QUERY_STRING": query,
                             "wsgi.url_scheme": "http", "HTTP_HOST": "geo.test",
                             "SERVER_NAME": "geo.test", "SERVER_PORT": "80",
                             "PATH_INFO": "/csw", "SCRIPT_NAME": ""})
    assert "xml" in answer.content_type
    return answer.status, etree.fromstring(answer.body)


def x(doc: etree._Element, path: str) -> list:
    return doc.xpath(path, namespaces=CSW_NS)


def test_iso_record_has_the_required_elements(catalogue: Catalogue) -> None:
    record = catalogue.record("flaechen")
    assert record is not None
    doc = etree.fromstring(iso_record(record, BASE))
    assert doc.tag == f"{{{ISO}}}MD_Metadata"
    assert x(doc, "gmd:fileIdentifier/gco:CharacterString/text()") == [
        file_identifier(f"{BASE}/id", "flaechen")]
    assert x(doc, "gmd:language/gmd:LanguageCode/@codeListValue") == ["ger"]
    assert x(doc, "gmd:hierarchyLevel/gmd:MD_ScopeCode/@codeListValue") == ["dataset"]
    assert x(doc, "gmd:contact//gmd:CI_RoleCode/@codeListValue") == ["pointOfContact"]
    assert x(doc, "gmd:dateStamp/*/text()")
    ident = x(doc, "gmd:identificationInfo/gmd:MD_DataIdentification")[0]
    assert x(ident, "gmd:citation//gmd:title/gco:CharacterString/text()") == [record.title]
    assert x(ident, "gmd:citation//gmd:identifier//gmd:code/gco:CharacterString/text()") == [
        f"{BASE}/id/flaechen"]
    assert x(ident, "gmd:abstract/gco:CharacterString/text()") == [record.description]
    assert x(ident, "gmd:pointOfContact//gmd:CI_RoleCode/@codeListValue") == ["pointOfContact"]
    assert x(ident, "gmd:topicCategory/gmd:MD_TopicCategoryCode/text()") == ["planningCadastre"]
    bbox = x(ident, ".//gmd:EX_GeographicBoundingBox/gmd:westBoundLongitude/gco:Decimal/text()")
    assert bbox and 9 < float(bbox[0]) < 10
    crs = x(doc, "gmd:referenceSystemInfo//gmd:code/gco:CharacterString/text()")
    assert crs == ["http://www.opengis.net/def/crs/EPSG/0/25832"]


def test_iso_keywords_inspire_theme_with_thesaurus(catalogue: Catalogue) -> None:
    doc = etree.fromstring(iso_record(catalogue.record("flaechen"), BASE))  # type: ignore[arg-type]
    blocks = x(doc, "//gmd:descriptiveKeywords/gmd:MD_Keywords")
    inspire = [b for b in blocks if x(b, "gmd:thesaurusName//gmd:title/*/text()") ==
               [INSPIRE_THESAURUS]]
    assert len(inspire) == 1
    assert x(inspire[0], "gmd:keyword/gmx:Anchor/text()") == [
        "Flurstücke/Grundstücke (Katasterparzellen)"]
    assert x(inspire[0], "gmd:keyword/gmx:Anchor/@xlink:href") == [
        "http://inspire.ec.europa.eu/theme/cp"]
    assert x(inspire[0], "gmd:thesaurusName//gmd:CI_Date/gmd:date/gco:Date/text()") == [
        "2008-06-01"]
    assert x(inspire[0], "gmd:thesaurusName//gmd:CI_DateTypeCode/@codeListValue") == [
        "publication"]
    assert "opendata" in x(doc, "//gmd:keyword/gco:CharacterString/text()")


def test_iso_licence_json_contact_lineage_links(catalogue: Catalogue) -> None:
    record = catalogue.record("flaechen")
    assert record is not None
    doc = etree.fromstring(iso_record(record, BASE))
    others = x(doc, "//gmd:MD_LegalConstraints/gmd:otherConstraints/gco:CharacterString/text()")
    licence = json.loads(next(o for o in others if o.startswith("{")))
    assert licence == {"id": "dl-by-de/2.0", "name": "Datenlizenz Deutschland Namensnennung 2.0",
                       "url": "https://www.govdata.de/dl-de/by-2-0", "quelle": "Test"}
    assert x(doc, "//gmd:useConstraints/gmd:MD_RestrictionCode/@codeListValue") == [
        "otherRestrictions"]
    assert x(doc, "//gmd:useLimitation/gco:CharacterString/text()") == ["Quellenvermerk: Test"]
    assert x(doc, "//gmd:accessConstraints/../gmd:otherConstraints/gmx:Anchor/@xlink:href")
    statement = x(doc, "//gmd:lineage//gmd:statement/gco:CharacterString/text()")[0]
    assert "4 Objekte gelesen, 4 geschrieben" in statement and record.version in statement
    links = x(doc, "//gmd:transferOptions//gmd:CI_OnlineResource")
    by_protocol = {x(lk, "gmd:protocol/gco:CharacterString/text()")[0]:
                   x(lk, "gmd:linkage/gmd:URL/text()")[0] for lk in links}
    assert by_protocol["OGC:WMS"].startswith(f"{BASE}/wms?")
    assert by_protocol["INSPIRE Atom"] == f"{BASE}/atom/flaechen.xml"
    assert by_protocol["OGC:API"] == f"{BASE}/collections/flaechen"
    assert by_protocol["WWW:DOWNLOAD-1.0-http--download"].startswith(f"{BASE}/downloads/")


def test_repository_file_is_written_aside_then_renamed(catalogue: Catalogue,
                                                       tmp_path: Path) -> None:
    docs = [iso_record(r, BASE) for r in catalogue.records()]
    path = build_repository(tmp_path / "r.sqlite", docs)
    assert path.is_file() and not list(tmp_path.glob(".tmp-*"))
    assert repository_key(docs) != repository_key(docs[:1])


def test_capabilities(service: CswService) -> None:
    status, doc = ask(service, request="GetCapabilities")
    assert status == 200 and etree.QName(doc).localname == "Capabilities"
    ops = x(doc, "//ows:Operation/@name")
    assert {"GetCapabilities", "GetRecords", "GetRecordById"} <= set(ops)


def test_getrecords_dc_and_iso_with_paging(service: CswService, catalogue: Catalogue) -> None:
    status, doc = ask(service, request="GetRecords", typenames="csw:Record",
                      elementsetname="full", resulttype="results", maxrecords="2")
    assert status == 200
    results = x(doc, "//csw:SearchResults")[0]
    assert int(results.get("numberOfRecordsMatched")) == len(catalogue) == 3
    assert int(results.get("numberOfRecordsReturned")) == 2
    assert results.get("nextRecord") == "3"
    _, page2 = ask(service, request="GetRecords", typenames="gmd:MD_Metadata",
                   outputschema=ISO, elementsetname="full", resulttype="results",
                   maxrecords="2", startposition="3")
    assert len(x(page2, "//gmd:MD_Metadata")) == 1
    first = {t for t in x(doc, "//csw:Record/dc:title/text()")}
    second = set(x(page2, "//gmd:MD_Metadata/gmd:identificationInfo//gmd:citation//"
                          "gmd:title/gco:CharacterString/text()"))
    assert first | second == {r.title for r in catalogue.records()}


def test_getrecords_text_constraint(service: CswService) -> None:
    status, doc = ask(service, request="GetRecords", typenames="csw:Record",
                      elementsetname="brief", resulttype="results",
                      constraintlanguage="CQL_TEXT", constraint_language_version="1.1.0",
                      constraint="csw:AnyText like '%Stadtbezirk%'")
    assert status == 200
    assert x(doc, "//csw:BriefRecord/dc:title/text()") == ["Stadtbezirke Hannover"]


def test_getrecords_bbox_filter(service: CswService) -> None:
    # around the squares of flaechen (lat/lon order of EPSG:4326) - not the districts' far
    # corners; districts and points overlap too, so compare with a box that misses all
    def bbox_filter(lower: str, upper: str) -> str:
        return ('<ogc:Filter xmlns:ogc="http://www.opengis.net/ogc" '
                'xmlns:gml="http://www.opengis.net/gml"><ogc:BBOX>'
                "<ogc:PropertyName>ows:BoundingBox</ogc:PropertyName><gml:Envelope>"
                f"<gml:lowerCorner>{lower}</gml:lowerCorner>"
                f"<gml:upperCorner>{upper}</gml:upperCorner></gml:Envelope></ogc:BBOX>"
                "</ogc:Filter>")

    def matched(flt: str) -> int:
        status, doc = ask(service, request="GetRecords", typenames="csw:Record",
                          elementsetname="brief", resulttype="results",
                          constraintlanguage="FILTER", constraint_language_version="1.1.0",
                          constraint=flt)
        assert status == 200, etree.tostring(doc)
        return int(x(doc, "//csw:SearchResults/@numberOfRecordsMatched")[0])

    assert matched(bbox_filter("52.0 9.0", "53.0 10.5")) == 3
    assert matched(bbox_filter("48.0 11.0", "48.5 11.5")) == 0  # Munich


def test_getrecordbyid_iso(service: CswService) -> None:
    ident = file_identifier(f"{BASE}/id", "punkte")
    status, doc = ask(service, request="GetRecordById", id=ident, outputschema=ISO,
                      elementsetname="full")
    assert status == 200
    assert x(doc, "//gmd:MD_Metadata/gmd:fileIdentifier/gco:CharacterString/text()") == [ident]


@pytest.mark.parametrize("params", [
    {"request": "GetRecords", "typenames": "csw:Record", "constraintlanguage": "CQL_TEXT",
     "constraint": "this is not cql"},
    {"request": "GetRecords", "typenames": "csw:Record", "outputschema": "urn:nonsense"},
    {"request": "Transaction"},
    {"request": "Nope"},
])
def test_bad_requests_are_exception_reports(service: CswService, params: dict) -> None:
    status, doc = ask(service, **params)
    assert status == 400
    assert etree.QName(doc).localname == "ExceptionReport"
    assert x(doc, "//ows:Exception/@exceptionCode")


def test_hostile_text_round_trips_through_the_record(catalogue: Catalogue) -> None:
    import dataclasses

    from opengeodata.catalogue.csw import parse_documents

    evil = '<script>alert(1)</script> & "x" \'y\' {{ 7*7 }} {% if %}'
    record = dataclasses.replace(catalogue.record("punkte"), title=evil,  # type: ignore[arg-type]
                                 description=evil, keywords=(evil,))
    doc = iso_record(record, BASE)
    root = etree.fromstring(doc)
    assert x(root, "//gmd:citation//gmd:title/gco:CharacterString/text()") == [evil]
    assert parse_documents([doc])[0]["title"] == evil
