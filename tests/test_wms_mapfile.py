"""The WMS map file generator and the mapserv runner, against Debian's real MapServer."""

from __future__ import annotations

import io
import shutil
from pathlib import Path

import pytest
from lxml import etree
from PIL import Image
from pyproj import Transformer

from opengeodata.declaration import DeclarationError, Style, load_all, load_declaration
from opengeodata.settings import Settings
from opengeodata.store import Store
from opengeodata.wms import MapServer, ServiceInfo, layers_of, write_snapshot
from opengeodata.wms.mapfile import DEFAULT_STYLES, geometry_kind, render_mapfile, resolve_style
from tests.publish_util import add_dataset
from tests.sdi_support import SIZE, SQUARES, XSS, build_sdi_site

needs_mapserv = pytest.mark.skipif(shutil.which("mapserv") is None,
                                   reason="MapServer's mapserv is not installed (make wms-deps)")
INFO = ServiceInfo(title="Test WMS", abstract="Tests", online_resource="http://test/wms",
                   metadata_urls=(("flaechen", "http://test/csw?id=flaechen"),))


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    return build_sdi_site(tmp_path_factory.mktemp("wms"))


def current_layers(settings: Settings) -> list:
    store = Store(settings.data_dir)
    triples = []
    for ds in load_all(settings.datasets_dir):
        manifest, folder = store.live_manifest(ds.decl.id), store.live_dir(ds.decl.id)
        if manifest is not None and folder is not None:
            triples.append((ds, manifest, folder))
    return layers_of(triples)


@pytest.fixture(scope="module")
def snap(site: Settings, tmp_path_factory: pytest.TempPathFactory):
    return write_snapshot(tmp_path_factory.mktemp("maps"), INFO, current_layers(site))


def get(snap, **params: str | int | float):
    query = "&".join(f"{k}={v}" for k, v in
                     {"SERVICE": "WMS", "VERSION": "1.3.0", **params}.items())
    return MapServer(timeout=30).run(snap, query)


def getmap(snap, bbox: tuple[float, ...], crs: str = "EPSG:25832", size: int = 100,
           fmt: str = "image/png", layers: str = "flaechen"):
    return get(snap, REQUEST="GetMap", LAYERS=layers, STYLES="", CRS=crs,
               BBOX=",".join(f"{v:.7f}" for v in bbox), WIDTH=size, HEIGHT=size, FORMAT=fmt)


def test_styles_by_geometry_and_declared() -> None:
    assert geometry_kind("MultiPolygon") == "polygon"
    assert geometry_kind("LineString") == "line"
    assert geometry_kind("Point") == "point"
    assert resolve_style("point", None) == DEFAULT_STYLES["point"]
    declared = resolve_style("polygon", Style(fill_colour="#00ff00", opacity=0.3))
    assert declared.fill_colour == "#00ff00" and declared.opacity == 0.3
    assert declared.line_colour == DEFAULT_STYLES["polygon"].line_colour


def test_bad_style_is_a_declaration_error(tmp_path: Path) -> None:
    from tests.conftest import make_settings
    from tests.publish_util import points

    settings = make_settings(tmp_path, [])
    add_dataset(settings, "kaputt", points(), extra="style: {fill_colour: red}\n")
    with pytest.raises(DeclarationError, match="fill_colour"):
        load_declaration(settings.datasets_dir / "kaputt" / "dataset.yml")


def test_one_layer_per_dataset_with_its_style(site: Settings) -> None:
    layers = {lay.id: lay for lay in current_layers(site)}
    assert set(layers) == {"dop20", "flaechen", "punkte", "stadtbezirke"}
    assert layers["dop20"].kind == "raster" and layers["dop20"].path.suffix == ".tif"
    assert layers["punkte"].geometry == "point"
    assert layers["punkte"].style == DEFAULT_STYLES["point"]
    text = render_mapfile(INFO, list(layers.values()))
    assert "COLOR 255 0 0 OPACITY 100" in text  # flaechen's declared fill
    assert 'SYMBOL "circle"' in text  # the default point symbol
    # the paths name the live *version* folder, not the moving ``live`` link
    assert "/live/" not in text


def test_snapshot_folder_is_reused_and_changes_with_a_publish(site: Settings,
                                                              tmp_path: Path) -> None:
    layers = current_layers(site)
    first = write_snapshot(tmp_path, INFO, layers)
    again = write_snapshot(tmp_path, INFO, layers)
    assert first == again and first.mapfile.is_file() and first.config.is_file()
    other = write_snapshot(tmp_path, INFO, layers[:1])
    assert other.key != first.key and other.mapfile.is_file()
    assert not list(tmp_path.glob(".tmp-*"))


