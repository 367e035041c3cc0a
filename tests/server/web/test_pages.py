"""The catalogue pages through the Flask test client: content, search, language, escaping."""

from __future__ import annotations

import json
import re
from urllib.parse import urlsplit

import pytest
from flask.testing import FlaskClient

from opengeodata.server import create_app
from opengeodata.settings import Settings
from opengeodata.store import Store
from tests.server.web.support import HOSTILE_ID, XSS_ATTR, XSS_TITLE


@pytest.fixture(scope="module")
def client(web_site: Settings) -> FlaskClient:
    return create_app(web_site).test_client()


def html(client: FlaskClient, path: str, **kwargs: object) -> str:
    resp = client.get(path, **kwargs)  # type: ignore[arg-type]
    assert resp.status_code == 200, (path, resp.status_code, resp.data[:300])
    assert resp.mimetype == "text/html"
    return resp.get_data(as_text=True)


def result_ids(page: str) -> list[str]:
    return re.findall(r'<h3><a href="/catalogue/datasets/([a-z0-9_]+)', page)


def test_start_page_german_with_themes_counts_and_search_box(client: FlaskClient) -> None:
    page = html(client, "/catalogue/")
    assert '<html lang="de">' in page
    assert "Offene Geodaten der Landeshauptstadt Hannover" in page
    assert 'action="/catalogue/search"' in page and 'name="q"' in page
    for theme in ("Liegenschaftskataster", "3D-Stadtmodell", "Umwelt", "Planung", "Karten"):
        assert theme in page
    tile = re.search(r'theme-environment">\s*<a href="([^"]+)">.*?theme-count">([^<]+)<', page,
                     re.S)
    assert tile and tile.group(1) == "/catalogue/search?theme=environment"
    assert tile.group(2) == "1 Datensatz"
    cadastre = re.search(r'theme-cadastre is-empty">.*?theme-count">([^<]+)<', page, re.S)
    assert cadastre and cadastre.group(1) == "0 Datensätze"
    assert set(result_ids(page)) == {"stadtbezirke", HOSTILE_ID}


def test_english_by_query_and_by_accept_language(client: FlaskClient) -> None:
    by_query = html(client, "/catalogue/?lang=en")
    assert '<html lang="en">' in by_query and "Cadastre" in by_query
    assert "City districts of Hanover" in by_query
    assert 'href="/catalogue/search?theme=planning&amp;lang=en"' in by_query  # lang is kept
    by_header = html(client, "/catalogue/", headers={"Accept-Language": "en-GB,en;q=0.8"})
    assert '<html lang="en">' in by_header
    german = html(client, "/catalogue/", headers={"Accept-Language": "fr, de;q=0.5"})
    assert '<html lang="de">' in german and "Stadtbezirke Hannover" in german
    # ?lang wins over the header
    assert '<html lang="de">' in html(client, "/catalogue/?lang=de",
                                      headers={"Accept-Language": "en"})


@pytest.mark.parametrize("q", ["spielplätze", "SPIELPLAETZE", "Spielplaetze", "spielplatz"])
def test_search_folds_case_and_umlauts(client: FlaskClient, q: str) -> None:
    assert result_ids(html(client, f"/catalogue/search?q={q}")) == [HOSTILE_ID]


def test_search_words_alternatives_and_no_hit(client: FlaskClient) -> None:
    assert result_ids(html(client, "/catalogue/search?q=hannover bezirk")) == ["stadtbezirke"]
    both = result_ids(html(client, "/catalogue/search?q=bezirk, freizeit"))
    assert set(both) == {"stadtbezirke", HOSTILE_ID}
    page = html(client, "/catalogue/search?q=gibtesnicht")
    assert result_ids(page) == [] and "Keine Datensätze gefunden" in page
    assert "0 Treffer" in page


def test_filters_by_theme_format_and_licence(client: FlaskClient) -> None:
    assert result_ids(html(client, "/catalogue/search?theme=planning")) == ["stadtbezirke"]
    assert result_ids(html(client, "/catalogue/search?licence=CC-BY-4.0")) == [HOSTILE_ID]
    assert set(result_ids(html(client, "/catalogue/search?format=pmtiles"))) == {
        "stadtbezirke", HOSTILE_ID}
    assert result_ids(html(client, "/catalogue/search?format=cityjson")) == []
    assert result_ids(html(client, "/catalogue/search?theme=planning&licence=CC-BY-4.0")) == []
    page = html(client, "/catalogue/search?theme=planning&theme=environment")
    assert len(result_ids(page)) == 2
    assert 'name="theme" value="planning" checked' in page


