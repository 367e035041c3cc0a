"""The MapServer map file of one published snapshot: one WMS layer per published dataset.

Vector datasets are drawn from the live GeoPackage with the ``style:`` of their declaration
(or a default by geometry type), rasters from the live COG. A snapshot is written once into
``<root>/<key>/`` (``opengeodata.map``, the feature-info templates and a MapServer config),
where ``key`` hashes everything the file is made of (live versions, declarations, base URL):
a publish makes a new folder, switched to by the server, and a folder is never changed, so a
request always reads one consistent map file.
"""

from __future__ import annotations

import hashlib
import html
import json
import os
import shutil
import time
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

from opengeodata.declaration import DeclaredDataset, Style
from opengeodata.manifest import Manifest

#: bump when the generated map file changes shape (new snapshot folders then)
GENERATOR_VERSION = "1"
MAP_NAME = "opengeodata.map"
CONFIG_NAME = "mapserver.conf"
#: CRSs every layer is offered in (WMS 1.3 axis order per CRS is MapServer's job)
WMS_CRS = ("EPSG:25832", "EPSG:4326", "EPSG:3857", "EPSG:4258")
MAX_SIZE = 4096
KEEP_SNAPSHOTS = 4
#: a fallback extent (Hannover, EPSG:25832) for a map without layers
HANNOVER = (540_000.0, 5_785_000.0, 565_000.0, 5_816_000.0)
ISO_SCHEMA = "http://www.isotc211.org/2005/gmd"


@dataclass(frozen=True)
class LayerStyle:
    """A resolved style: every value set."""

    line_colour: str
    fill_colour: str
    line_width: float
    opacity: float
    point_size: float


#: defaults by geometry kind
DEFAULT_STYLES = {
    "polygon": LayerStyle("#1f5f99", "#a6cee3", 1.2, 0.5, 0),
    "line": LayerStyle("#1f5f99", "#1f5f99", 2.0, 1.0, 0),
    "point": LayerStyle("#1b5e20", "#33a02c", 1.0, 0.9, 7.0),
}


def geometry_kind(geometry_type: str | None) -> str:
    """``polygon``, ``line`` or ``point`` for an OGR geometry type name (polygon if unknown)."""
    name = (geometry_type or "").lower()
    if "polygon" in name or "surface" in name:
        return "polygon"
    if "point" in name:
        return "point"
    if "line" in name or "curve" in name:
        return "line"
    return "polygon"


def resolve_style(kind: str, declared: Style | None) -> LayerStyle:
    """The declared style over the default of the geometry kind."""
    base = DEFAULT_STYLES[kind]
    if declared is None:
        return base
    values = {k: v for k, v in declared.model_dump().items() if v is not None}
    return LayerStyle(**{**asdict(base), **values})


@dataclass(frozen=True)
class WmsLayer:
    """One dataset as a WMS layer."""

    id: str
    title: str
    abstract: str
    kind: str  # "vector" | "raster"
    path: Path
    bbox: tuple[float, float, float, float]
    crs: str = "EPSG:25832"
    table: str | None = None
    geometry: str | None = None  # polygon | line | point
    keywords: tuple[str, ...] = ()
    fields: tuple[str, ...] = ()
    style: LayerStyle | None = None
    attribution: str = ""
    version: str = ""


@dataclass(frozen=True)
class ServiceInfo:
    """Service metadata of the WMS (GetCapabilities ``<Service>``)."""

    title: str
    abstract: str
    online_resource: str
    keywords: tuple[str, ...] = ()
    organisation: str = ""
    person: str = ""
    email: str = ""
    url: str = ""
    fees: str = "keine"
    access_constraints: str = "keine"
    #: (dataset id, GetRecordById URL of its ISO 19139 record) for the layers' MetadataURL
    metadata_urls: tuple[tuple[str, str], ...] = ()
    #: URL pattern of a dataset's download page, ``{id}`` = dataset id
    data_url: str = ""
    extra: tuple[tuple[str, str], ...] = field(default=())


