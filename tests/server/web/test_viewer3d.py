"""The 3D viewer ``/catalogue/datasets/{id}/3d``: the page, and CesiumJS in a real Chromium.

The browser part drives Debian's ``chromium`` with SwiftShader WebGL (software rendering, as
in ``tests/server/web/test_browser.py``): buildings from the 3D Tiles are drawn on the
``dgm1`` terrain, a click shows a building's attributes, and no request leaves 127.0.0.1.
Screenshots go to ``test-artifacts/``. Without Chromium the browser test is skipped with the reason.
"""

from __future__ import annotations

import io
import json
import re
import sqlite3
import time
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

import morecantile
import pytest
from flask.testing import FlaskClient

from opengeodata.server.app import create_app
from opengeodata.settings import Settings
from opengeodata.store import Store
from tests.conftest import make_settings, serving
from tests.pipelines.publish.util import publish_all
from tests.server.web.test_browser import (
    ARTIFACTS,
    CHROMEDRIVER,
    CHROMIUM,
    FLAGS,
    _skip_reason,
    requested_urls,
    wait_for,
)


@pytest.fixture(scope="module")
def city(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """The LoD2 sample with its 3D Tiles, the terrain and both imagery datasets."""
    return publish_all(make_settings(tmp_path_factory.mktemp("viewer3d"),
                                     ["lod2", "dgm1", "stadtkarte", "dop20"]))


@pytest.fixture(scope="module")
def client(city: Settings) -> FlaskClient:
    return create_app(city).test_client()


def viewer_config(page: str) -> dict[str, Any]:
    match = re.search(r'<script type="application/json" id="viewer-config">(.*?)</script>',
                      page, re.S)
    assert match, "no viewer configuration on the page"
    return dict(json.loads(match.group(1)))


def test_dataset_page_links_the_viewer(client: FlaskClient) -> None:
    page = client.get("/catalogue/datasets/lod2").get_data(as_text=True)
    assert 'id="viewer-link" class="button" href="/catalogue/datasets/lod2/3d"' in page
    assert "In 3D ansehen" in page
    assert "/3d" not in client.get("/catalogue/datasets/dgm1").get_data(as_text=True)


def test_viewer_page_configuration_and_policy(client: FlaskClient) -> None:
    response = client.get("/catalogue/datasets/lod2/3d?lang=en")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    cfg = viewer_config(page)
    assert cfg["tileset"] == "/collections/lod2/3dtiles/tileset.json"
    assert cfg["terrain"]["id"] == "dgm1" and cfg["terrain"]["size"] == 65
    assert [layer["id"] for layer in cfg["imagery"]] == ["stadtkarte", "dop20"]
    lon, lat, size = 9.7107, 52.3527, 180.0 / 2**16  # inside the samples
    terrain_xy = (int((lon + 180) / size), int((90 - lat) / size))  # geographic tiling
    mercator = morecantile.tms.get("WebMercatorQuad").tile(lon, lat, 16)
    for template, (x, y) in [(cfg["terrain"]["tiles"], terrain_xy),
                             *((layer["tiles"], (mercator.x, mercator.y))
                               for layer in cfg["imagery"])]:
        assert "v=" in template, template  # the live version's tiles: cached as immutable
        url = template.replace("{z}", "16").replace("{x}", str(x)).replace("{y}", str(y))
        assert "immutable" in client.get(url).headers["Cache-Control"], url
    assert {c["value"] for c in cfg["colours"]["dachform"]} >= {"1000", "3100", "3200"}
    assert "31001_1000" in {c["value"] for c in cfg["colours"]["funktion"]}
    assert cfg["cesium"] == "/static/vendor/cesium/"
    assert "The 3D view needs WebGL" in page and "Roof type" in page
    csp = response.headers["Content-Security-Policy"]
    assert "worker-src 'self' blob:" in csp and "connect-src 'self'" in csp
    assert "http" not in csp  # nothing remote
    for asset in ("vendor/cesium/Cesium.js", "vendor/cesium/Widgets/widgets.css",
                  "js/viewer3d.js", "js/cesium-base.js"):
        assert f"/static/{asset}" in page
        assert client.get(f"/static/{asset}").status_code == 200
    assert client.get("/static/vendor/cesium/Workers/createVerticesFromHeightmap.js"
                      ).status_code == 200
    german = client.get("/catalogue/datasets/lod2/3d").get_data(as_text=True)
    assert "Die 3D-Ansicht braucht WebGL" in german and "Dachform" in german


def test_viewer_of_a_dataset_without_3d_tiles_is_404(client: FlaskClient) -> None:
    for path in ("/catalogue/datasets/dgm1/3d", "/catalogue/datasets/nope/3d"):
        response = client.get(path)
        assert response.status_code == 404 and "text/html" in response.content_type


# --- in Chromium ----------------------------------------------------------------------------

@pytest.fixture(scope="module")
def server(city: Settings) -> Iterator[str]:
    with serving(city, workers=1) as url:
        yield url


def chromium(profile: str, extra: tuple[str, ...] = ()) -> Any:
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in (*FLAGS, *extra):
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={profile}")
    options.add_experimental_option("prefs", {"intl.accept_languages": "de-DE,de"})
    options.set_capability("goog:loggingPrefs", {"performance": "ALL", "browser": "ALL"})
    chrome = webdriver.Chrome(service=Service(executable_path=CHROMEDRIVER), options=options)
    chrome.set_page_load_timeout(60)
    return chrome


@pytest.fixture(scope="module")
def driver(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    reason = _skip_reason()
    if reason:
        pytest.skip(reason)
    chrome = chromium(str(tmp_path_factory.mktemp("chromium-viewer")))
    try:
        yield chrome
    finally:
        chrome.quit()


def first_building(city: Settings) -> tuple[str, float, float, float, float]:
    """(gml_id, lon, lat, ground height, height) of the first building of the sample."""
    live = Store(city.data_dir).live_dir("lod2")
    assert live is not None
    with sqlite3.connect(live / "lod2.gpkg") as db:
        gml_id, ground, height = db.execute(
            "SELECT gml_id, gelaendehoehe, hoehe FROM lod2 ORDER BY gml_id LIMIT 1").fetchone()
    features = json.loads((live / "lod2.geojson").read_text(encoding="utf-8"))["features"]
    feature = next(f for f in features if f["properties"]["gml_id"] == gml_id)
    ring = feature["geometry"]["coordinates"][0]
    if feature["geometry"]["type"] == "MultiPolygon":
        ring = ring[0]
    lon = sum(p[0] for p in ring[:-1]) / (len(ring) - 1)
    lat = sum(p[1] for p in ring[:-1]) / (len(ring) - 1)
    return gml_id, lon, lat, float(ground), float(height)


def canvas_pixels(chrome: Any) -> Any:
    from PIL import Image
    from selenium.webdriver.common.by import By

    canvas = chrome.find_element(By.CSS_SELECTOR, "#viewer canvas")
    return Image.open(io.BytesIO(canvas.screenshot_as_png)).convert("RGB")


def render_settled(chrome: Any) -> None:
    """Wait until the globe and the tileset have loaded what the view needs (in two renders
    one after the other: a camera move queues its tiles only at the next render)."""
    check = ("var v = window.opengeodataViewer; v.scene.requestRender();"
             "return v.scene.globe.tilesLoaded && (!v.tileset || v.tileset.tilesLoaded);")
    for _ in range(2):
        wait_for(chrome, check, 180)
        time.sleep(1)  # a frame or two (SwiftShader draws a few per second)


@pytest.mark.browser
@pytest.mark.slow
def test_viewer_draws_buildings_on_the_terrain_and_shows_attributes(
        server: str, driver: Any, city: Settings, tmp_path_factory: pytest.TempPathFactory
) -> None:
    from PIL import ImageChops
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.by import By

    ARTIFACTS.mkdir(exist_ok=True)
    driver.get(f"{server}/catalogue/datasets/lod2")
    driver.find_element(By.ID, "viewer-link").click()
    wait_for(driver, "return location.pathname === '/catalogue/datasets/lod2/3d'")
    state = wait_for(driver, "var s = document.getElementById('viewer').getAttribute("
                     "'data-state'); return s === 'loading' ? null : s;", 120)
    assert state == "ready", driver.find_element(By.ID, "viewer").get_attribute("data-error")
    assert not driver.find_element(By.ID, "viewer-nowebgl").is_displayed()

    # look at the first building of the sample from 150 m
    gml_id, lon, lat, ground, height = first_building(city)
    driver.execute_script(
        "var C = Cesium, v = window.opengeodataViewer;"
        "var carto = C.Cartographic.fromDegrees(arguments[0], arguments[1]);"
        "var h = v.scene.globe.getHeight(carto) || arguments[2];"
        "v.widget.camera.lookAt(C.Cartesian3.fromDegrees(arguments[0], arguments[1], h),"
        "  new C.HeadingPitchRange(0.4, -0.55, 150));"
        "v.widget.camera.lookAtTransform(C.Matrix4.IDENTITY); v.scene.requestRender();",
        lon, lat, ground + 43)
    render_settled(driver)
    # the terrain there, once its fine tile is in: the DGM's height plus the geoid (42-45 m)
    terrain_height = wait_for(driver, """
        var h = window.opengeodataViewer.scene.globe.getHeight(
          Cesium.Cartographic.fromDegrees(arguments[0], arguments[1]));
        window.opengeodataViewer.scene.requestRender();
        return h !== undefined && h - arguments[2] > 42 && h - arguments[2] < 45.5 ? h : null;
        """.replace("arguments[0]", str(lon)).replace("arguments[1]", str(lat))
        .replace("arguments[2]", str(ground)), 120)
    render_settled(driver)

    with_buildings = canvas_pixels(driver)
    driver.execute_script("window.opengeodataViewer.tileset.show = false;")
    render_settled(driver)
    empty = canvas_pixels(driver)
    driver.execute_script("window.opengeodataViewer.tileset.show = true;")
    render_settled(driver)
    diff = ImageChops.difference(with_buildings, empty).convert("L")
    changed = sum(1 for p in diff.getdata() if p > 40)
    assert changed > with_buildings.width * with_buildings.height // 50, (
        f"buildings not drawn: {changed} pixels differ from the empty terrain")
    with_buildings.save(ARTIFACTS / "viewer3d-buildings.png")
    empty.save(ARTIFACTS / "viewer3d-terrain-only.png")

    # click the building: its attributes appear in the panel, as text
    x, y = driver.execute_script(
        "var C = Cesium, v = window.opengeodataViewer;"
        "var p = C.SceneTransforms.worldToWindowCoordinates(v.scene,"
        "  C.Cartesian3.fromDegrees(arguments[0], arguments[1], arguments[2]));"
        "return [p.x, p.y];", lon, lat, terrain_height + height / 2)
    canvas = driver.find_element(By.CSS_SELECTOR, "#viewer canvas")
    ActionChains(driver).move_to_element_with_offset(
        canvas, int(x - canvas.size["width"] / 2), int(y - canvas.size["height"] / 2)
    ).click().perform()
    wait_for(driver, "return !document.getElementById('viewer-info').hidden", 20)
    info = driver.find_element(By.ID, "viewer-info").text
    assert gml_id in info and "dachform" in info and "funktion" in info
    assert driver.find_element(By.ID, "viewer").get_attribute("data-picked") == gml_id
    driver.save_screenshot(str(ARTIFACTS / "viewer3d.png"))

    # switches: colour by function, the orthophoto as imagery
    before = canvas_pixels(driver)
    driver.find_element(By.CSS_SELECTOR, "input[name=colour][value=funktion]").click()
    driver.find_element(By.CSS_SELECTOR, "input[name=imagery][value=dop20]").click()
    assert driver.find_element(By.ID, "viewer").get_attribute("data-colour") == "funktion"
    assert "Wohngebäude" in driver.find_element(By.ID, "viewer-legend").text
    render_settled(driver)
    after = canvas_pixels(driver)
    assert ImageChops.difference(before, after).getbbox() is not None
    driver.save_screenshot(str(ARTIFACTS / "viewer3d-dop20-funktion.png"))

    seen = requested_urls(driver)
    assert any(urlsplit(u).path.startswith("/collections/lod2/3dtiles/")
               and urlsplit(u).path.endswith(".glb") for u in seen)
    assert any("/collections/dgm1/terrain/" in u for u in seen)
    assert any("/collections/stadtkarte/tiles/WebMercatorQuad/" in u for u in seen)
    assert any("/collections/dop20/tiles/WebMercatorQuad/" in u for u in seen)
    foreign = [u for u in seen if urlsplit(u).scheme in ("http", "https", "ws", "wss")
               and urlsplit(u).hostname != "127.0.0.1"]
    assert seen and foreign == [], f"requests left 127.0.0.1: {foreign}"
    severe = [e["message"] for e in driver.get_log("browser") if e["level"] == "SEVERE"]
    assert severe == [], severe


@pytest.mark.browser
@pytest.mark.slow
def test_without_webgl_the_page_says_so(server: str,
                                        tmp_path_factory: pytest.TempPathFactory) -> None:
    from selenium.webdriver.common.by import By

    reason = _skip_reason()
    if reason:
        pytest.skip(reason)
    chrome = chromium(str(tmp_path_factory.mktemp("chromium-nowebgl")), ("--disable-3d-apis",))
    try:
        chrome.get(f"{server}/catalogue/datasets/lod2/3d")
        wait_for(chrome, "return document.getElementById('viewer').getAttribute("
                 "'data-state') === 'no-webgl'", 30)
        note = chrome.find_element(By.ID, "viewer-nowebgl")
        assert note.is_displayed() and "braucht WebGL" in note.text
        assert not chrome.find_element(By.ID, "viewer").is_displayed()
    finally:
        chrome.quit()
