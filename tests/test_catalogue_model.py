"""The catalogue model: records from declarations + manifests, search with umlaut folding."""

from __future__ import annotations

import pytest

from opengeodata.catalogue import Catalogue, fold
from opengeodata.errors import InvalidRequestError
from tests.catalogue_fixtures import BASE, declared, manifest


@pytest.fixture
def cat() -> Catalogue:
    datasets = [
        declared("strassen", "Straßennetz", keywords=["Verkehr", "Straße"], theme="transport",
                 update_frequency="monthly"),
        declared("gruenflaechen", "Grünflächen", description="Öffentliche Grünanlagen und Parks.",
                 keywords=["Umwelt"], theme="environment", licence="CC-BY-4.0",
                 temporal={"start": "2020-01-01", "end": "2021-12-31"}),
        declared("baeume", "Baumkataster", description="Bäume an Straßen.",
                 keywords=["Umwelt", "Baum"], theme="environment"),
        declared("unpublished", "Nicht veröffentlicht"),
    ]
    manifests = {
        "strassen": manifest("strassen", ("gpkg", "geojson", "pmtiles"),
                             created="2026-03-01T00:00:00Z"),
        "gruenflaechen": manifest("gruenflaechen", ("gpkg", "csv"),
                                  bbox=(9.7, 52.35, 9.75, 52.4)),
        "baeume": manifest("baeume", ("geojson",), bbox=(10.5, 53.0, 10.6, 53.1),
                           created="2025-06-01T00:00:00Z"),
    }
    versions = {"strassen": ["20250101T000000Z", "20260102T030405Z"]}
    return Catalogue.build(datasets, manifests, BASE, versions)


def ids(records: list) -> list[str]:
    return [r.id for r in records]


@pytest.mark.parametrize(("a", "b"), [
    ("Straße", "strasse"), ("STRASSE", "straße"), ("Grünflächen", "gruenflaechen"),
    ("Öl", "OEL"), ("Bäume", "baeume"), ("Müller", "MUELLER"), ("ẞ", "ss"),
])
def test_fold_equates_umlauts_and_their_spellings(a: str, b: str) -> None:
    assert fold(a) == fold(b)


def test_records_are_published_datasets_sorted_by_title(cat: Catalogue) -> None:
    assert ids(cat.records()) == ["baeume", "gruenflaechen", "strassen"]
    assert cat.record("unpublished") is None and cat.record("nope") is None
    rec = cat.record("strassen")
    assert rec is not None
    assert rec.versions == ("20250101T000000Z", "20260102T030405Z")
    assert rec.formats == ("gpkg", "geojson", "pmtiles")
    gpkg = rec.downloads[0]
    assert gpkg.href == f"{BASE}/downloads/strassen/strassen.gpkg"
    assert gpkg.latest_href == f"{BASE}/downloads/strassen/latest/gpkg"
    assert gpkg.version_href == f"{BASE}/downloads/strassen/versions/20260102T030405Z/strassen.gpkg"
    assert "GeoPackage" in gpkg.title
    rels = {link["rel"] for link in rec.links}
    assert "items" in rels and "http://www.opengis.net/def/rel/ogc/1.0/tilesets-vector" in rels
    # no tiles link without a pmtiles output
    assert all("tiles" not in link["href"] for link in cat.record("baeume").links)  # type: ignore[union-attr]
    assert rec.quality_summary()["dropped"] == 1


@pytest.mark.parametrize(("q", "expected"), [
    ("strasse", ["strassen", "baeume"]),        # ß in title/description
    ("Straße", ["strassen", "baeume"]),
    ("STRASSEN", ["strassen", "baeume"]),
    ("gruenflaechen", ["gruenflaechen"]),       # ue spelling finds ü
    ("grünfläche", ["gruenflaechen"]),
    ("oeffentliche", ["gruenflaechen"]),        # description
    ("Baeume", ["baeume"]),
    ("umwelt", ["baeume", "gruenflaechen"]),    # keyword
    ("umwelt baum", ["baeume"]),                # all words
    ("verkehr, parks", ["gruenflaechen", "strassen"]),  # alternatives
    ("xyzzy", []),
])
def test_full_text_search_folds_umlauts(cat: Catalogue, q: str, expected: list[str]) -> None:
    assert sorted(ids(cat.search(q=q))) == sorted(expected)