def layer_of(ds: DeclaredDataset, manifest: Manifest, version_dir: Path) -> WmsLayer | None:
    """The WMS layer of a published dataset: its COG, else its GeoPackage layer, else None."""
    decl = ds.decl
    extent = manifest.extent
    if extent is None or len(extent.bbox) != 4:
        return None
    bbox = (extent.bbox[0], extent.bbox[1], extent.bbox[2], extent.bbox[3])
    cog = manifest.output("cog")
    gpkg = manifest.output("gpkg")
    if cog is None and (gpkg is None or not manifest.layer):
        return None
    kind = geometry_kind(manifest.geometry_type)
    vector = cog is None
    return WmsLayer(
        id=decl.id, title=decl.title, abstract=decl.description, keywords=tuple(decl.keywords),
        attribution=decl.licence.attribution, crs=extent.crs, version=manifest.version,
        kind="vector" if vector else "raster", bbox=bbox,
        path=version_dir / (gpkg.name if vector and gpkg else cog.name if cog else ""),
        table=manifest.layer if vector else None, geometry=kind if vector else None,
        fields=tuple(f.name for f in manifest.fields) if vector else (),
        style=resolve_style(kind, decl.style) if vector else None,
    )


def layers_of(published: Iterable[tuple[DeclaredDataset, Manifest, Path]]) -> list[WmsLayer]:
    """The WMS layers of (declaration, live manifest, live version folder) triples, sorted
    by id; datasets without a COG or GeoPackage layer are left out."""
    out = [lay for ds, manifest, folder in published
           if (lay := layer_of(ds, manifest, folder)) is not None]
    return sorted(out, key=lambda lay: lay.id)


def q(text: object) -> str:
    """A MapServer string literal."""
    value = " ".join(str(text).split())
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def rgb(colour: str) -> str:
    """``#rrggbb`` as MapServer's ``r g b``."""
    return " ".join(str(int(colour[i:i + 2], 16)) for i in (1, 3, 5))


def epsg(crs: str) -> str:
    """MapServer PROJECTION init string of ``EPSG:n`` (or an OGC URI ending in the code)."""
    code = crs.replace("::", ":").rsplit(":", 1)[-1].rsplit("/", 1)[-1]
    return f'PROJECTION "init=epsg:{code}" END'


def _metadata(items: Iterable[tuple[str, str]], indent: str) -> list[str]:
    lines = [f"{indent}METADATA"]
    lines += [f"{indent}  {q(k)} {q(v)}" for k, v in items if v != ""]
    return [*lines, f"{indent}END"]


def _union(layers: Sequence[WmsLayer]) -> tuple[float, float, float, float]:
    boxes = [lay.bbox for lay in layers if lay.crs.endswith("25832")]
    if not boxes:
        return HANNOVER
    return (min(b[0] for b in boxes), min(b[1] for b in boxes),
            max(b[2] for b in boxes), max(b[3] for b in boxes))


def _service_metadata(info: ServiceInfo) -> list[tuple[str, str]]:
    return [
        ("ows_title", info.title),
        ("ows_abstract", info.abstract),
        ("ows_keywordlist", ",".join(info.keywords)),
        ("ows_onlineresource", info.online_resource.rstrip("?") + "?"),
        ("ows_srs", " ".join(WMS_CRS)),
        ("ows_enable_request", "GetCapabilities GetMap GetFeatureInfo GetLegendGraphic"),
        ("wms_getmap_formatlist", "image/png,image/jpeg"),
        ("wms_getlegendgraphic_formatlist", "image/png"),
        ("wms_feature_info_mime_type", "text/html"),
        ("ows_contactorganization", info.organisation),
        ("ows_contactperson", info.person),
        ("ows_contactelectronicmailaddress", info.email),
        ("ows_fees", info.fees),
        ("ows_accessconstraints", info.access_constraints),
        ("ows_encoding", "UTF-8"),
        ("wms_rootlayer_title", info.title),
        ("wms_rootlayer_abstract", info.abstract),
        *info.extra,
    ]


def _layer_metadata(lay: WmsLayer, info: ServiceInfo) -> list[tuple[str, str]]:
    items = [
        ("wms_title", lay.title),
        ("wms_abstract", lay.abstract),
        ("wms_keywordlist", ",".join(lay.keywords)),
        ("wms_extent", " ".join(f"{v:.3f}" for v in lay.bbox)),
        ("wms_attribution_title", lay.attribution),
    ]
    metadata_url = dict(info.metadata_urls).get(lay.id)
    if metadata_url:
        items += [("wms_metadataurl_href", metadata_url),
                  ("wms_metadataurl_format", "text/xml"),
                  ("wms_metadataurl_type", "ISO19115:2003")]
    if info.data_url:
        items += [("wms_dataurl_href", info.data_url.format(id=lay.id)),
                  ("wms_dataurl_format", "text/html")]
    if lay.kind == "vector":
        items += [("wms_include_items", "all"), ("gml_include_items", "all"),
                  ("gml_featureid", "fid"), ("wms_feature_info_mime_type", "text/html")]
    return items


