"""Streaming NAS reader: AX_Flurstueck, AX_Gebaeude and their addresses from GID 6.0 / 7.1.

``iterparse`` fires only at the end of member wrappers (``gml:featureMember``, ``wfs:member``,
``wfs:Insert`` / ``Replace`` / ``Delete`` / ``Update``); each wrapper is read, then cleared and
unlinked from its parent, so memory stays flat however large the file is.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lxml import etree

from opengeodata.errors import DataValidationError, SourceError
from pipelines.cadastral.columns import Columns, Kind
from pipelines.cadastral.crs import epsg_from_srs_name
from pipelines.cadastral.geometry import GeometryError, srs_name_of, surface_wkb
from pipelines.cadastral.safexml import check_prolog, safe_iterparse

ADV_NAMESPACES = (
    "http://www.adv-online.de/namespaces/adv/gid/6.0",
    "http://www.adv-online.de/namespaces/adv/gid/7.1",
)
XLINK_HREF = "{http://www.w3.org/1999/xlink}href"
GML_ID = "{http://www.opengis.net/gml/3.2}id"
WRAPPERS = ["{*}featureMember", "{*}member", "{*}featureMembers", "{*}Insert", "{*}Replace",
            "{*}Delete", "{*}Update", "{*}AA_Koordinatenreferenzsystemangaben", "{*}Envelope"]
NBA_ROOT = "AX_NutzerbezogeneBestandsdatenaktualisierung_NBA"
KNOWN_ROOTS = {"AX_Bestandsdatenauszug", NBA_ROOT, "FeatureCollection",
               "AX_Einrichtungsauftrag", "AX_Fortfuehrungsauftrag"}

PARCEL_FIELDS: dict[str, Kind] = {
    "gml_id": "str", "flurstueckskennzeichen": "str", "land": "str", "gemarkungsnummer": "str",
    "flurnummer": "int", "zaehler": "int", "nenner": "int", "amtliche_flaeche": "float",
    "gemeindeschluessel": "str", "entstehung": "str", "beginnt": "str", "links": "links",
    "geometry": "bytes", "epsg": "int",
}
BUILDING_FIELDS: dict[str, Kind] = {
    "gml_id": "str", "gebaeudefunktion": "int", "geschosse_oberirdisch": "int", "beginnt": "str",
    "links": "links", "geometry": "bytes", "epsg": "int",
}
_OID_SUFFIX = re.compile(r"^(.{16})\d{8}T\d{6}Z$")


def oid(ref: str) -> str:
    """The object id of a gml:id or an xlink (``urn:adv:oid:X``, ``#X``, ``X``, with lifetime)."""
    ref = ref.strip()
    if ref.startswith("urn:adv:oid:"):
        ref = ref[len("urn:adv:oid:"):]
    elif ref.startswith("#"):
        ref = ref[1:]
    if len(ref) <= 16:
        return ref
    match = _OID_SUFFIX.match(ref)
    return match.group(1) if match else ref


@dataclass(slots=True)
class Address:
    """One AX_Lagebezeichnung(Mit|Ohne)Hausnummer."""

    street_key: str | None
    street_text: str | None
    hausnummer: str | None


@dataclass
class FileResult:
    """What one file of a delivery holds."""

    path: Path
    nba: bool
    parcels: Columns = field(default_factory=lambda: Columns(PARCEL_FIELDS))
    buildings: Columns = field(default_factory=lambda: Columns(BUILDING_FIELDS))
    deleted: set[str] = field(default_factory=set)
    replaced: set[str] = field(default_factory=set)


@dataclass
class Delivery:
    """Every file of a delivery plus the address tables shared between them."""

    files: list[FileResult] = field(default_factory=list)
    addresses: dict[str, Address] = field(default_factory=dict)
    streets: dict[str, str] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)


_KEY_PARTS = ("land", "regierungsbezirk", "kreis", "gemeinde", "lage")
_LINKS = ("zeigtAuf", "weistAuf")


