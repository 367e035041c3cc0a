"""/wms and /csw through the real server (gunicorn), read with OWSLib and GDAL's WMS driver."""

from __future__ import annotations

import io
import shutil
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from lxml import etree
from PIL import Image

from opengeodata.catalogue.services import file_identifier
from opengeodata.declaration import load_declaration
from opengeodata.settings import Settings
from opengeodata.store import Store
from pipelines.runner import run_many
from tests.conftest import serving
from tests.publish_util import add_dataset, feature_collection
from tests.sdi_support import SIZE, SQUARES, build_sdi_site

pytestmark = pytest.mark.skipif(shutil.which("mapserv") is None,
                                reason="MapServer's mapserv is not installed (make wms-deps)")
ISO = "http://www.isotc211.org/2005/gmd"
LAYERS = {"dop20", "flaechen", "punkte", "stadtbezirke"}


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    return build_sdi_site(tmp_path_factory.mktemp("sdi"))


@pytest.fixture(scope="module")
def server(site: Settings) -> Iterator[str]:
    with serving(site) as url:
        yield url


def fetch(url: str, data: bytes | None = None) -> tuple[int, str, bytes]:
    req = urllib.request.Request(url, data=data, headers={"Content-Type": "application/xml"}
                                 if data else {})
    try:
        with urllib.request.urlopen(req, timeout=60) as resp:
            return resp.status, resp.headers.get("Content-Type", ""), resp.read()
    except urllib.error.HTTPError as err:
        return err.code, err.headers.get("Content-Type", ""), err.read()


def square_bbox(i: int = 0, margin: float = 50.0) -> tuple[float, float, float, float]:
    x, y = SQUARES[i]
    return (x - margin, y - margin, x + SIZE + margin, y + SIZE + margin)


def test_owslib_wms_capabilities_and_getmap(server: str) -> None:
    from owslib.wms import WebMapService

    wms = WebMapService(f"{server}/wms", version="1.3.0")
    assert set(wms.contents) >= LAYERS
    layer = wms["flaechen"]
    assert "EPSG:25832" in layer.crsOptions and "EPSG:4326" in layer.crsOptions
    assert {"GetMap", "GetFeatureInfo"} <= {op.name for op in wms.operations}
    img = wms.getmap(layers=["flaechen"], styles=[""], srs="EPSG:25832", bbox=square_bbox(0),
                     size=(256, 256), format="image/png")
    picture = Image.open(io.BytesIO(img.read())).convert("RGBA")
    assert picture.size == (256, 256)
    # the square's centre is the image centre; the corners are outside of it (OWSLib asks
    # for TRANSPARENT=FALSE: the white background)
    assert picture.getpixel((128, 128))[:3] == (255, 0, 0)
    assert picture.getpixel((5, 5)) == picture.getpixel((250, 250)) == (255, 255, 255, 255)
    info = wms.getfeatureinfo(layers=["flaechen"], srs="EPSG:25832", bbox=square_bbox(1),
                              size=(256, 256), format="image/png", query_layers=["flaechen"],
                              info_format="text/plain", xy=(128, 128))
    assert b"Fl\xc3\xa4che 1" in info.read()