def _style_lines(lay: WmsLayer) -> list[str]:
    st = lay.style or DEFAULT_STYLES["polygon"]
    opacity = round(st.opacity * 100)
    title = q(lay.title)
    if lay.geometry == "point":
        style = [f"      STYLE SYMBOL \"circle\" SIZE {st.point_size:g} COLOR {rgb(st.fill_colour)}"
                 f" OPACITY {opacity} END",
                 f"      STYLE SYMBOL \"circle\" SIZE {st.point_size:g}"
                 f" OUTLINECOLOR {rgb(st.line_colour)} WIDTH {st.line_width:g} END"]
    elif lay.geometry == "line":
        style = [f"      STYLE COLOR {rgb(st.line_colour)} WIDTH {st.line_width:g}"
                 f" OPACITY {opacity} END"]
    else:
        style = [f"      STYLE COLOR {rgb(st.fill_colour)} OPACITY {opacity} END",
                 f"      STYLE OUTLINECOLOR {rgb(st.line_colour)} WIDTH {st.line_width:g} END"]
    return ["    CLASS", f"      NAME {title}", *style, "    END"]


def _layer_lines(lay: WmsLayer, info: ServiceInfo) -> list[str]:
    lines = ["  LAYER", f"    NAME {q(lay.id)}", "    STATUS ON", f"    {epsg(lay.crs)}",
             "    EXTENT " + " ".join(f"{v:.3f}" for v in lay.bbox)]
    if lay.kind == "raster":
        lines += ["    TYPE RASTER", f"    DATA {q(lay.path)}",
                  '    PROCESSING "RESAMPLE=BILINEAR"']
    else:
        mstype = {"point": "POINT", "line": "LINE"}.get(lay.geometry or "", "POLYGON")
        lines += [f"    TYPE {mstype}", "    CONNECTIONTYPE OGR", f"    CONNECTION {q(lay.path)}",
                  f"    DATA {q(lay.table)}",
                  f"    TEMPLATE {q(f'templates/{lay.id}.html')}",
                  '    HEADER "templates/header.html"', '    FOOTER "templates/footer.html"',
                  "    TOLERANCE 4", "    TOLERANCEUNITS PIXELS"]
    lines += _metadata(_layer_metadata(lay, info), "    ")
    if lay.kind == "vector":
        lines += _style_lines(lay)
    return [*lines, "  END"]


def render_mapfile(info: ServiceInfo, layers: Sequence[WmsLayer]) -> str:
    """The text of the map file (template paths relative to its folder)."""
    extent = " ".join(f"{v:.3f}" for v in _union(layers))
    lines = [
        "# Generated by opengeodata.wms.mapfile from the published datasets; never edit.",
        "MAP", '  NAME "opengeodata"', "  STATUS ON", f"  EXTENT {extent}", "  UNITS METERS",
        "  SIZE 256 256", f"  MAXSIZE {MAX_SIZE}", "  IMAGECOLOR 255 255 255",
        f"  {epsg('EPSG:25832')}",
        '  SYMBOL NAME "circle" TYPE ELLIPSE FILLED TRUE POINTS 1 1 END END',
        '  OUTPUTFORMAT NAME "png" DRIVER "AGG/PNG" MIMETYPE "image/png" IMAGEMODE RGBA',
        '    TRANSPARENT ON EXTENSION "png" FORMATOPTION "COMPRESSION=6" END',
        '  OUTPUTFORMAT NAME "jpeg" DRIVER "AGG/JPEG" MIMETYPE "image/jpeg" IMAGEMODE RGB',
        '    EXTENSION "jpg" FORMATOPTION "QUALITY=85" END',
        "  LEGEND", "    KEYSIZE 20 12", "    LABEL TYPE BITMAP SIZE MEDIUM COLOR 0 0 0 END",
        "  END",
        "  WEB", *_metadata(_service_metadata(info), "    "), "  END",
    ]
    for lay in layers:
        lines += _layer_lines(lay, info)
    return "\n".join([*lines, "END", ""])


