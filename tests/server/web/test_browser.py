"""End to end in a real headless Chromium: start page, search, dataset page, map, popup, download.

Needs Debian's ``chromium`` and ``chromium-driver`` (``make install``/``make test`` install them
as root); without them the test is skipped with the reason. Screenshots go to ``test-artifacts/``.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import shutil
import statistics
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

import pytest

from opengeodata.settings import Settings
from opengeodata.store import Store
from tests.conftest import ROOT, serving
from tests.server.web.support import HOSTILE_ID, PLAYGROUNDS, XSS_ATTR, XSS_TITLE, build_site

pytestmark = [pytest.mark.browser, pytest.mark.slow]

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMEDRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"
ARTIFACTS = ROOT / "test-artifacts"
FLAGS = [
    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--no-first-run", "--disable-sync", "--disable-quic",
    "--disable-default-apps", "--disable-extensions", "--no-default-browser-check",
    "--disable-client-side-phishing-detection", "--disable-domain-reliability",
    "--use-angle=swiftshader", "--enable-unsafe-swiftshader", "--window-size=1280,1000",
    "--lang=de-DE", "--hide-scrollbars",
]


def _skip_reason() -> str | None:
    if not (os.path.exists(CHROMIUM) and os.path.exists(CHROMEDRIVER)):
        return (f"Chromium not installed ({CHROMIUM}, {CHROMEDRIVER} missing): run "
                "'make install' as root (apt-get install chromium chromium-driver)")
    try:
        import PIL  # noqa: F401
        import selenium  # noqa: F401
    except ImportError as exc:
        return f"browser test needs the dev dependencies (pip install -e '.[dev]'): {exc}"
    return None


@pytest.fixture(scope="module")
def browser_site(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """The web test data plus the city map ``stadtkarte`` (base layer of the previews)."""
    return build_site(tmp_path_factory.mktemp("web-browser"), basemap=True)


@pytest.fixture(scope="module")
def server(browser_site: Settings) -> Iterator[str]:
    """``opengeodata serve`` on a free port over the published web test data."""
    with serving(browser_site, workers=1) as url:
        yield url


@pytest.fixture(scope="module")
def driver(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    reason = _skip_reason()
    if reason:
        pytest.skip(reason)
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={tmp_path_factory.mktemp('chromium-profile')}")
    options.add_experimental_option("prefs", {"intl.accept_languages": "de-DE,de"})
    options.set_capability("goog:loggingPrefs", {"performance": "ALL", "browser": "ALL"})
    chrome = webdriver.Chrome(service=Service(executable_path=CHROMEDRIVER), options=options)
    chrome.set_page_load_timeout(30)
    try:
        yield chrome
    finally:
        chrome.quit()


def requested_urls(chrome: Any) -> list[str]:
    """Every URL the browser requested since the last call (CDP Network events)."""
    urls = []
    for entry in chrome.get_log("performance"):
        message = json.loads(entry["message"])["message"]
        if message.get("method") == "Network.requestWillBeSent":
            urls.append(message["params"]["request"]["url"])
    return urls


def no_alert(chrome: Any) -> None:
    from selenium.common.exceptions import NoAlertPresentException

    with pytest.raises(NoAlertPresentException):
        chrome.switch_to.alert.text  # noqa: B018 - raises when there is no alert


def wait_for(chrome: Any, script: str, timeout: float = 30) -> Any:
    from selenium.webdriver.support.ui import WebDriverWait

    return WebDriverWait(chrome, timeout, poll_frequency=0.2).until(
        lambda d: d.execute_script(script))


def test_search_open_preview_click_download(server: str, driver: Any,
                                            browser_site: Settings) -> None:
    from PIL import Image
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.by import By

    ARTIFACTS.mkdir(exist_ok=True)
    seen: list[str] = []

    # start page: a browser asking for / gets the catalogue, in German
    driver.get(f"{server}/")
    assert urlsplit(driver.current_url).path == "/catalogue/"
    assert driver.find_element(By.TAG_NAME, "html").get_attribute("lang") == "de"
    assert "Umwelt" in driver.find_element(By.CSS_SELECTOR, ".theme-grid").text
    driver.save_screenshot(str(ARTIFACTS / "catalogue-start.png"))

    # search with the ae spelling finds "Spielplätze"
    box = driver.find_element(By.ID, "q")
    box.send_keys("spielplaetze")
    box.submit()
    wait_for(driver, "return location.pathname === '/catalogue/search'")
    assert driver.find_element(By.ID, "result-count").text.startswith("1 Treffer")
    link = driver.find_element(By.CSS_SELECTOR, ".results h3 a")
    assert link.text == f"Spielplätze {XSS_TITLE}"  # shown as text, not run
    no_alert(driver)
    link.click()

    # dataset page: the map renders the PMTiles download
    wait_for(driver, f"return location.pathname === '/catalogue/datasets/{HOSTILE_ID}'")
    title = driver.find_element(By.ID, "dataset-title").text
    assert title == f"Spielplätze {XSS_TITLE}"
    assert XSS_ATTR in driver.find_element(By.CSS_SELECTOR, ".description").text
    assert driver.find_elements(By.CSS_SELECTOR, "main img") == []
    wait_for(driver, "var m = document.getElementById('map');"
             "return m.getAttribute('data-state') === 'idle' || m.hasAttribute('data-error');")
    assert driver.find_element(By.ID, "map").get_attribute("data-error") is None
    canvas = driver.find_element(By.CSS_SELECTOR, "#map canvas")
    image = Image.open(io.BytesIO(canvas.screenshot_as_png)).convert("L")
    pixels = list(image.getdata())
    assert statistics.pstdev(pixels) > 3, "the map canvas is blank"
    dark = sum(1 for p in pixels if p < 140)  # the blue point symbols
    assert dark > 50, f"no features drawn ({dark} dark pixels)"

    # click the first playground: the popup shows its attributes as text
    name, lon, lat = PLAYGROUNDS[0]
    x, y = driver.execute_script(
        "var p = window.opengeodataMap.project([arguments[0], arguments[1]]); return [p.x, p.y];",
        lon, lat)
    ActionChains(driver).move_to_element_with_offset(
        canvas, int(x - canvas.size["width"] / 2), int(y - canvas.size["height"] / 2)
    ).click().perform()
    wait_for(driver, "return document.querySelector('.maplibregl-popup') !== null", 10)
    popup = driver.find_element(By.CSS_SELECTOR, ".maplibregl-popup")
    assert name in popup.text and "flaeche_m2" in popup.text
    assert popup.find_elements(By.TAG_NAME, "img") == []
    no_alert(driver)
    driver.save_screenshot(str(ARTIFACTS / "dataset-page.png"))

    # follow a download link from the table: 200 and the bytes of the published file
    anchor = next(a for a in driver.find_elements(By.CSS_SELECTOR, "a.download")
                  if a.text == f"{HOSTILE_ID}.geojson")
    href = anchor.get_attribute("href")
    status, digest, size = driver.execute_async_script(
        "var done = arguments[arguments.length - 1];"
        "fetch(arguments[0]).then(function (r) { return r.arrayBuffer().then(function (b) {"
        "  return crypto.subtle.digest('SHA-256', b).then(function (h) {"
        "    done([r.status, Array.from(new Uint8Array(h)).map(function (x) {"
        "      return x.toString(16).padStart(2, '0'); }).join(''), b.byteLength]); }); }); });",
        href)
    live = Store(browser_site.data_dir).live_dir(HOSTILE_ID)
    assert live is not None
    expected = (live / f"{HOSTILE_ID}.geojson").read_bytes()
    assert (status, size) == (200, len(expected))
    assert digest == hashlib.sha256(expected).hexdigest()
    row = anchor.find_element(By.XPATH, "./ancestor::tr")
    assert digest in row.text  # the checksum the page states is the real one
    seen += requested_urls(driver)
    # the previews read the live version's PMTiles (an immutable, versioned URL)
    for name in (HOSTILE_ID, "stadtbezirke"):
        version = Store(browser_site.data_dir).live_version(name)
        assert any(urlsplit(u).path == f"/downloads/{name}/versions/{version}/{name}.pmtiles"
                   for u in seen), (name, version, seen)

    # the district polygons: filled, and a click in the middle names a district
    driver.get(f"{server}/catalogue/datasets/stadtbezirke")
    wait_for(driver, "var m = document.getElementById('map');"
             "return m.getAttribute('data-state') === 'idle' || m.hasAttribute('data-error');")
    canvas = driver.find_element(By.CSS_SELECTOR, "#map canvas")
    image = Image.open(io.BytesIO(canvas.screenshot_as_png)).convert("RGB")
    bluish = sum(1 for r, g, b in image.getdata() if b > r + 20)
    assert bluish > image.width * image.height // 10, "district polygons not filled"
    ActionChains(driver).move_to_element(canvas).click().perform()
    wait_for(driver, "return document.querySelector('.maplibregl-popup') !== null", 10)
    popup_text = driver.find_element(By.CSS_SELECTOR, ".maplibregl-popup").text
    assert "bezirk_nr" in popup_text and "flaeche_ha" in popup_text
    # the base layer: the city map's raster tiles from this server, loaded (200, PNG)
    basemap = wait_for(driver, """
        var m = window.opengeodataMap;
        if (!m.getLayer('basemap') || !m.isSourceLoaded('basemap')) { return null; }
        return performance.getEntriesByType('resource').filter(function (e) {
          return e.name.indexOf('/collections/stadtkarte/tiles/WebMercatorQuad/') >= 0; })
          .map(function (e) { return [e.name, e.responseStatus, e.encodedBodySize]; });""")
    assert basemap, "no stadtkarte base layer tiles requested"
    assert all(status == 200 and size > 0 for _, status, size in basemap), basemap
    assert driver.execute_script(
        "return window.opengeodataMap.getStyle().layers[1].id") == "basemap"

    # pygeoapi's own pages: project assets only, hostile values as text, map drawn
    driver.get(f"{server}/collections/{HOSTILE_ID}/items?f=html")
    wait_for(driver, "var m = document.getElementById('items-map');"
             "return m !== null && m.getAttribute('data-state') === 'idle';")
    no_alert(driver)
    driver.get(f"{server}/collections/catalogue/items?f=html")
    wait_for(driver, "var m = document.getElementById('items-map');"
             "return m !== null && m.getAttribute('data-state') === 'idle';")
    driver.save_screenshot(str(ARTIFACTS / "records-items.png"))
    no_alert(driver)
    driver.get(f"{server}/openapi?f=html")
    wait_for(driver, "return document.querySelector('#swagger-ui .info') !== null")
    no_alert(driver)

    # without JavaScript the dataset page is still a useful text page
    driver.execute_cdp_cmd("Emulation.setScriptExecutionDisabled", {"value": True})
    try:
        driver.get(f"{server}/catalogue/datasets/stadtbezirke")
        assert not driver.find_element(By.ID, "map").is_displayed()
        body = driver.find_element(By.TAG_NAME, "body").text
        assert "Die Kartenvorschau braucht JavaScript" in body
        assert "stadtbezirke.gpkg" in body and "OAPIF:" in body and "Fläche in Hektar" in body
    finally:
        driver.execute_cdp_cmd("Emulation.setScriptExecutionDisabled", {"value": False})

    seen += requested_urls(driver)
    foreign = [u for u in seen if urlsplit(u).scheme in ("http", "https", "ws", "wss")
               and urlsplit(u).hostname != "127.0.0.1"]
    assert seen and foreign == [], f"requests left 127.0.0.1: {foreign}"
    severe = [e["message"] for e in driver.get_log("browser") if e["level"] == "SEVERE"]
    assert severe == [], severe