def test_sort_by_title_and_by_last_update(client: FlaskClient, web_site: Settings) -> None:
    by_title = result_ids(html(client, "/catalogue/search?sort=title"))
    assert by_title == [HOSTILE_ID, "stadtbezirke"]  # "Spielplätze" < "Stadtbezirke"
    store = Store(web_site.data_dir)
    created = {i: store.live_manifest(i).created for i in by_title}  # type: ignore[union-attr]
    newest_first = sorted(by_title, key=lambda i: created[i], reverse=True)
    assert result_ids(html(client, "/catalogue/search?sort=updated")) == newest_first


def test_dataset_page_shows_everything_a_user_needs(client: FlaskClient,
                                                    web_site: Settings) -> None:
    page = html(client, "/catalogue/datasets/stadtbezirke")
    manifest = Store(web_site.data_dir).live_manifest("stadtbezirke")
    assert manifest is not None
    assert "<h1 id=\"dataset-title\">Stadtbezirke Hannover</h1>" in page
    assert "Die 13 Stadtbezirke der Landeshauptstadt Hannover" in page
    assert "dl-de/by-2-0" in page and "https://www.govdata.de/dl-de/by-2-0" in page
    attribution = "Landeshauptstadt Hannover, FB Planen und Stadtentwicklung"
    assert f'<code id="attribution">{attribution}</code>' in page
    assert "geoinformation@hannover-stadt.de" in page
    assert manifest.version in page
    # quality report in words
    assert "Aus der Quelle wurden 13 Objekte gelesen und 13 veröffentlicht." in page
    assert "Kein Objekt wurde verworfen." in page
    # attribute documentation from the declaration
    assert "<td><code>flaeche_ha</code></td><td>number</td><td>Fläche in Hektar</td>" in page
    # downloads: every output with size, checksum and a direct link
    for out in manifest.outputs:
        href = f'href="/downloads/stadtbezirke/{out.name}"'
        assert href in page and out.sha256 in page
        assert f'title="{out.size} Bytes"' in page
    # OGC API endpoints to copy, with a GDAL one-liner
    assert "http://testserver/collections/stadtbezirke/items" in page
    assert "ogr2ogr stadtbezirke.gpkg OAPIF:http://testserver/collections/stadtbezirke" in page
    assert "http://testserver/collections/catalogue/items/stadtbezirke" in page  # Records
    assert "http://testserver/collections/stadtbezirke/tiles" in page  # OGC API Tiles
    assert "http://testserver/catalogue/dcat/stadtbezirke" in page
    assert "http://testserver/atom/stadtbezirke.xml" in page
    # the map preview reads the PMTiles download
    config = json.loads(re.search(r'id="map-config">(.*?)</script>', page, re.S).group(1))  # type: ignore[union-attr]
    # of the live version: immutable, so browsers, nginx and CDNs keep its ranges
    assert config["pmtiles"] == (f"/downloads/stadtbezirke/versions/{manifest.version}/"
                                 "stadtbezirke.pmtiles")
    part = client.get(config["pmtiles"], headers={"Range": "bytes=0-126"})
    assert part.status_code == 206 and part.data[:7] == b"PMTiles"
    assert "immutable" in part.headers["Cache-Control"]
    assert config["id"] == "stadtbezirke" and "context" not in config
    assert len(config["bbox"]) == 4
    assert "<noscript>" in page  # useful without JS: the text says where the data is


def test_point_dataset_map_has_the_districts_as_context(client: FlaskClient) -> None:
    page = html(client, f"/catalogue/datasets/{HOSTILE_ID}?lang=en")
    config = json.loads(re.search(r'id="map-config">(.*?)</script>', page, re.S).group(1))  # type: ignore[union-attr]
    assert config["geometry"] == "Point"
    assert config["context"]["id"] == "stadtbezirke"
    assert re.fullmatch(r"/downloads/stadtbezirke/versions/[^/]+/stadtbezirke\.pmtiles",
                        config["context"]["pmtiles"])
    assert client.get(config["context"]["pmtiles"]).status_code == 200
    assert "5 features were read from the source and 5 published." in page


def test_unknown_dataset_is_a_404_page(client: FlaskClient) -> None:
    resp = client.get("/catalogue/datasets/nope?lang=en")
    assert resp.status_code == 404 and resp.mimetype == "text/html"
    assert "There is no published dataset" in resp.get_data(as_text=True)


PAGES = [
    "/catalogue/", "/catalogue/?lang=en", "/catalogue/search", "/catalogue/search?q=spiel",
    f"/catalogue/datasets/{HOSTILE_ID}", f"/catalogue/datasets/{HOSTILE_ID}?lang=en",
    "/catalogue/datasets/stadtbezirke",
    "/?f=html", "/collections?f=html", f"/collections/{HOSTILE_ID}?f=html",
    f"/collections/{HOSTILE_ID}/items?f=html", f"/collections/{HOSTILE_ID}/items/1?f=html",
    "/collections/stadtbezirke/items?f=html", "/collections/stadtbezirke/queryables?f=html",
    "/collections/stadtbezirke/schema?f=html", "/conformance?f=html", "/openapi?f=html",
    "/openapi?f=html&ui=redoc", "/TileMatrixSets?f=html", "/TileMatrixSets/WebMercatorQuad?f=html",
    "/collections/catalogue?f=html", "/collections/catalogue/items?f=html",
    f"/collections/catalogue/items/{HOSTILE_ID}?f=html",
]