HEADER = """<!-- MapServer Template -->
<!DOCTYPE html>
<html lang="de"><head><meta charset="utf-8"><title>GetFeatureInfo</title></head><body>
"""
FOOTER = """<!-- MapServer Template -->
</body></html>
"""


def feature_template(lay: WmsLayer) -> str:
    """The GetFeatureInfo text/html template of a vector layer: one table per feature."""
    rows = "".join(
        f"<tr><th>{html.escape(name)}</th><td>[item name=\"{name}\" escape=\"html\"]</td></tr>"
        for name in lay.fields
    )
    return ("<!-- MapServer Template -->\n"
            f"<table class=\"feature\" data-layer=\"{lay.id}\"><caption>"
            f"{html.escape(lay.title)}</caption>{rows}</table>\n")


def mapserver_config(root: Path) -> str:
    """A MapServer 8 config that only allows map files below ``root``."""
    pattern = "^" + str(root.resolve()).replace(".", "\\.") + "/"
    return "\n".join(["CONFIG", "  ENV", f"    MS_MAP_PATTERN {q(pattern)}",
                      '    MS_ERRORFILE "stderr"', "  END", "END", ""])


def snapshot_key(info: ServiceInfo, layers: Sequence[WmsLayer]) -> str:
    """Hash of everything a snapshot's files are made of."""
    payload = json.dumps([GENERATOR_VERSION, asdict(info), [asdict(lay) for lay in layers]],
                         default=str, sort_keys=True)
    return hashlib.sha256(payload.encode()).hexdigest()[:16]


@dataclass(frozen=True)
class MapSnapshot:
    """The files of one snapshot's map."""

    key: str
    folder: Path
    layers: tuple[str, ...]
    #: the layers GetFeatureInfo answers for (vector layers)
    queryable: tuple[str, ...] = ()

    @property
    def mapfile(self) -> Path:
        """The map file."""
        return self.folder / MAP_NAME

    @property
    def config(self) -> Path:
        """The MapServer config file."""
        return self.folder / CONFIG_NAME


def write_snapshot(root: Path, info: ServiceInfo, layers: Sequence[WmsLayer]) -> MapSnapshot:
    """Write (or reuse) the snapshot folder of ``layers`` under ``root``: complete before it
    appears (written aside, then one rename), never changed afterwards; old ones pruned."""
    key = snapshot_key(info, layers)
    folder = root / key
    snap = MapSnapshot(key, folder, tuple(lay.id for lay in layers),
                       tuple(lay.id for lay in layers if lay.kind == "vector"))
    if (folder / MAP_NAME).is_file():
        return snap
    root.mkdir(parents=True, exist_ok=True)
    tmp = root / f".tmp-{uuid.uuid4().hex}"
    (tmp / "templates").mkdir(parents=True)
    try:
        (tmp / "templates" / "header.html").write_text(HEADER, encoding="utf-8")
        (tmp / "templates" / "footer.html").write_text(FOOTER, encoding="utf-8")
        for lay in layers:
            if lay.kind == "vector":
                (tmp / "templates" / f"{lay.id}.html").write_text(feature_template(lay),
                                                                   encoding="utf-8")
        (tmp / CONFIG_NAME).write_text(mapserver_config(root), encoding="utf-8")
        (tmp / MAP_NAME).write_text(render_mapfile(info, layers), encoding="utf-8")
        try:
            os.rename(tmp, folder)
        except OSError:  # another worker was first: its folder has the same content
            if not (folder / MAP_NAME).is_file():
                raise
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)
    prune(root, keep=KEEP_SNAPSHOTS, current=key)
    return snap


def prune(root: Path, keep: int, current: str, min_age: float = 600.0) -> None:
    """Remove snapshot folders beyond the ``keep`` newest that are older than ``min_age``
    seconds (a request may still be reading one) and stale temporary folders."""
    now = time.time()
    folders = sorted((p for p in root.iterdir() if p.is_dir()),
                     key=lambda p: p.stat().st_mtime, reverse=True)
    kept = 0
    for path in folders:
        if path.name == current:
            continue
        old = now - path.stat().st_mtime > min_age
        if path.name.startswith(".tmp-"):
            if old:
                shutil.rmtree(path, ignore_errors=True)
            continue
        kept += 1
        if kept >= keep and old:
            shutil.rmtree(path, ignore_errors=True)