#: Data-type properties whose values are read (others, like modellart, are skipped).
_NESTED = {"gemarkung", "flurstuecksnummer", "gemeindezugehoerigkeit", "lebenszeitintervall",
           "schluessel", "lagebezeichnung"}
_LOCAL_NAMES: dict[str, str] = {}


def _local(tag: Any) -> str:
    name = _LOCAL_NAMES.get(tag)
    if name is None:
        name = _LOCAL_NAMES[tag] = tag[tag.rfind("}") + 1:]
    return name


def _properties(elem: etree._Element) -> tuple[dict[str, str], etree._Element | None, list[str]]:
    """One pass over a feature's properties: texts, the position element and address links.

    Simple properties are keyed by name (``flurnummer``), values inside data types by property
    and leaf name (``gemarkung/gemarkungsnummer``, ``lebenszeitintervall/beginnt``). The parser
    drops comments and processing instructions, so every child is an element.
    """
    texts: dict[str, str] = {}
    links: list[str] = []
    position = None
    names = _LOCAL_NAMES
    for child in elem:
        tag = child.tag
        name = names.get(tag) or _local(tag)
        if name == "position":
            position = child
        elif name in _LINKS:
            href = child.get(XLINK_HREF)
            if href:
                links.append(oid(href))
        elif name in _NESTED:
            for leaf in child.iter():
                text = leaf.text
                if text and not len(leaf):
                    key = f"{name}/{names.get(leaf.tag) or _local(leaf.tag)}"
                    if key not in texts:
                        texts[key] = text.strip()
        elif child.text and name not in texts:
            texts[name] = child.text.strip()
    return texts, position, links


Where = Callable[[etree._Element], str]


def _int(value: str | None, what: str, elem: etree._Element, where: Where) -> int | None:
    if value is None:
        return None
    try:
        return int(value)
    except ValueError:
        raise DataValidationError(f"{where(elem)}: {what} {value!r} is not an integer") from None


def _float(value: str | None, what: str, elem: etree._Element, where: Where) -> float | None:
    if value is None:
        return None
    try:
        return float(value)
    except ValueError:
        raise DataValidationError(f"{where(elem)}: {what} {value!r} is not a number") from None


def _interned(value: str | None) -> str | None:
    return sys.intern(value) if value else None


def _first_child(elem: etree._Element) -> etree._Element | None:
    for child in elem:
        if isinstance(child.tag, str):
            return child
    return None


def street_key(parts: dict[str, str]) -> str | None:
    """The full street key land+regierungsbezirk+kreis+gemeinde+lage, or None."""
    if "lage" not in parts:
        return None
    return "".join(parts.get(p, "") for p in _KEY_PARTS)


