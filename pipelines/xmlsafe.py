"""Refuse any DTD in an XML source, wherever it sits before the root element.

The check streams: lxml reads the prolog (comments of any length included) up to the root
element's start tag with DTD loading, entity resolution and network access off, and the
parsed document type is looked at there. A file that declares a DTD (internal subset, entity
declarations, an external ``SYSTEM``/``PUBLIC`` id, or a bare ``<!DOCTYPE x>``) is refused:
NAS, CityGML and GML deliveries never need one, and entities could exhaust memory (billion
laughs), read local files (XXE) or silently become empty fields in GDAL's GML reader.
"""

from __future__ import annotations

from pathlib import Path

from lxml import etree

from opengeodata.errors import DataValidationError

#: Suffixes of sources GDAL reads as XML (checked before GDAL sees them).
XML_SUFFIXES = (".gml", ".xml", ".kml", ".xsd", ".gfs")


def root_tag(path: Path) -> str:
    """The root element's local name; refuses a DTD or a file that is not XML."""
    try:
        for _event, elem in etree.iterparse(
            str(path), events=("start",), resolve_entities=False, no_network=True,
            load_dtd=False, dtd_validation=False, huge_tree=False,
        ):
            info = elem.getroottree().docinfo
            if info.doctype or info.internalDTD is not None or info.system_url:
                entities = len(list(info.internalDTD.iterentities())) if info.internalDTD else 0
                plural = "s" if entities > 1 else ""
                what = f" with {entities} entity declaration{plural}" if entities else ""
                raise DataValidationError(
                    f"{path.name}: refused: the file declares a DTD "
                    f"({info.doctype[:80] or '<!DOCTYPE ...>'}){what} before its root element "
                    f"(line {elem.sourceline}); DTDs "
                    "and XML entities are refused for security reasons (entity expansion, "
                    "XXE) and the format needs none"
                )
            return str(etree.QName(elem).localname)
    except etree.XMLSyntaxError as exc:
        raise DataValidationError(f"{path.name}: not well-formed XML: {exc}") from None
    raise DataValidationError(f"{path.name}: not an XML file (no root element found)")


def refuse_dtd(path: Path) -> None:
    """Refuse an XML file that declares a DTD (see :func:`root_tag`)."""
    root_tag(path)
