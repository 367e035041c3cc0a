"""ISO 19139 metadata (``gmd:MD_Metadata``) of one catalogue record, GDI-DE conventions.

The bulk is written by pygeometa from an MCF document built from the :class:`Record`; the
GDI-DE/INSPIRE specifics pygeometa does not write are then set on the XML:

- ``fileIdentifier``: a UUID derived from the namespace and the dataset id (stable across
  versions, so a harvester updates the record instead of adding one), and the resource
  identifier ``<namespace>/<id>`` in the citation;
- keywords: the dataset's own, the INSPIRE theme of its catalogue theme (GEMET - INSPIRE
  themes, version 1.0, 2008-06-01, with the theme URI) and ``opendata``;
- licence: ``MD_LegalConstraints`` with ``useConstraints otherRestrictions``, the licence
  name and the JSON licence string GDI-DE recommends
  (``{"id": ..., "name": ..., "url": ..., "quelle": ...}``), the attribution as
  ``useLimitation``, and INSPIRE's "no limitations" access constraint;
- contact (``pointOfContact``, for the metadata and the resource), lineage from the quality
  report, the CRS of the data and the online resources (OGC API, WMS, ATOM, downloads).
"""

from __future__ import annotations

import copy
import json
import uuid
import warnings
from collections.abc import Mapping
from typing import Any

from lxml import etree

from opengeodata.catalogue.model import Record
from opengeodata.catalogue.services import has_wms_layer, metadata_namespace, wms_capabilities

NS = {
    "gmd": "http://www.isotc211.org/2005/gmd",
    "gco": "http://www.isotc211.org/2005/gco",
    "gmx": "http://www.isotc211.org/2005/gmx",
    "xlink": "http://www.w3.org/1999/xlink",
    "gml": "http://www.opengis.net/gml",
}
GMD = "{" + NS["gmd"] + "}"
GCO = "{" + NS["gco"] + "}"
GMX = "{" + NS["gmx"] + "}"
XLINK = "{" + NS["xlink"] + "}"
CODELISTS = "http://standards.iso.org/iso/19139/resources/gmxCodelists.xml"
INSPIRE_THESAURUS = "GEMET - INSPIRE themes, version 1.0"
INSPIRE_THESAURUS_DATE = "2008-06-01"
NO_LIMITATIONS = ("http://inspire.ec.europa.eu/metadata-codelist/LimitationsOnPublicAccess/"
                  "noLimitations")

#: catalogue theme -> (INSPIRE theme code, German label of the GEMET INSPIRE theme)
INSPIRE_THEMES: dict[str, tuple[str, str]] = {
    "cadastre": ("cp", "Flurstücke/Grundstücke (Katasterparzellen)"),
    "citymodel": ("bu", "Gebäude"),
    "environment": ("lc", "Bodenbedeckung"),
    "planning": ("lu", "Bodennutzung"),
    "maps": ("oi", "Orthofotografie"),
    "society": ("us", "Versorgungswirtschaft und staatliche Dienste"),
    "transport": ("tn", "Verkehrsnetze"),
}
#: catalogue theme -> ISO 19115 topic category
TOPIC_CATEGORIES: dict[str, str] = {
    "cadastre": "planningCadastre",
    "citymodel": "structure",
    "environment": "environment",
    "planning": "planningCadastre",
    "maps": "imageryBaseMapsEarthCover",
    "society": "society",
    "transport": "transportation",
}
#: update_frequency -> ISO MD_MaintenanceFrequencyCode
FREQUENCIES: dict[str, str] = {
    "continuous": "continual", "daily": "daily", "weekly": "weekly", "monthly": "monthly",
    "quarterly": "quarterly", "biannual": "biannually", "annual": "annually",
    "irregular": "irregular", "never": "notPlanned",
}
#: licence id -> (GDI-DE licence id in the JSON string, licence name)
LICENCES: dict[str, tuple[str, str]] = {
    "dl-de/by-2-0": ("dl-by-de/2.0", "Datenlizenz Deutschland Namensnennung 2.0"),
    "dl-de/zero-2-0": ("dl-zero-de/2.0", "Datenlizenz Deutschland – Zero – Version 2.0"),
    "CC-BY-4.0": ("cc-by/4.0", "Creative Commons Namensnennung – 4.0 International (CC BY 4.0)"),
    "CC0-1.0": ("cc-zero", "Creative Commons CC Zero License (cc-zero)"),
}
INSPIRE_THEME_URI = "http://inspire.ec.europa.eu/theme/"


