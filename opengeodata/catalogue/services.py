"""The OGC web services of the portal (WMS 1.3.0 at ``/wms``, CSW 2.0.2 at ``/csw``) as the
catalogue names them: URLs, which records have a WMS layer, the metadata identifiers.

One place for these, read by the ISO 19139 records, DCAT-AP.de, the landing page and the web
pages.
"""

from __future__ import annotations

import uuid
from urllib.parse import quote

from opengeodata.catalogue.model import Record

WMS_PATH = "/wms"
CSW_PATH = "/csw"
WMS_VERSION = "1.3.0"
CSW_VERSION = "2.0.2"
ISO_SCHEMA = "http://www.isotc211.org/2005/gmd"
#: dct:conformsTo of the service types (OGC definitions server)
WMS_CONFORMS = "http://www.opengis.net/def/serviceType/ogc/wms"
CSW_CONFORMS = "http://www.opengis.net/def/serviceType/ogc/csw"


def wms_url(base_url: str) -> str:
    """The WMS endpoint (what QGIS and GDAL are given)."""
    return f"{base_url.rstrip('/')}{WMS_PATH}"


def wms_capabilities(base_url: str) -> str:
    """The WMS GetCapabilities URL."""
    return f"{wms_url(base_url)}?SERVICE=WMS&VERSION={WMS_VERSION}&REQUEST=GetCapabilities"


def csw_url(base_url: str) -> str:
    """The CSW endpoint."""
    return f"{base_url.rstrip('/')}{CSW_PATH}"


def csw_capabilities(base_url: str) -> str:
    """The CSW GetCapabilities URL."""
    return f"{csw_url(base_url)}?SERVICE=CSW&VERSION={CSW_VERSION}&REQUEST=GetCapabilities"


def metadata_namespace(base_url: str) -> str:
    """The namespace of resource identifiers (``<namespace>/<dataset id>``)."""
    return f"{base_url.rstrip('/')}/id"


def file_identifier(base_url: str, dataset_id: str) -> str:
    """The stable ISO 19139 file identifier (a UUID) of a dataset's metadata record."""
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"{metadata_namespace(base_url)}/{dataset_id}"))


def csw_record_url(base_url: str, dataset_id: str) -> str:
    """GetRecordById of the dataset's ISO 19139 record."""
    return (f"{csw_url(base_url)}?SERVICE=CSW&VERSION={CSW_VERSION}&REQUEST=GetRecordById"
            f"&ID={file_identifier(base_url, dataset_id)}&OUTPUTSCHEMA={quote(ISO_SCHEMA, safe='')}"
            "&ELEMENTSETNAME=full")


def has_wms_layer(record: Record) -> bool:
    """Whether the dataset is a WMS layer (a COG, or a GeoPackage layer with geometry)."""
    formats = record.formats
    return "cog" in formats or ("gpkg" in formats and bool(record.geometry_type))


def service_links(base_url: str) -> list[dict[str, str]]:
    """Links (rel ``service``) to the two services, for the landing page."""
    return [
        {"rel": "service", "type": "application/xml",
         "title": "WMS 1.3.0 (Darstellungsdienst, GetCapabilities)",
         "href": wms_capabilities(base_url)},
        {"rel": "service", "type": "application/xml",
         "title": "CSW 2.0.2 (Katalogdienst, ISO 19139, GetCapabilities)",
         "href": csw_capabilities(base_url)},
    ]
