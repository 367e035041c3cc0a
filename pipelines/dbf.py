"""A structural check of dBASE (``.dbf``) headers, so a damaged attribute table of a
Shapefile is reported as such instead of surfacing as an odd OGR or filter error."""

from __future__ import annotations

import struct
from pathlib import Path

from opengeodata.errors import SourceError

#: dBASE version bytes GDAL's Shapefile driver writes or reads (III, IV, 5, FoxPro, VFP).
VERSIONS = {0x02, 0x03, 0x04, 0x05, 0x30, 0x31, 0x32, 0x43, 0x63, 0x7B, 0x83, 0x8B, 0x8E,
            0xCB, 0xE5, 0xF5, 0xFB}
FIELD_TYPES = set(b"CNLDFMBGIYT0@+OVPW")


def dbf_problem(data: bytes, size: int) -> str | None:
    """What is wrong with a DBF whose first bytes are ``data`` and whose size is ``size``."""
    if len(data) < 33:
        return f"too short for a dBASE header ({size} bytes)"
    if data[0] not in VERSIONS:
        return f"not a dBASE file (version byte 0x{data[0]:02x})"
    count, header_len, record_len = struct.unpack("<IHH", data[4:12])
    if header_len < 33 or record_len < 1:
        return f"header length {header_len} / record length {record_len} are impossible"
    if header_len + count * record_len > size:
        return (f"the header announces {count} records of {record_len} bytes after "
                f"{header_len} header bytes, but the file has only {size} bytes")
    widths = 1  # the deletion flag
    offset = 32
    while offset < min(header_len, len(data)) and data[offset] != 0x0D:
        field = data[offset:offset + 32]
        if len(field) < 32:
            return "the field descriptors are cut off"
        name = field[:11].split(b"\0", 1)[0]
        if not name or not name.isascii() or field[11] not in FIELD_TYPES:
            return f"field descriptor {((offset - 32) // 32) + 1} is garbage"
        widths += field[16]
        offset += 32
    if offset >= len(data) or data[offset] != 0x0D:
        return "no end of the field descriptors (0x0D) in the header"
    if widths != record_len and data[0] not in {0x30, 0x31, 0x32}:
        return (f"the fields add up to {widths} bytes per record, the header says "
                f"{record_len}")
    return None


def check_dbf(dataset_id: str, dbf: Path) -> None:
    """Refuse a damaged DBF with a SourceError naming the file and the problem."""
    size = dbf.stat().st_size
    with dbf.open("rb") as fh:
        data = fh.read(65536)
    problem = dbf_problem(data, size)
    if problem:
        raise SourceError(f"{dataset_id}: {dbf.name}: damaged attribute table: {problem}")