RESOURCE = re.compile(
    r"<(script|link|img|iframe|source|embed|object|video|audio)\b[^>]*?"
    r"\b(src|href|data)\s*=\s*[\"']([^\"']*)[\"']", re.I | re.S)


@pytest.mark.parametrize("path", PAGES)
def test_pages_load_nothing_from_other_servers(client: FlaskClient, path: str) -> None:
    page = html(client, path)
    urls = [m.group(3) for m in RESOURCE.finditer(page)]
    assert urls, "expected at least the stylesheet"
    foreign = [u for u in urls if re.match(r"^(https?:)?//", u)
               and urlsplit(u).netloc != "testserver"]
    assert foreign == [], f"{path} loads from other servers: {foreign}"
    assert "/static/css/site.css" in page  # one look for catalogue and pygeoapi pages
    assert "unpkg.com" not in page and "jsdelivr" not in page and "cdnjs" not in page


@pytest.mark.parametrize("path", PAGES)
def test_hostile_values_are_shown_as_text(client: FlaskClient, path: str) -> None:
    page = html(client, path)
    assert XSS_TITLE not in page
    assert XSS_ATTR not in page
    assert "<img src=x" not in page and "<script>alert" not in page


def test_hostile_title_is_visible_escaped(client: FlaskClient) -> None:
    page = html(client, f"/catalogue/datasets/{HOSTILE_ID}")
    assert "Spielplätze &lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "&#34;&gt;&lt;img src=x onerror=alert(1)&gt;" in page
    items = html(client, f"/collections/{HOSTILE_ID}/items?f=html")
    assert "&lt;img src=x onerror=alert(1)&gt;" in items


def test_static_assets_are_served_from_the_project(client: FlaskClient) -> None:
    for name in ("vendor/maplibre-gl.js", "vendor/pmtiles.js", "vendor/maplibre-gl.css",
                 "vendor/swagger-ui-bundle.js", "js/map.js", "css/site.css"):
        resp = client.get(f"/static/{name}")
        assert resp.status_code == 200, name
        assert len(resp.data) > 500
    css = client.get("/static/css/site.css").get_data(as_text=True)
    assert "url(" not in css and "@import" not in css and "@font-face" not in css
    resp.close()


def test_catalogue_pages_send_a_strict_content_security_policy(client: FlaskClient) -> None:
    resp = client.get("/catalogue/datasets/stadtbezirke")
    csp = resp.headers["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "script-src 'self'" in csp
    assert resp.headers["Content-Language"] == "de"


def test_browsers_get_the_catalogue_at_root_clients_the_landing_page(
        client: FlaskClient) -> None:
    browser = client.get("/", headers={"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"})
    assert browser.status_code == 303 and browser.headers["Location"].endswith("/catalogue/")
    landing = client.get("/", headers={"Accept": "application/json"})
    assert landing.status_code == 200 and "links" in landing.get_json()
    assert "Accept" in landing.headers["Vary"] and "Accept" in browser.headers["Vary"]
    assert client.get("/?f=json", headers={"Accept": "text/html"}).get_json()["links"]
    assert client.get("/").status_code == 200  # no Accept header: the JSON landing page
    assert client.get("/", headers={"Accept": "*/*"}).status_code == 200
    ogc_html = client.get("/?f=html", headers={"Accept": "text/html"})
    assert ogc_html.status_code == 200 and b"/catalogue/" in ogc_html.data


def test_pygeoapi_pages_follow_a_new_configuration(published: Settings,
                                                   web_site: Settings) -> None:
    """pygeoapi caches its translated config per locale; a publish must not leave it stale."""
    before = create_app(published).test_client()  # only the districts
    assert before.get("/collections?f=html").status_code == 200
    after = create_app(web_site).test_client()  # a newer configuration with spielplaetze
    resp = after.get(f"/collections/{HOSTILE_ID}?f=html")
    assert resp.status_code == 200 and b"Katalogseite mit Kartenvorschau" in resp.data
    assert b"/collections/spielplaetze" in after.get("/collections?f=html").data


def test_facet_counts_follow_the_text_search(client: FlaskClient) -> None:
    page = html(client, "/catalogue/search?q=bezirk&theme=environment")
    assert result_ids(page) == []  # districts are not "environment"
    assert re.search(r'value="planning"\s*> Planung <span class="count">\(1\)', page)
    assert re.search(r'value="environment" checked> Umwelt <span class="count">\(0\)', page)
    assert 'value="CC-BY-4.0"' not in page  # no text match has that licence
