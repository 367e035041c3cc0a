"""The landing page's links to the project's own endpoints (post-processing pygeoapi's JSON).

pygeoapi links a ``/processes`` endpoint this server does not offer and knows nothing of the
vector tiles overview, the records catalogue, DCAT-AP.de and the ATOM feeds; this fixes the
JSON landing page (HTML is rendered by the templates).
"""

from __future__ import annotations

from typing import Any

from flask import Response

from opengeodata.catalogue.services import service_links
from opengeodata.ogc import ATOM, GEOJSON, OGC_REL
from opengeodata.published import RECORDS_ID, Published
from opengeodata.server.rewrite import json_document, set_document


def project_links(base_url: str, published: Published) -> list[dict[str, Any]]:
    """Links to the vector tiles overview, the catalogue, DCAT-AP.de, ATOM, WMS and CSW."""
    links: list[dict[str, Any]] = []
    if published.has_vector_tiles():
        links += [
            {"rel": OGC_REL.format("tilesets-vector"), "type": "application/json",
             "title": "Vector tiles of all datasets (overview)", "href": f"{base_url}/tiles"},
            {"rel": "describedby", "type": "application/json",
             "title": "TileJSON of the vector tiles overview",
             "href": f"{base_url}/tiles/WebMercatorQuad/tilejson.json"},
        ]
    if RECORDS_ID in published.collections:
        links.append({"rel": OGC_REL.format("ogc-catalog"), "type": GEOJSON,
                      "title": "Dataset catalogue (OGC API Records)",
                      "href": f"{base_url}/collections/catalogue/items"})
    for fmt, media, name in (("jsonld", "application/ld+json", "JSON-LD"),
                             ("ttl", "text/turtle", "Turtle"),
                             ("rdf", "application/rdf+xml", "RDF/XML")):
        links.append({"rel": "describedby", "type": media,
                      "title": f"DCAT-AP.de catalogue ({name})",
                      "href": f"{base_url}/catalogue/dcat?f={fmt}"})
    links.append({"rel": "alternate", "type": ATOM,
                  "title": "ATOM download service feed", "href": f"{base_url}/atom/service.xml"})
    links += service_links(base_url)  # WMS 1.3.0 and CSW 2.0.2
    return links


def fix_links(doc: dict[str, Any], base_url: str, published: Published) -> dict[str, Any]:
    """The landing document without dead links (this server offers no processes) and with
    the project's links (pure)."""
    links = [link for link in doc.get("links", [])
             if not str(link.get("href", "")).rstrip("/").endswith("/processes")]
    hrefs = {link.get("href") for link in links}
    links += [link for link in project_links(base_url, published) if link["href"] not in hrefs]
    return {**doc, "links": links}


def fix_landing(response: Response, base_url: str, published: Published) -> Response:
    """Apply :func:`fix_links` to a JSON landing page response."""
    doc = json_document(response)
    if doc is None:
        return response
    return set_document(response, fix_links(doc, base_url, published))