def test_gdal_reads_the_wms(server: str, tmp_path: Path) -> None:
    if shutil.which("gdalinfo") is None:
        pytest.skip("gdal-bin is not installed (make client-deps)")
    caps = subprocess.run(["gdalinfo", f"WMS:{server}/wms"], capture_output=True, text=True,
                          timeout=60)
    assert caps.returncode == 0, caps.stderr
    assert "LAYERS=flaechen" in caps.stdout and "LAYERS=dop20" in caps.stdout
    bbox = ",".join(str(v) for v in square_bbox(2))
    source = (f"WMS:{server}/wms?SERVICE=WMS&VERSION=1.3.0&REQUEST=GetMap&LAYERS=flaechen"
              f"&CRS=EPSG:25832&BBOX={bbox}&FORMAT=image/png")
    info = subprocess.run(["gdalinfo", source], capture_output=True, text=True, timeout=60)
    assert info.returncode == 0, info.stderr
    assert "Driver: WMS" in info.stdout and "UTM zone 32N" in info.stdout
    out = tmp_path / "square.png"
    done = subprocess.run(["gdal_translate", "-q", "-of", "PNG", "-outsize", "256", "256",
                           source, str(out)], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    picture = Image.open(out).convert("RGBA")
    assert picture.size == (256, 256)
    assert picture.getpixel((128, 128))[:3] == (255, 0, 0)


@pytest.mark.filterwarnings("ignore::FutureWarning")  # OWSLib's notes about its own API
def test_owslib_csw(server: str) -> None:
    from owslib.csw import CatalogueServiceWeb
    from owslib.fes import BBox, PropertyIsLike

    csw = CatalogueServiceWeb(f"{server}/csw")
    assert csw.identification.type == "CSW"
    csw.getrecords2(maxrecords=50, esn="full")
    titles = {r.title for r in csw.records.values()}
    assert {"Stadtbezirke Hannover", "Test flaechen", "Test punkte"} <= titles
    assert csw.results["matches"] == 4
    csw.getrecords2(constraints=[PropertyIsLike("csw:AnyText", "%Stadtbezirk%")],
                    esn="brief", outputschema=ISO)
    assert [r.identification.title for r in csw.records.values()] == ["Stadtbezirke Hannover"]
    csw.getrecords2(constraints=[BBox([47.0, 10.9, 47.5, 11.5])], esn="brief")  # far away
    assert csw.results["matches"] == 0
    csw.getrecords2(maxrecords=2, startposition=3, esn="brief")
    assert csw.results["returned"] == 2 and csw.results["nextrecord"] == 0
    ident = file_identifier(server, "flaechen")
    csw.getrecordbyid(id=[ident], outputschema=ISO)
    record = csw.records[ident]
    assert record.identification.title == "Test flaechen"
    protocols = {o.protocol for o in record.distribution.online}
    assert {"OGC:WMS", "INSPIRE Atom", "OGC:API"} <= protocols


@pytest.mark.parametrize("path", [
    "/wms", "/wms?SERVICE=WMS", "/wms?SERVICE=WFS&REQUEST=GetCapabilities",
    "/wms?SERVICE=WMS&VERSION=1.3.0&REQUEST=GetMap",
    "/wms?SERVICE=WMS&VERSION=1.3.0&REQUEST=GetMap&LAYERS=flaechen&STYLES=&CRS=EPSG:25832"
    "&BBOX=a,b,c,d&WIDTH=256&HEIGHT=256&FORMAT=image/png",
    "/wms?SERVICE=WMS&VERSION=1.3.0&REQUEST=GetMap&LAYERS=flaechen&STYLES=&CRS=EPSG:25832"
    "&BBOX=0,0,1,1&WIDTH=99999&HEIGHT=99999&FORMAT=image/png",
    "/wms?SERVICE=WMS&VERSION=1.3.0&REQUEST=GetMap&LAYERS=flaechen&STYLES=fancy&CRS=EPSG:25832"
    "&BBOX=0,0,1,1&WIDTH=10&HEIGHT=10&FORMAT=image/png",
    "/wms?SERVICE=WMS&VERSION=1.3.0&REQUEST=GetFeatureInfo&LAYERS=flaechen"
    "&QUERY_LAYERS=flaechen&CRS=EPSG:25832&BBOX=0,0,1,1&WIDTH=10&HEIGHT=10&I=-5&J=x"
    "&INFO_FORMAT=text/html",
    "/wms?SERVICE=WMS&VERSION=1.3.0&REQUEST=GetLegendGraphic&LAYER=nope&FORMAT=image/png"
    "&SLD_VERSION=1.1.0",
    "/wms?SERVICE=WMS&REQUEST=GetMap&map=/etc/passwd&LAYERS=x",
    "/csw", "/csw?service=CSW&version=2.0.2&request=GetRecords&typenames=csw:Record"
    "&constraintlanguage=FILTER&constraint=%3Cnot-xml",
    "/csw?service=CSW&version=2.0.2&request=GetRecords&typenames=csw:Record"
    "&resulttype=results&maxrecords=abc",
    "/csw?service=CSW&version=2.0.2&request=GetRecordById&id=",
    "/csw?service=CSW&version=2.0.2&request=Harvest&source=http://example.org/x",
])
def test_bad_requests_get_service_exceptions(server: str, path: str) -> None:
    status, ctype, body = fetch(server + path)
    assert 400 <= status < 500, (status, body[:300])
    assert "xml" in ctype
    root = etree.fromstring(body)
    assert etree.QName(root).localname in {"ServiceExceptionReport", "ExceptionReport"}


def test_posts(server: str) -> None:
    status, _, body = fetch(f"{server}/wms", data=b"<GetMap/>")
    assert status == 400 and b"OperationNotSupported" in body
    getrecords = (b'<csw:GetRecords xmlns:csw="http://www.opengis.net/cat/csw/2.0.2" '
                  b'service="CSW" version="2.0.2" resultType="results">'
                  b'<csw:Query typeNames="csw:Record"><csw:ElementSetName>brief'
                  b"</csw:ElementSetName></csw:Query></csw:GetRecords>")
    status, _, body = fetch(f"{server}/csw", data=getrecords)
    assert status == 200 and b'numberOfRecordsMatched="4"' in body
    status, _, body = fetch(f"{server}/csw", data=b"<csw:GetRecords oops")
    assert status == 400 and b"ExceptionReport" in body


def test_landing_page_lists_the_services(server: str) -> None:
    import json

    status, _, body = fetch(f"{server}/?f=json")
    assert status == 200
    services = {link["href"] for link in json.loads(body)["links"] if link["rel"] == "service"}
    assert f"{server}/wms?SERVICE=WMS&VERSION=1.3.0&REQUEST=GetCapabilities" in services
    assert f"{server}/csw?SERVICE=CSW&VERSION=2.0.2&REQUEST=GetCapabilities" in services
    for href in services:  # both answer
        code, ctype, _ = fetch(href)
        assert code == 200 and "xml" in ctype


def test_dataset_page_has_the_qgis_steps(server: str) -> None:
    status, _, body = fetch(f"{server}/catalogue/datasets/flaechen")
    page = body.decode()
    assert status == 200
    assert "Layer &gt; Layer hinzufügen &gt; WMS/WMTS-Layer hinzufügen..." in page
    assert f'<code id="ows-wms">{server}/wms</code>' in page
    assert '<code id="ows-layer">flaechen</code>' in page
    iso = page.split('id="ows-iso"')[0].rsplit('href="', 1)[1].split('"')[0]
    code, _, record = fetch(iso.replace("&amp;", "&"))
    assert code == 200 and b"gmd:MD_Metadata" in record
    english = fetch(f"{server}/catalogue/datasets/flaechen?lang=en")[2].decode()
    assert "Layer &gt; Add Layer &gt; Add WMS/WMTS Layer..." in english


def test_wms_answers_carry_an_etag_per_snapshot(server: str) -> None:
    url = (f"{server}/wms?SERVICE=WMS&VERSION=1.3.0&REQUEST=GetMap&LAYERS=flaechen&STYLES="
           "&CRS=EPSG:25832&BBOX=550000,5800000,550100,5800100&WIDTH=64&HEIGHT=64"
           "&FORMAT=image/png")
    with urllib.request.urlopen(url, timeout=60) as resp:
        etag = resp.headers["ETag"]
        assert etag and resp.headers["Access-Control-Allow-Origin"] == "*"
    req = urllib.request.Request(url, headers={"If-None-Match": etag})
    with pytest.raises(urllib.error.HTTPError) as err:
        urllib.request.urlopen(req, timeout=60)
    assert err.value.code == 304


@pytest.mark.filterwarnings("ignore::FutureWarning")
def test_every_published_dataset_is_a_layer_and_a_record(server: str, site: Settings) -> None:
    from owslib.csw import CatalogueServiceWeb
    from owslib.wms import WebMapService

    live = set(Store(site.data_dir).live_ids())
    assert live == LAYERS
    assert live <= set(WebMapService(f"{server}/wms", version="1.3.0").contents)
    csw = CatalogueServiceWeb(f"{server}/csw")
    for dataset_id in sorted(live):
        ident = file_identifier(server, dataset_id)
        csw.getrecordbyid(id=[ident], outputschema=ISO)
        assert ident in csw.records, dataset_id
    status, _, body = fetch(f"{server}/catalogue/")
    assert status == 200 and f'<code id="ows-wms">{server}/wms</code>' in body.decode()


@pytest.mark.filterwarnings("ignore::FutureWarning")
def test_a_publish_changes_layers_and_records(server: str, site: Settings) -> None:
    from owslib.csw import CatalogueServiceWeb
    from owslib.wms import WebMapService

    before = WebMapService(f"{server}/wms", version="1.3.0")
    assert "linien" not in before.contents
    lines = feature_collection([{"type": "Feature", "properties": {"name": "Linie"},
                                 "geometry": {"type": "LineString", "coordinates": [
                                     [551_000, 5_801_000], [551_500, 5_801_400]]}}])
    add_dataset(site, "linien", lines, extra="theme: transport\n")
    result = run_many([load_declaration(site.datasets_dir / "linien" / "dataset.yml")], site)
    assert [r.status for r in result] == ["published"]
    deadline = time.monotonic() + 20
    while True:
        wms = WebMapService(f"{server}/wms", version="1.3.0")
        if "linien" in wms.contents or time.monotonic() > deadline:
            break
        time.sleep(0.5)
    assert set(wms.contents) >= LAYERS | {"linien"}
    csw = CatalogueServiceWeb(f"{server}/csw")
    csw.getrecords2(maxrecords=50)
    assert csw.results["matches"] == 5
    assert "Test linien" in {r.title for r in csw.records.values()}
