"""Streaming NAS reader: AX_Flurstueck, AX_Gebaeude and their addresses from GID 6.0 / 7.1.

``iterparse`` fires only at the end of member wrappers (``gml:featureMember``, ``wfs:member``,
``wfs:Insert`` / ``Replace`` / ``Delete`` / ``Update``); each wrapper is read, then cleared and
unlinked from its parent, so memory stays flat however large the file is.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lxml import etree

from opengeodata.errors import DataValidationError, SourceError
from pipelines.cadastral.crs import epsg_from_srs_name
from pipelines.cadastral.geometry import GeometryError, parse_surface, srs_name_of
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

PARCEL_FIELDS = ("gml_id", "flurstueckskennzeichen", "land", "gemarkungsnummer", "flurnummer",
                 "zaehler", "nenner", "amtliche_flaeche", "gemeindeschluessel", "entstehung",
                 "beginnt", "links", "geometry", "epsg")
BUILDING_FIELDS = ("gml_id", "gebaeudefunktion", "geschosse_oberirdisch", "beginnt", "links",
                   "geometry", "epsg")
_OID_SUFFIX = re.compile(r"^(.{16})\d{8}T\d{6}Z$")


def oid(ref: str) -> str:
    """The object id of a gml:id or an xlink (``urn:adv:oid:X``, ``#X``, ``X``, with lifetime)."""
    ref = ref.strip()
    if ref.startswith("urn:adv:oid:"):
        ref = ref[len("urn:adv:oid:"):]
    elif ref.startswith("#"):
        ref = ref[1:]
    match = _OID_SUFFIX.match(ref)
    return match.group(1) if match else ref


@dataclass
class Columns:
    """Column-wise records of one layer (cheap to append, cheap to turn into a frame)."""

    names: tuple[str, ...]
    data: dict[str, list[Any]] = field(init=False)

    def __post_init__(self) -> None:
        self.data = {n: [] for n in self.names}

    def append(self, row: dict[str, Any]) -> None:
        """Add one record."""
        for name in self.names:
            self.data[name].append(row.get(name))

    def __len__(self) -> int:
        return len(self.data[self.names[0]])


@dataclass
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


class _Tags:
    """Clark-notation tags of one AdV namespace."""

    def __init__(self, ns: str) -> None:
        def t(*parts: str) -> str:
            return "/".join(f"{{{ns}}}{p}" for p in parts)

        self.kennzeichen = t("flurstueckskennzeichen")
        self.land = t("gemarkung", "AX_Gemarkung_Schluessel", "land")
        self.gemarkung = t("gemarkung", "AX_Gemarkung_Schluessel", "gemarkungsnummer")
        self.flur = t("flurnummer")
        self.zaehler = t("flurstuecksnummer", "AX_Flurstuecksnummer", "zaehler")
        self.nenner = t("flurstuecksnummer", "AX_Flurstuecksnummer", "nenner")
        self.zaehler_flat = t("zaehler")
        self.nenner_flat = t("nenner")
        self.flaeche = t("amtlicheFlaeche")
        self.gemeinde = t("gemeindezugehoerigkeit", "AX_Gemeindekennzeichen")
        self.entstehung = t("zeitpunktDerEntstehung")
        self.beginnt = t("lebenszeitintervall", "AA_Lebenszeitintervall", "beginnt")
        self.position = t("position")
        self.funktion = t("gebaeudefunktion")
        self.geschosse = t("anzahlDerOberirdischenGeschosse")
        self.links = (t("zeigtAuf"), t("weistAuf"))
        self.bezeichnung = t("bezeichnung")
        self.schluessel_gesamt = t("schluesselGesamt")
        self.ns = ns


_TAGS = {ns: _Tags(ns) for ns in ADV_NAMESPACES}
_KEY_PARTS = ("land", "regierungsbezirk", "kreis", "gemeinde", "lage")


def _text(elem: etree._Element, path: str) -> str | None:
    found = elem.find(path)
    if found is None or found.text is None:
        return None
    text: str = found.text.strip()
    return text or None


def _int(value: str | None, what: str, where: str) -> int | None:
    if value is None:
        return None
    try:
        return int(value)
    except ValueError:
        raise DataValidationError(f"{where}: {what} {value!r} is not an integer") from None


def _float(value: str | None, what: str, where: str) -> float | None:
    if value is None:
        return None
    try:
        return float(value)
    except ValueError:
        raise DataValidationError(f"{where}: {what} {value!r} is not a number") from None


def _descendant_texts(elem: etree._Element, names: set[str]) -> dict[str, str]:
    out: dict[str, str] = {}
    for child in elem.iter():
        if not isinstance(child.tag, str):
            continue
        local = child.tag.rsplit("}", 1)[-1]
        if local in names and local not in out and child.text and child.text.strip():
            out[local] = child.text.strip()
    return out


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
                if isinstance(child.tag, str):
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
        tag = str(elem.tag)
        if not tag.startswith("{"):
            return
        ns, local = tag[1:].split("}", 1)
        tags = _TAGS.get(ns)
        if tags is None:
            return
        if local == "AX_Flurstueck":
            if "flurstuecke" in self.layers:
                self.parcel(elem, tags)
        elif local == "AX_Gebaeude":
            if "gebaeude" in self.layers:
                self.building(elem, tags)
        elif local in ("AX_LagebezeichnungMitHausnummer", "AX_LagebezeichnungOhneHausnummer"):
            self.address(elem)
        elif local == "AX_LagebezeichnungKatalogeintrag":
            self.street(elem, tags)

    def gml_id(self, elem: etree._Element) -> str:
        gml_id = elem.get(GML_ID)
        if not gml_id:
            raise DataValidationError(f"{self.where(elem)}: feature without gml:id")
        return oid(gml_id)

    def links(self, elem: etree._Element, tags: _Tags) -> list[str]:
        out = []
        for path in tags.links:
            for link in elem.iterfind(path):
                href = link.get(XLINK_HREF)
                if href:
                    out.append(oid(href))
        return out

    def geometry(self, elem: etree._Element, tags: _Tags) -> tuple[Any, int | None]:
        position = elem.find(tags.position)
        if position is None or len(position) == 0:
            return None, None
        geom_elem = position[0]
        srs = srs_name_of(geom_elem) or self.default_srs
        if srs is None:
            raise DataValidationError(
                f"{self.where(elem)}: geometry has no srsName and the delivery names no CRS"
            )
        try:
            epsg = epsg_from_srs_name(srs)
            return parse_surface(geom_elem), epsg
        except (GeometryError, DataValidationError) as exc:
            raise DataValidationError(f"{self.where(elem)}: geometry: {exc}") from None

    def parcel(self, elem: etree._Element, tags: _Tags) -> None:
        where = self.where(elem)
        geometry, epsg = self.geometry(elem, tags)
        gemeinde = elem.find(tags.gemeinde)
        schluessel = None
        if gemeinde is not None:
            parts = _descendant_texts(gemeinde, {"land", "regierungsbezirk", "kreis", "gemeinde"})
            schluessel = "".join(parts.get(p, "") for p in _KEY_PARTS[:4]) or None
        zaehler = _text(elem, tags.zaehler) or _text(elem, tags.zaehler_flat)
        nenner = _text(elem, tags.nenner) or _text(elem, tags.nenner_flat)
        land = _text(elem, tags.land)
        gemarkung = _text(elem, tags.gemarkung)
        flur = _int(_text(elem, tags.flur), "flurnummer", where)
        zaehler_i = _int(zaehler, "zaehler", where)
        nenner_i = _int(nenner, "nenner", where)
        kennzeichen = _text(elem, tags.kennzeichen)
        if kennzeichen is None and land and gemarkung and zaehler_i is not None:
            kennzeichen = (f"{land:0>2}{gemarkung:0>4}{flur or 0:03d}{zaehler_i:05d}"
                           + (f"{nenner_i:04d}" if nenner_i is not None else "____") + "__")
        self.result.parcels.append({
            "gml_id": self.gml_id(elem),
            "flurstueckskennzeichen": kennzeichen,
            "land": land,
            "gemarkungsnummer": gemarkung,
            "flurnummer": flur,
            "zaehler": zaehler_i,
            "nenner": nenner_i,
            "amtliche_flaeche": _float(_text(elem, tags.flaeche), "amtlicheFlaeche", where),
            "gemeindeschluessel": schluessel,
            "entstehung": _text(elem, tags.entstehung),
            "beginnt": _text(elem, tags.beginnt),
            "links": self.links(elem, tags),
            "geometry": geometry,
            "epsg": epsg,
        })

    def building(self, elem: etree._Element, tags: _Tags) -> None:
        where = self.where(elem)
        geometry, epsg = self.geometry(elem, tags)
        self.result.buildings.append({
            "gml_id": self.gml_id(elem),
            "gebaeudefunktion": _int(_text(elem, tags.funktion), "gebaeudefunktion", where),
            "geschosse_oberirdisch": _int(_text(elem, tags.geschosse),
                                          "anzahlDerOberirdischenGeschosse", where),
            "beginnt": _text(elem, tags.beginnt),
            "links": self.links(elem, tags),
            "geometry": geometry,
            "epsg": epsg,
        })

    def address(self, elem: etree._Element) -> None:
        parts = _descendant_texts(elem, {*_KEY_PARTS, "unverschluesselt", "hausnummer"})
        self.delivery.addresses[self.gml_id(elem)] = Address(
            street_key=street_key(parts),
            street_text=parts.get("unverschluesselt"),
            hausnummer=parts.get("hausnummer"),
        )

    def street(self, elem: etree._Element, tags: _Tags) -> None:
        name = _text(elem, tags.bezeichnung)
        if not name:
            return
        key_elem = elem.find(f"{{{tags.ns}}}schluessel")
        key = street_key(_descendant_texts(key_elem, set(_KEY_PARTS))) \
            if key_elem is not None else None
        key = key or _text(elem, tags.schluessel_gesamt)
        if key:
            self.delivery.streets[key] = name


def read_delivery(paths: list[Path], layers: set[str]) -> Delivery:
    """Read every file of a delivery (in the given order) for the named layers."""
    delivery = Delivery()
    for path in paths:
        delivery.files.append(_Reader(path, delivery, layers).run())
    return delivery
