"""The landing page's links to the project's own endpoints (post-processing pygeoapi's JSON).

pygeoapi links a ``/processes`` endpoint this server does not offer and knows nothing of the
vector tiles overview, the records catalogue, DCAT-AP.de and the ATOM feeds; this fixes the
JSON landing page (HTML is rendered by the templates).
"""

from __future__ import annotations

from typing import Any

from flask import Response

from opengeodata.server.rewrite import json_document, set_document
from opengeodata.server.state import Snapshot

OGC_REL = "http://www.opengis.net/def/rel/ogc/1.0/{}"


def project_links(base_url: str, snap: Snapshot) -> list[dict[str, Any]]:
    """Links to the vector tiles overview, the catalogue, DCAT-AP.de and ATOM."""
    links: list[dict[str, Any]] = []
    if any(m.output("pmtiles") is not None for m in snap.manifests.values()):
        links += [
            {"rel": OGC_REL.format("tilesets-vector"), "type": "application/json",
             "title": "Vector tiles of all datasets (overview)", "href": f"{base_url}/tiles"},
            {"rel": "describedby", "type": "application/json",
             "title": "TileJSON of the vector tiles overview",
             "href": f"{base_url}/tiles/WebMercatorQuad/tilejson.json"},
        ]
    if "catalogue" in snap.config.get("resources", {}):
        links.append({"rel": OGC_REL.format("ogc-catalog"), "type": "application/geo+json",
                      "title": "Dataset catalogue (OGC API Records)",
                      "href": f"{base_url}/collections/catalogue/items"})
    for fmt, media, name in (("jsonld", "application/ld+json", "JSON-LD"),
                             ("ttl", "text/turtle", "Turtle"),
                             ("rdf", "application/rdf+xml", "RDF/XML")):
        links.append({"rel": "describedby", "type": media,
                      "title": f"DCAT-AP.de catalogue ({name})",
                      "href": f"{base_url}/catalogue/dcat?f={fmt}"})
    links.append({"rel": "alternate", "type": "application/atom+xml",
                  "title": "ATOM download service feed", "href": f"{base_url}/atom/service.xml"})
    return links


def fix_links(doc: dict[str, Any], base_url: str, snap: Snapshot) -> dict[str, Any]:
    """The landing document without dead links and with the project's links (pure)."""
    has_processes = any(r.get("type") == "process"
                        for r in snap.config.get("resources", {}).values())
    links = [link for link in doc.get("links", [])
             if has_processes or not str(link.get("href", "")).rstrip("/").endswith("/processes")]
    hrefs = {link.get("href") for link in links}
    links += [link for link in project_links(base_url, snap) if link["href"] not in hrefs]
    return {**doc, "links": links}


def fix_landing(response: Response, base_url: str, snap: Snapshot) -> Response:
    """Apply :func:`fix_links` to a JSON landing page response."""
    doc = json_document(response)
    if doc is None:
        return response
    return set_document(response, fix_links(doc, base_url, snap))