def test_relevance_puts_title_hits_first(cat: Catalogue) -> None:
    assert ids(cat.search(q="straße")) == ["strassen", "baeume"]


def test_facets_and_filters(cat: Catalogue) -> None:
    assert ids(cat.search(theme="environment")) == ["baeume", "gruenflaechen"]
    assert ids(cat.search(fmt="csv")) == ["gruenflaechen"]
    assert ids(cat.search(fmt=["csv", "pmtiles"])) == ["gruenflaechen", "strassen"]
    assert ids(cat.search(licence="CC-BY-4.0")) == ["gruenflaechen"]
    assert ids(cat.search(keywords="strasse")) == ["strassen"]
    assert ids(cat.search(type="dataset")) == ["baeume", "gruenflaechen", "strassen"]
    assert ids(cat.search(type="raster")) == []
    assert cat.themes() == {"environment": 2, "transport": 1}
    assert cat.formats()["gpkg"] == 2


def test_bbox_and_datetime(cat: Catalogue) -> None:
    assert ids(cat.search(bbox=[10.0, 52.9, 11.0, 53.5])) == ["baeume"]
    assert ids(cat.search(bbox="9.71,52.36,9.72,52.37")) == ["gruenflaechen", "strassen"]
    assert ids(cat.search(datetime="2021-06-01")) == ["gruenflaechen"]
    assert ids(cat.search(datetime="2026-01-01/..")) == ["strassen"]
    assert ids(cat.search(datetime="../2025-12-31")) == ["baeume", "gruenflaechen"]


def test_sorting(cat: Catalogue) -> None:
    assert ids(cat.search(sort="-updated")) == ["strassen", "gruenflaechen", "baeume"]
    assert ids(cat.search(sort="-title")) == ["strassen", "gruenflaechen", "baeume"]


@pytest.mark.parametrize("kwargs", [
    {"bbox": "1,2,3"}, {"bbox": "a,b,c,d"}, {"datetime": "yesterday"},
    {"datetime": "2022-01-01/2021-01-01"}, {"sort": "colour"},
])
def test_bad_parameters_raise_invalid_request(cat: Catalogue, kwargs: dict) -> None:
    with pytest.raises(InvalidRequestError):
        cat.search(**kwargs)


def test_facets_of_a_search_result(cat: Catalogue) -> None:
    facets = cat.facets(cat.search(theme="environment"))
    assert facets["theme"] == {"environment": 2}
    assert facets["licence"] == {"CC-BY-4.0": 1, "dl-de/by-2-0": 1}
    assert facets["format"] == {"csv": 1, "geojson": 1, "gpkg": 1}
    assert cat.facets()["keywords"]["Umwelt"] == 2


def test_one_record_model_for_pages_and_records_field_docs_and_order() -> None:
    from opengeodata.manifest import FieldInfo

    a = declared("b_same", "Gleich", fields=[
        {"name": "art", "type": "string", "description": "Art laut Deklaration"}])
    b = declared("a_same", "Gleich")
    m = manifest("b_same").model_copy(update={"fields": [
        FieldInfo(name="art", type="string"), FieldInfo(name="own", type="string",
                                                       description="im Manifest")]})
    cat = Catalogue.build([a, b], {"b_same": m, "a_same": manifest("a_same")}, BASE)
    # equal titles: ordered by id, the same in every view (records() and search)
    assert ids(cat.records()) == ["a_same", "b_same"] == ids(cat.search(sort="title"))
    rec = cat.record("b_same")
    assert rec is not None
    # a field without a description in the manifest takes the declaration's
    assert [(f.name, f.description) for f in rec.fields] == [
        ("art", "Art laut Deklaration"), ("own", "im Manifest")]
    assert rec.collection_kind == "vector" and rec.raster is None
    assert rec.file_downloads == rec.downloads and rec.tiled_downloads == ()
