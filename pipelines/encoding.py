"""Attribute encodings of DBF files (Shapefiles) that do not say which code page they use.

GDAL takes the code page from the ``.cpg`` file or from the DBF header's language driver id
(LDID, byte 29). Without a ``.cpg`` and with LDID 0 (or 87, "ANSI") it assumes ISO-8859-1:
umlauts survive, but CP1252-only characters (the euro sign, typographic quotes, dashes) turn
into C1 control characters, and UTF-8 files come out as mojibake ("StraÃŸe"). This module
sniffs such files: valid UTF-8 text is read as UTF-8, anything else as CP1252 (a superset of
the printable ISO-8859-1 range, which is what German Windows software writes).
"""

from __future__ import annotations

import struct
from pathlib import Path

#: LDIDs that do not name a real code page ("none" and "ANSI"); other LDIDs GDAL honours.
UNSPECIFIED_LDIDS = {0x00, 0x57}
SNIFF_BYTES = 64 << 20


def dbf_path(source: Path) -> Path | None:
    """The ``.dbf`` next to a Shapefile (or the DBF itself), if there is one."""
    if source.suffix.lower() == ".dbf":
        return source
    if source.suffix.lower() != ".shp":
        return None
    for ext in (".dbf", ".DBF"):
        candidate = source.with_suffix(ext)
        if candidate.is_file():
            return candidate
    return None


def has_cpg(dbf: Path) -> bool:
    """Whether a ``.cpg`` code page file accompanies the DBF."""
    return any(dbf.with_suffix(ext).is_file() for ext in (".cpg", ".CPG"))


def sniff_dbf_encoding(dbf: Path) -> str | None:
    """The encoding to read ``dbf`` with, or None to leave the choice to GDAL.

    None when the file has only ASCII text or its LDID names a code page; "UTF-8" when the
    text is valid UTF-8; "CP1252" otherwise.
    """
    with dbf.open("rb") as fh:
        header = fh.read(32)
        if len(header) < 32:
            return None
        header_len = struct.unpack("<H", header[8:10])[0]
        ldid = header[29]
        fh.seek(header_len)
        data = fh.read(SNIFF_BYTES)
    if ldid not in UNSPECIFIED_LDIDS or data.isascii():
        return None
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as exc:
        # a read cut in the middle of a multi-byte character at the sniff limit is still UTF-8
        if len(data) == SNIFF_BYTES and exc.start >= len(data) - 3:
            return "UTF-8"
        return "CP1252"
    return "UTF-8"


def encoding_for(source: Path, declared: str | None) -> tuple[str | None, str | None]:
    """(encoding to pass to OGR, note for the quality report) for one source file."""
    if declared:
        return declared, None
    dbf = dbf_path(source)
    if dbf is None or has_cpg(dbf):
        return None, None
    detected = sniff_dbf_encoding(dbf)
    if detected is None:
        return None, None
    return detected, (
        f"{dbf.name}: no .cpg and no code page in the DBF header; attribute text detected as "
        f"{detected} (declare 'source.encoding' to override)"
    )