def file_identifier(namespace: str, dataset_id: str) -> str:
    """The stable metadata file identifier (UUID) of a dataset."""
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"{namespace.rstrip('/')}/{dataset_id}"))


def licence_json(record: Record) -> str:
    """The GDI-DE licence JSON string of a record (otherConstraints)."""
    lid, name = LICENCES.get(record.licence.id, (record.licence.id, record.licence.id))
    return json.dumps({"id": lid, "name": name, "url": record.licence.url,
                       "quelle": record.licence.attribution}, ensure_ascii=False)


def lineage(record: Record) -> str:
    """A lineage statement from the quality report of the live version."""
    q = record.quality_summary()
    parts = [f"Veröffentlicht als Version {record.version} am {record.updated[:10]}.",
             f"{q['features_read']} Objekte gelesen, {q['features_written']} geschrieben"]
    if q["dropped"]:
        reasons = ", ".join(f"{k}: {v}" for k, v in q["dropped_reasons"].items())
        parts[-1] += f", {q['dropped']} verworfen ({reasons})"
    if q["geometries_repaired"]:
        parts[-1] += f", {q['geometries_repaired']} Geometrien repariert"
    parts[-1] += "."
    if q["attribute_problems"]:
        parts.append(f"{q['attribute_problems']} Attributwerte nicht lesbar (leer gelassen).")
    if q["crs_transformation"]:
        parts.append(f"Koordinatentransformation: {q['crs_transformation']}.")
    parts.append("Geprüft (CRS, Schema, Geometrien) und nach EPSG:25832 normalisiert.")
    parts += [str(w) for w in q["warnings"]]
    return " ".join(parts)


def online_resources(record: Record, base_url: str) -> dict[str, dict[str, Any]]:
    """OGC API, WMS, ATOM and download links as MCF distribution entries."""
    did = record.id
    out: dict[str, dict[str, Any]] = {
        "ogcapi": {"url": f"{base_url}/collections/{did}", "type": "OGC:API",
                   "name": did, "description": "OGC API (Collection)", "function": "information"},
        "atom": {"url": f"{base_url}/atom/{did}.xml", "type": "INSPIRE Atom",
                 "name": f"ATOM-Feed {did}", "description": "Downloaddienst ATOM-Feed",
                 "function": "download"},
        "page": {"url": f"{base_url}/catalogue/datasets/{did}", "type": "WWW:LINK",
                 "name": record.title, "description": "Katalogseite", "function": "information"},
    }
    if has_wms_layer(record):
        out["wms"] = {"url": wms_capabilities(base_url), "type": "OGC:WMS", "name": did,
                      "description": f"Darstellungsdienst WMS 1.3.0 (Layer {did})",
                      "function": "information"}
    for link in record.links:
        if link.get("title") == "OGC API Features":
            out["features"] = {"url": link["href"], "type": "OGC:API-Features",
                               "name": did, "description": "OGC API Features",
                               "function": "download"}
    for i, d in enumerate(record.downloads):
        if d.tile is None and d.latest_href:
            out[f"download{i}"] = {"url": d.latest_href, "type": "WWW:DOWNLOAD-1.0-http--download",
                                   "name": d.name, "description": d.title, "function": "download"}
    return out


def _contact(org: Any, contact: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "organization": org.name, "url": org.url or contact.get("url", ""),
        "email": org.email or contact.get("email", ""),
        "address": contact.get("address", ""), "city": contact.get("city", ""),
        "administrativearea": contact.get("stateorprovince", ""),
        "postalcode": contact.get("postalcode", ""), "country": contact.get("country", ""),
        "phone": contact.get("phone", ""), "fax": "",
        "positionname": contact.get("position", ""), "individualname": "",
        "contactinstructions": "", "hoursofservice": "",
    }


