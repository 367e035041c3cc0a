"""The description of a raster coverage (``coverage?f=json`` / ``coverage?f=html``).

OGC API Coverages links a coverage in JSON and HTML next to its binary encodings. The JSON
answer describes the coverage as CIS 1.1 JSON (domain set = the regular grid in the raster's
CRS, range type = the bands) with links to the encodings; the HTML page shows the extent, the
grid and a PNG preview. The domain set and the range type are also their own documents
(``coverage/domainset``, ``coverage/rangetype``, linked from the collection: GDAL's OGCAPI
driver reads the grid, band count and band type from them). Pure functions of the open reader.
"""

from __future__ import annotations

import html
from typing import Any

from rio_tiler.io import Reader

from opengeodata.ogc import REL_DOMAINSET, REL_RANGETYPE
from opengeodata.server.raster_render import CRS84, CRS84_RIO, MAX_COVERAGE_SIDE
from opengeodata.versioned import with_version

EPSG_URI = "http://www.opengis.net/def/crs/EPSG/0/{}"
PREVIEW = "scale-size=E(512)&f=png"


#: OGC data type names (``http://www.opengis.net/def/dataType/OGC/0/...``) of band types
DATA_TYPES = {"uint8": "unsignedByte", "int8": "signedByte", "uint16": "unsignedShort",
              "int16": "signedShort", "uint32": "unsignedInt", "int32": "signedInt",
              "float32": "float32", "float64": "float64"}
DATA_TYPE_URI = "http://www.opengis.net/def/dataType/OGC/0/{}"


def domain_set(reader: Reader, crs: str) -> dict[str, Any]:
    """The domain set (``/coverage/domainset``): the regular grid in the raster's CRS."""
    ds = reader.dataset
    minx, miny, maxx, maxy = (float(v) for v in reader.bounds)
    res_x, res_y = (abs(float(v)) for v in ds.res)
    srs = EPSG_URI.format(crs.split(":")[-1])
    return {"type": "DomainSetType", "generalGrid": {
        "type": "GeneralGridCoverageType", "srsName": srs, "axisLabels": ["E", "N"],
        "axis": [
            {"type": "RegularAxisType", "axisLabel": "E", "lowerBound": minx,
             "upperBound": maxx, "uomLabel": "m", "resolution": res_x},
            {"type": "RegularAxisType", "axisLabel": "N", "lowerBound": miny,
             "upperBound": maxy, "uomLabel": "m", "resolution": -res_y}],
        "gridLimits": {"type": "GridLimitsType",
                       "srsName": "http://www.opengis.net/def/crs/OGC/0/Index2D",
                       "axisLabels": ["i", "j"], "axis": [
                           {"type": "IndexAxisType", "axisLabel": "i", "lowerBound": 0,
                            "upperBound": ds.width - 1},
                           {"type": "IndexAxisType", "axisLabel": "j", "lowerBound": 0,
                            "upperBound": ds.height - 1}]}}}


def range_type(reader: Reader) -> dict[str, Any]:
    """The range type (``/coverage/rangetype``): one field per band with its data type.

    ``definition`` is the OGC data type as ``ogcType:<name>`` (what GDAL's OGCAPI driver maps
    to a band type), ``encodingInfo.dataType`` the full URI.
    """
    ds = reader.dataset
    fields = []
    for i, (interp, dtype) in enumerate(zip(ds.colorinterp, ds.dtypes, strict=True), start=1):
        name = DATA_TYPES.get(dtype, dtype)
        fields.append({"type": "QuantityType", "name": f"band{i}",
                       "description": f"{interp.name} ({dtype})",
                       "definition": f"ogcType:{name}",
                       "encodingInfo": {"dataType": DATA_TYPE_URI.format(name)},
                       "uom": {"type": "UnitReference", "code": "1"}})
    return {"type": "DataRecordType", "field": fields}