@needs_mapserv
def test_capabilities_list_every_layer_and_crs(snap) -> None:
    answer = get(snap, REQUEST="GetCapabilities")
    assert answer.status == 200 and "xml" in answer.content_type
    doc = etree.fromstring(answer.body)
    ns = {"w": "http://www.opengis.net/wms"}
    names = doc.xpath("//w:Layer/w:Layer/w:Name/text()", namespaces=ns)
    assert set(names) == {"dop20", "flaechen", "punkte", "stadtbezirke"}
    crs = set(doc.xpath("//w:Capability/w:Layer/w:CRS/text()", namespaces=ns))
    assert {"EPSG:25832", "EPSG:4326", "EPSG:3857", "EPSG:4258"} <= crs
    formats = doc.xpath("//w:GetFeatureInfo/w:Format/text()", namespaces=ns)
    assert {"text/html", "text/plain", "application/vnd.ogc.gml"} <= set(formats)
    assert doc.xpath("//w:Layer[w:Name='flaechen']/w:MetadataURL//@xlink:href",
                     namespaces={**ns, "xlink": "http://www.w3.org/1999/xlink"}) == [
        "http://test/csw?id=flaechen"]


def _pixels(body: bytes) -> Image.Image:
    return Image.open(io.BytesIO(body)).convert("RGBA")


@needs_mapserv
def test_getmap_draws_the_square_where_it_is_in_25832(snap) -> None:
    x, y = SQUARES[0]
    # 200 m box: the square fills the lower left quarter (image y grows downwards)
    answer = getmap(snap, (x - 50, y - 50, x + 150, y + 150), size=200)
    assert answer.status == 200 and answer.content_type.startswith("image/png")
    img = _pixels(answer.body)
    assert img.size == (200, 200)
    assert img.getpixel((100, 100))[:3] == (255, 0, 0)  # centre of the square
    assert img.getpixel((10, 190))[3] == 0  # south-west corner: outside, transparent
    assert img.getpixel((190, 10))[3] == 0  # north-east corner: outside
    assert len(set(img.getdata())) > 1  # not blank


@needs_mapserv
def test_getmap_in_4326_uses_lat_lon_axis_order(snap) -> None:
    x, y = SQUARES[1]
    to_geo = Transformer.from_crs("EPSG:25832", "EPSG:4326", always_xy=True)
    lon0, lat0 = to_geo.transform(x + 10, y + 10)
    lon1, lat1 = to_geo.transform(x + SIZE - 10, y + SIZE - 10)
    answer = getmap(snap, (lat0, lon0, lat1, lon1), crs="EPSG:4326", size=64)
    assert answer.status == 200
    img = _pixels(answer.body)
    assert img.getpixel((32, 32))[:3] == (255, 0, 0)
    # the same numbers in lon/lat order are far away from any square: nothing drawn
    wrong = _pixels(getmap(snap, (lon0, lat0, lon1, lat1), crs="EPSG:4326", size=64).body)
    assert wrong.getpixel((32, 32))[3] == 0


@needs_mapserv
@pytest.mark.parametrize("crs", ["EPSG:3857", "EPSG:4258"])
def test_getmap_other_crs(snap, crs: str) -> None:
    x, y = SQUARES[2]
    to = Transformer.from_crs("EPSG:25832", crs, always_xy=True)
    a, b = to.transform(x + 20, y + 20)
    c, d = to.transform(x + SIZE - 20, y + SIZE - 20)
    bbox = (b, a, d, c) if crs == "EPSG:4258" else (a, b, c, d)
    img = _pixels(getmap(snap, bbox, crs=crs, size=32).body)
    assert img.getpixel((16, 16))[:3] == (255, 0, 0)


@needs_mapserv
def test_getmap_jpeg_and_raster(snap) -> None:
    answer = getmap(snap, (549_000, 5_800_000, 551_000, 5_802_000), fmt="image/jpeg",
                    layers="dop20", size=256)
    assert answer.status == 200 and answer.content_type == "image/jpeg"
    img = Image.open(io.BytesIO(answer.body))
    assert img.size == (256, 256) and img.format == "JPEG"


@needs_mapserv
@pytest.mark.parametrize(("fmt", "needle"), [
    ("text/html", b"&lt;script&gt;"), ("text/plain", b"nummer"),
    ("application/vnd.ogc.gml", b"<nummer>0</nummer>"),
])
def test_getfeatureinfo(snap, fmt: str, needle: bytes) -> None:
    x, y = SQUARES[0]
    answer = get(snap, REQUEST="GetFeatureInfo", LAYERS="flaechen", QUERY_LAYERS="flaechen",
                 STYLES="", CRS="EPSG:25832", BBOX=f"{x},{y},{x + SIZE},{y + SIZE}", WIDTH=50,
                 HEIGHT=50, I=25, J=25, INFO_FORMAT=fmt)
    assert answer.status == 200 and answer.content_type.startswith(fmt)
    assert needle in answer.body
    if fmt == "text/html":
        assert b"<script>" not in answer.body  # the hostile name is escaped
        assert XSS.split("&")[0].replace("<", "&lt;").replace(">", "&gt;").encode() in \
            answer.body.replace(b"&quot;", b'"')