def mcf(record: Record, base_url: str, namespace: str,
        metadata: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """The pygeometa MCF document of a record."""
    contact_meta = dict((metadata or {}).get("contact") or {})
    vector = record.kind != "raster"
    geom = (record.geometry_type or "").lower()
    geomtype = "point" if "point" in geom else "curve" if "line" in geom else "surface"
    temporal = []
    if record.temporal and record.temporal[0]:
        temporal = [{"begin": record.temporal[0], "end": record.temporal[1] or "now"}]
    bbox = list(record.bbox) if record.bbox else [9.6, 52.3, 9.95, 52.46]
    return {
        "mcf": {"version": "1.0"},
        "metadata": {
            "identifier": file_identifier(namespace, record.id), "language": "ger",
            "charset": "utf8", "hierarchylevel": "dataset",
            "dataseturi": f"{namespace.rstrip('/')}/{record.id}",
            "datestamp": record.updated, "dates": {"creation": record.updated},
        },
        "spatial": {"datatype": "vector" if vector else "grid", "geomtype": geomtype},
        "identification": {
            "language": "ger", "charset": "utf8", "title": record.title,
            "abstract": record.description,
            "dates": {"publication": record.updated[:10], "revision": record.updated[:10]},
            "keywords": {"default": {"keywords": list(record.keywords) or [record.title],
                                     "keywords_type": "theme"}},
            "topiccategory": [TOPIC_CATEGORIES.get(record.theme, "planningCadastre")],
            "extents": {"spatial": [{"bbox": bbox, "crs": 4326}], "temporal": temporal},
            "fees": "keine", "accessconstraints": "otherRestrictions",
            "rights": record.licence.attribution,
            "license": {"name": LICENCES.get(record.licence.id, ("", record.licence.id))[1],
                        "url": record.licence.url},
            "url": f"{base_url}/catalogue/datasets/{record.id}", "status": "onGoing",
            "maintenancefrequency": FREQUENCIES.get(record.update_frequency, "irregular"),
            "edition": record.version,
        },
        "contact": {"pointOfContact": _contact(record.contact, contact_meta),
                    "distributor": _contact(record.publisher, contact_meta)},
        "distribution": online_resources(record, base_url),
        "dataquality": {"scope": {"level": "dataset"}, "lineage": {"statement": lineage(record)}},
    }


def _el(parent: etree._Element, tag: str, text: str | None = None,
        **attrs: str) -> etree._Element:
    prefix, name = tag.split(":")
    el = etree.SubElement(parent, f"{{{NS[prefix]}}}{name}")
    for key, value in attrs.items():
        p, _, n = key.partition("_")
        el.set(f"{{{NS[p]}}}{n}" if n else key, value)
    if text is not None:
        el.text = text
    return el


def _code(parent: etree._Element, tag: str, code_list: str, value: str) -> etree._Element:
    el = _el(parent, tag, value, codeList=f"{CODELISTS}#{code_list}", codeListValue=value)
    return el


def _string(parent: etree._Element, tag: str, text: str) -> etree._Element:
    wrap = _el(parent, tag)
    _el(wrap, "gco:CharacterString", text)
    return wrap


def _citation_date(parent: etree._Element, date: str, kind: str) -> None:
    ci = _el(_el(parent, "gmd:date"), "gmd:CI_Date")
    _el(_el(ci, "gmd:date"), "gco:Date", date)
    _code(_el(ci, "gmd:dateType"), "gmd:CI_DateTypeCode", "CI_DateTypeCode", kind)


def _keywords(words: list[tuple[str, str | None]], thesaurus: tuple[str, str, str] | None
              ) -> etree._Element:
    desc = etree.Element(f"{GMD}descriptiveKeywords")
    kw = _el(desc, "gmd:MD_Keywords")
    for word, href in words:
        holder = _el(kw, "gmd:keyword")
        if href:
            _el(holder, "gmx:Anchor", word, xlink_href=href)
        else:
            _el(holder, "gco:CharacterString", word)
    if thesaurus:
        title, date, href = thesaurus
        cit = _el(_el(kw, "gmd:thesaurusName"), "gmd:CI_Citation")
        _el(_el(cit, "gmd:title"), "gmx:Anchor", title, xlink_href=href)
        _citation_date(cit, date, "publication")
    return desc


def _legal(record: Record) -> list[etree._Element]:
    access = etree.Element(f"{GMD}resourceConstraints")
    lc = _el(access, "gmd:MD_LegalConstraints")
    _code(_el(lc, "gmd:accessConstraints"), "gmd:MD_RestrictionCode", "MD_RestrictionCode",
          "otherRestrictions")
    _el(_el(lc, "gmd:otherConstraints"), "gmx:Anchor", "Es gelten keine Zugriffsbeschränkungen",
        xlink_href=NO_LIMITATIONS)
    use = etree.Element(f"{GMD}resourceConstraints")
    lc = _el(use, "gmd:MD_LegalConstraints")
    _string(lc, "gmd:useLimitation", f"Quellenvermerk: {record.licence.attribution}")
    _code(_el(lc, "gmd:useConstraints"), "gmd:MD_RestrictionCode", "MD_RestrictionCode",
          "otherRestrictions")
    name = LICENCES.get(record.licence.id, (record.licence.id, record.licence.id))[1]
    _string(lc, "gmd:otherConstraints",
            f"{name}; {record.licence.url}; Quellenvermerk: {record.licence.attribution}")
    _string(lc, "gmd:otherConstraints", licence_json(record))
    return [access, use]


def _fix(root: etree._Element, record: Record, namespace: str) -> None:
    """Set what pygeometa does not write the GDI-DE way."""
    ident = root.find(f"{GMD}identificationInfo/{GMD}MD_DataIdentification")
    if ident is None:
        raise ValueError("pygeometa wrote no MD_DataIdentification")
    # resource identifier in the citation (after the dates and edition)
    citation = ident.find(f"{GMD}citation/{GMD}CI_Citation")
    assert citation is not None
    ident_el = etree.Element(f"{GMD}identifier")
    _string(_el(ident_el, "gmd:MD_Identifier"), "gmd:code", f"{namespace.rstrip('/')}/{record.id}")
    last = [c for c in citation if c.tag in (f"{GMD}date", f"{GMD}edition")][-1]
    last.addnext(ident_el)
    # metadata contact = the resource's point of contact (ISO: mandatory)
    poc = ident.find(f"{GMD}pointOfContact/{GMD}CI_ResponsibleParty")
    if poc is not None and root.find(f"{GMD}contact") is None:
        party = copy.deepcopy(poc)
        party.attrib.pop("id", None)
        contact = etree.Element(f"{GMD}contact")
        contact.append(party)
        level = root.find(f"{GMD}hierarchyLevel")
        if level is not None:
            level.addnext(contact)
    # keywords: INSPIRE theme (with thesaurus citation) and opendata
    code, label = INSPIRE_THEMES.get(record.theme, INSPIRE_THEMES["planning"])
    keyword_blocks = ident.findall(f"{GMD}descriptiveKeywords")
    anchor = keyword_blocks[-1] if keyword_blocks else citation.getparent()
    inspire = _keywords([(label, INSPIRE_THEME_URI + code)],
                        (INSPIRE_THESAURUS, INSPIRE_THESAURUS_DATE, INSPIRE_THEME_URI.rstrip("/")))
    anchor.addnext(inspire)
    inspire.addnext(_keywords([("opendata", None)], None))
    # licence and access constraints
    for old in ident.findall(f"{GMD}resourceConstraints"):
        ident.remove(old)
    after = ident.findall(f"{GMD}descriptiveKeywords")[-1]
    for el in reversed(_legal(record)):
        after.addnext(el)
    # reference system: the CRS of the data, not of the geographic bounding box
    for code_el in root.iterfind(f".//{GMD}referenceSystemIdentifier//{GMD}code/"
                                 f"{GCO}CharacterString"):
        code_el.text = "http://www.opengis.net/def/crs/EPSG/0/25832"


def iso_record(record: Record, base_url: str, namespace: str | None = None,
               metadata: Mapping[str, Any] | None = None) -> bytes:
    """The ISO 19139 ``gmd:MD_Metadata`` XML document of ``record`` (UTF-8)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from pygeometa.schemas.iso19139 import ISO19139OutputSchema

    base_url = base_url.rstrip("/")
    ns = namespace or metadata_namespace(base_url)
    text = ISO19139OutputSchema().write(mcf(record, base_url, ns, metadata))
    parser = etree.XMLParser(remove_blank_text=True, resolve_entities=False, no_network=True)
    root = etree.fromstring(text.encode("utf-8"), parser)
    _fix(root, record, ns)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)