def describe(reader: Reader, crs: str, href: str, title: str,
             version: str | None = None) -> dict[str, Any]:
    """CIS 1.1 JSON description of the coverage at ``href`` (``.../coverage``); the GeoTIFF
    and preview links name the live ``version`` (immutable answers)."""

    def pinned(url: str) -> str:
        return with_version(url, version) if version else url

    minx, miny, maxx, maxy = (float(v) for v in reader.bounds)
    srs = EPSG_URI.format(crs.split(":")[-1])
    lon_lat = [float(v) for v in reader.get_geographic_bounds(CRS84_RIO)]
    return {
        "type": "CoverageByDomainAndRangeType",
        "id": title,
        "envelope": {"type": "EnvelopeByAxisType", "srsName": srs, "axisLabels": ["E", "N"],
                     "axis": [
                         {"type": "AxisExtentType", "axisLabel": "E", "lowerBound": minx,
                          "upperBound": maxx, "uomLabel": "m"},
                         {"type": "AxisExtentType", "axisLabel": "N", "lowerBound": miny,
                          "upperBound": maxy, "uomLabel": "m"}]},
        "wgs84BoundingBox": {"bbox": lon_lat, "crs": CRS84},
        "domainSet": domain_set(reader, crs),
        "rangeType": range_type(reader),
        "maxResponseSize": {"width": MAX_COVERAGE_SIDE, "height": MAX_COVERAGE_SIDE},
        "links": [
            {"rel": "self", "type": "application/json", "href": f"{href}?f=json"},
            {"rel": "alternate", "type": "text/html", "href": f"{href}?f=html"},
            {"rel": "http://www.opengis.net/def/rel/ogc/1.0/coverage",
             "type": "image/tiff; application=geotiff", "href": pinned(f"{href}?f=GTiff"),
             "title": "GeoTIFF (scaled down to the size limit unless subset or scaled)"},
            {"rel": REL_DOMAINSET, "type": "application/json", "href": f"{href}/domainset"},
            {"rel": REL_RANGETYPE, "type": "application/json", "href": f"{href}/rangetype"},
            {"rel": "preview", "type": "image/png", "href": pinned(f"{href}?{PREVIEW}")},
        ],
    }


def describe_html(desc: dict[str, Any], title: str) -> str:
    """A self-contained HTML page of a description from :func:`describe`."""
    grid = desc["domainSet"]["generalGrid"]
    e_axis, n_axis = grid["axis"]
    i_axis, j_axis = grid["gridLimits"]["axis"]
    links = {link["rel"]: link["href"] for link in desc["links"]}
    esc = html.escape
    rows = [
        ("CRS", f'<a href="{esc(grid["srsName"])}">{esc(grid["srsName"])}</a>'),
        ("Extent E", f'{e_axis["lowerBound"]} – {e_axis["upperBound"]} m'),
        ("Extent N", f'{n_axis["lowerBound"]} – {n_axis["upperBound"]} m'),
        ("WGS84 (lon/lat)", esc(", ".join(f"{v:.6f}" for v in desc["wgs84BoundingBox"]["bbox"]))),
        ("Grid", f'{i_axis["upperBound"] + 1} x {j_axis["upperBound"] + 1} px, '
                 f'{e_axis["resolution"]} m'),
        ("Bands", esc(", ".join(f["description"] for f in desc["rangeType"]["field"]))),
        ("Largest response", f"{MAX_COVERAGE_SIDE} px per side"),
    ]
    table = "\n".join(f"<tr><th>{name}</th><td>{value}</td></tr>" for name, value in rows)
    geotiff = links["http://www.opengis.net/def/rel/ogc/1.0/coverage"]
    return f"""<!DOCTYPE html>
<html lang="de"><head><meta charset="utf-8"><title>{esc(title)} – Coverage</title></head>
<body>
<h1>{esc(title)} – Coverage</h1>
<table>
{table}
</table>
<p><a href="{esc(geotiff)}">GeoTIFF</a> · <a href="{esc(links["self"])}">JSON</a> ·
<a href="{esc(links["preview"])}">PNG-Vorschau</a></p>
<p><img src="{esc(links["preview"])}" alt="Vorschau von {esc(title)}" width="512"></p>
</body></html>
"""


def fix_coverage_links(doc: dict[str, Any]) -> bool:
    """pygeoapi links ``coverage?f=json`` as CoverageJSON; it is the CIS JSON description.
    Corrects those links of a collection(s) document; True if any was changed."""
    changed = False
    for coll in doc.get("collections", [doc]):
        for link in coll.get("links", []):
            href = str(link.get("href", ""))
            if href.endswith("/coverage?f=json") and link.get("type") != "application/json":
                link.update(type="application/json", title="Coverage description (CIS JSON)")
                changed = True
    return changed