@needs_mapserv
def test_getlegendgraphic(snap) -> None:
    answer = get(snap, REQUEST="GetLegendGraphic", LAYER="flaechen", FORMAT="image/png",
                 SLD_VERSION="1.1.0")
    assert answer.status == 200 and answer.content_type.startswith("image/png")
    img = _pixels(answer.body)
    assert (255, 0, 0) in {p[:3] for p in img.getdata()}


@needs_mapserv
@pytest.mark.parametrize(("params", "code"), [
    ({"REQUEST": "GetMap", "LAYERS": "flaechen", "STYLES": "", "CRS": "EPSG:25832",
      "BBOX": "0,0,1,1", "WIDTH": 10, "HEIGHT": 10, "FORMAT": "image/gif"}, "InvalidFormat"),
    ({"REQUEST": "GetMap", "LAYERS": "flaechen", "STYLES": "", "CRS": "EPSG:99999",
      "BBOX": "0,0,1,1", "WIDTH": 10, "HEIGHT": 10, "FORMAT": "image/png"}, "InvalidCRS"),
    ({"REQUEST": "GetMap", "LAYERS": "nope", "STYLES": "", "CRS": "EPSG:25832",
      "BBOX": "0,0,1,1", "WIDTH": 10, "HEIGHT": 10, "FORMAT": "image/png"}, "LayerNotDefined"),
    ({"REQUEST": "GetFeatureInfo", "LAYERS": "dop20", "QUERY_LAYERS": "dop20", "STYLES": "",
      "CRS": "EPSG:25832", "BBOX": "0,0,1,1", "WIDTH": 10, "HEIGHT": 10, "I": 1, "J": 1,
      "INFO_FORMAT": "text/plain"}, "LayerNotQueryable"),
    ({"REQUEST": "DescribeEverything"}, "OperationNotSupported"),
    ({}, "MissingParameterValue"),
])
def test_bad_requests_are_service_exceptions(snap, params: dict, code: str) -> None:
    answer = get(snap, **params)
    assert answer.status == 400
    doc = etree.fromstring(answer.body)
    assert etree.QName(doc).localname == "ServiceExceptionReport"
    assert doc[0].get("code") == code


def test_busy_and_missing_engine_are_service_exceptions(snap) -> None:
    busy = MapServer(concurrency=1, timeout=0.2)
    busy._slots.acquire()
    answer = busy.run(snap, "SERVICE=WMS&VERSION=1.3.0&REQUEST=GetCapabilities")
    assert answer.status == 503 and b"busy" in answer.body
    missing = MapServer(binary="/nonexistent/mapserv").run(snap, "REQUEST=GetCapabilities")
    assert missing.status == 503 and b"ServiceExceptionReport" in missing.body


@needs_mapserv
def test_map_parameter_cannot_choose_another_map_file(snap, tmp_path: Path) -> None:
    evil = tmp_path / "evil.map"
    evil.write_text('MAP NAME "evil" END')
    answer = get(snap, REQUEST="GetCapabilities", map=str(evil))
    assert answer.status == 200 and b"evil" not in answer.body


@needs_mapserv
def test_declared_text_cannot_break_out_of_the_map_file(site: Settings, tmp_path: Path) -> None:
    import dataclasses

    evil = 'A "quoted" \\ back\' "> END LAYER NAME "x" <script>alert(1)</script> %s [name]'
    layers = [dataclasses.replace(lay, title=evil, abstract=evil, attribution=evil,
                                  keywords=(evil,)) for lay in current_layers(site)]
    info = dataclasses.replace(INFO, title=evil, abstract=evil)
    answer = MapServer().run(write_snapshot(tmp_path, info, layers),
                             "SERVICE=WMS&VERSION=1.3.0&REQUEST=GetCapabilities")
    assert answer.status == 200
    doc = etree.fromstring(answer.body)
    ns = {"w": "http://www.opengis.net/wms"}
    assert set(doc.xpath("//w:Layer/w:Layer/w:Name/text()", namespaces=ns)) == {
        "dop20", "flaechen", "punkte", "stadtbezirke"}
    assert set(doc.xpath("//w:Layer/w:Layer/w:Title/text()", namespaces=ns)) == {evil}