class _Reader:
    """Reads one file into a FileResult, addresses into the shared Delivery."""

    def __init__(self, path: Path, delivery: Delivery, layers: set[str]) -> None:
        self.path = path
        self.delivery = delivery
        self.layers = layers
        self.default_srs: str | None = None
        root = check_prolog(path)
        if root not in KNOWN_ROOTS:
            raise DataValidationError(
                f"{path.name}: root element {root!r} is not a NAS delivery "
                f"(expected AX_Bestandsdatenauszug, {NBA_ROOT} or wfs:FeatureCollection)"
            )
        self.result = FileResult(path=path, nba=root == NBA_ROOT)
        by_name: dict[str, Callable[[etree._Element], None]] = {
            "AX_LagebezeichnungMitHausnummer": self.address,
            "AX_LagebezeichnungOhneHausnummer": self.address,
            "AX_LagebezeichnungKatalogeintrag": self.street,
        }
        if "flurstuecke" in layers:
            by_name["AX_Flurstueck"] = self.parcel
        if "gebaeude" in layers:
            by_name["AX_Gebaeude"] = self.building
        #: Clark tag of a feature type (in both GID namespaces) -> its reader
        self.handlers = {f"{{{ns}}}{name}": func for ns in ADV_NAMESPACES
                         for name, func in by_name.items()}

    def where(self, elem: etree._Element) -> str:
        gml_id = elem.get(GML_ID) or "?"
        name = str(elem.tag).rsplit("}", 1)[-1]
        return f"{self.path.name}: line {elem.sourceline}: {name} {gml_id}"

    def run(self) -> FileResult:
        try:
            for _event, elem in safe_iterparse(self.path, WRAPPERS):
                self.wrapper(elem)
        except etree.XMLSyntaxError as exc:
            raise DataValidationError(f"{self.path.name}: not well-formed XML: {exc}") from exc
        except OSError as exc:
            raise SourceError(f"{self.path.name}: cannot read: {exc}") from exc
        return self.result

    # -- wrappers ----------------------------------------------------------------------
    def wrapper(self, elem: etree._Element) -> None:
        local = str(elem.tag).rsplit("}", 1)[-1]
        if local == "Envelope":
            if self.default_srs is None and elem.get("srsName"):
                self.default_srs = elem.get("srsName")
            return
        if local == "AA_Koordinatenreferenzsystemangaben":
            self.crs_info(elem)
            return
        if local in ("Delete", "Update"):
            ids = self.filter_ids(elem)
            if local == "Delete" or self.ends_lifetime(elem):
                self.result.deleted.update(ids)
            else:
                self.delivery.warnings.append(
                    f"{self.path.name}: line {elem.sourceline}: wfs:Update without 'endet' "
                    "ignored"
                )
        else:
            replaced = self.filter_ids(elem) if local == "Replace" else set()
            self.result.replaced.update(replaced)
            for child in elem:
                self.feature(child)
        elem.clear()
        parent = elem.getparent()
        if parent is not None:
            while elem.getprevious() is not None:
                del parent[0]

    def crs_info(self, elem: etree._Element) -> None:
        crs = elem.find("{*}crs")
        standard = (elem.findtext("{*}standard") or "").strip().lower()
        href = crs.get(XLINK_HREF) if crs is not None else None
        if href and (self.default_srs is None or standard == "true"):
            self.default_srs = href

    @staticmethod
    def filter_ids(elem: etree._Element) -> set[str]:
        ids = set()
        for child in elem.iter("{*}ResourceId", "{*}FeatureId", "{*}GmlObjectId"):
            ref = child.get("rid") or child.get("fid") or child.get(GML_ID)
            if ref:
                ids.add(oid(ref))
        return ids

    @staticmethod
    def ends_lifetime(elem: etree._Element) -> bool:
        for child in elem.iter("{*}ValueReference", "{*}Name"):
            if child.text and child.text.strip().endswith("endet"):
                return True
        return False

    # -- features ----------------------------------------------------------------------
    def feature(self, elem: etree._Element) -> None:
        handler = self.handlers.get(elem.tag)
        if handler is not None:
            handler(elem)

    def gml_id(self, elem: etree._Element) -> str:
        gml_id = elem.get(GML_ID)
        if not gml_id:
            raise DataValidationError(f"{self.where(elem)}: feature without gml:id")
        return oid(gml_id)

    def geometry(self, elem: etree._Element, position: etree._Element | None
                 ) -> tuple[Any, int | None]:
        geom_elem = _first_child(position) if position is not None else None
        if geom_elem is None:
            return None, None
        srs = srs_name_of(geom_elem) or self.default_srs
        if srs is None:
            raise DataValidationError(
                f"{self.where(elem)}: geometry has no srsName and the delivery names no CRS"
            )
        try:
            epsg = epsg_from_srs_name(srs)
            # WKB takes a third of the memory of a live GEOS geometry until the frame is built
            return surface_wkb(geom_elem), epsg
        except (GeometryError, DataValidationError) as exc:
            raise DataValidationError(f"{self.where(elem)}: geometry: {exc}") from None

    def parcel(self, elem: etree._Element) -> None:
        where = self.where
        texts, position, links = _properties(elem)
        geometry, epsg = self.geometry(elem, position)
        schluessel = "".join(texts.get(f"gemeindezugehoerigkeit/{p}", "")
                             for p in _KEY_PARTS[:4]) or None
        zaehler = texts.get("flurstuecksnummer/zaehler") or texts.get("zaehler")
        nenner = texts.get("flurstuecksnummer/nenner") or texts.get("nenner")
        land = texts.get("gemarkung/land")
        gemarkung = texts.get("gemarkung/gemarkungsnummer")
        flur = _int(texts.get("flurnummer"), "flurnummer", elem, where)
        zaehler_i = _int(zaehler, "zaehler", elem, where)
        nenner_i = _int(nenner, "nenner", elem, where)
        kennzeichen = texts.get("flurstueckskennzeichen")
        if kennzeichen is None and land and gemarkung and zaehler_i is not None:
            kennzeichen = (f"{land:0>2}{gemarkung:0>4}{flur or 0:03d}{zaehler_i:05d}"
                           + (f"{nenner_i:04d}" if nenner_i is not None else "____") + "__")
        intern = sys.intern
        self.result.parcels.append({
            "gml_id": self.gml_id(elem),
            "flurstueckskennzeichen": kennzeichen,
            "land": intern(land) if land else None,
            "gemarkungsnummer": intern(gemarkung) if gemarkung else None,
            "flurnummer": flur,
            "zaehler": zaehler_i,
            "nenner": nenner_i,
            "amtliche_flaeche": _float(texts.get("amtlicheFlaeche"), "amtlicheFlaeche", elem,
                                       where),
            "gemeindeschluessel": intern(schluessel) if schluessel else None,
            "entstehung": _interned(texts.get("zeitpunktDerEntstehung")),
            "beginnt": texts.get("lebenszeitintervall/beginnt"),
            "links": links,
            "geometry": geometry,
            "epsg": epsg,
        })

    def building(self, elem: etree._Element) -> None:
        where = self.where
        texts, position, links = _properties(elem)
        geometry, epsg = self.geometry(elem, position)
        self.result.buildings.append({
            "gml_id": self.gml_id(elem),
            "gebaeudefunktion": _int(texts.get("gebaeudefunktion"), "gebaeudefunktion", elem,
                                     where),
            "geschosse_oberirdisch": _int(texts.get("anzahlDerOberirdischenGeschosse"),
                                          "anzahlDerOberirdischenGeschosse", elem, where),
            "beginnt": texts.get("lebenszeitintervall/beginnt"),
            "links": links,
            "geometry": geometry,
            "epsg": epsg,
        })

    def address(self, elem: etree._Element) -> None:
        texts, _position, _links = _properties(elem)
        parts = {k.rsplit("/", 1)[-1]: v for k, v in texts.items()
                 if not k.startswith("lebenszeitintervall/")}
        key = street_key(parts)
        self.delivery.addresses[self.gml_id(elem)] = Address(
            street_key=sys.intern(key) if key else None,
            street_text=_interned(parts.get("unverschluesselt")),
            hausnummer=_interned(parts.get("hausnummer")),
        )

    def street(self, elem: etree._Element) -> None:
        texts, _position, _links = _properties(elem)
        name = texts.get("bezeichnung")
        if not name:
            return
        key = street_key({p: texts[f"schluessel/{p}"] for p in _KEY_PARTS
                          if f"schluessel/{p}" in texts})
        key = key or texts.get("schluesselGesamt")
        if key:
            self.delivery.streets[key] = name


def read_delivery(paths: list[Path], layers: set[str]) -> Delivery:
    """Read every file of a delivery (in the given order) for the named layers."""
    delivery = Delivery()
    for path in paths:
        delivery.files.append(_Reader(path, delivery, layers).run())
    return delivery
