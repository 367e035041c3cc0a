"""Join PMTiles archives of Mapbox Vector Tiles into one multi-layer archive.

An MVT tile is a protobuf ``Tile`` message whose only field is the repeated ``layers``; the
concatenation of two encoded messages is the message with the layers of both. So joining is:
for each tile address, decompress the tiles of every archive that has it and concatenate.
Tiles are streamed in tile-id order from the memory-mapped inputs; only the index is in memory.
"""

from __future__ import annotations

import gzip
from collections import defaultdict
from pathlib import Path
from typing import Any

from pmtiles.tile import Compression, TileType, tileid_to_zxy
from pmtiles.writer import Writer

from opengeodata.vtiles.archive import Archive


def _raw(archive: Archive, offset: int, length: int) -> bytes:
    data = archive.read(offset, length)
    return gzip.decompress(data) if archive.gzipped else data


def _metadata(archives: list[Archive], name: str) -> dict[str, Any]:
    layers: list[dict[str, Any]] = []
    attributions: list[str] = []
    for archive in archives:
        meta = archive.metadata()
        layers.extend(meta.get("vector_layers", []))
        attribution = meta.get("attribution")
        if attribution and attribution not in attributions:
            attributions.append(attribution)
    return {"name": name, "format": "pbf", "type": "overlay", "vector_layers": layers,
            "attribution": "; ".join(attributions)}


def join(sources: list[Path], target: Path, name: str) -> int:
    """Write ``target`` with the layers of all ``sources``; returns the number of tiles."""
    archives = [Archive(p) for p in sources]
    index: dict[int, list[tuple[int, int, int]]] = defaultdict(list)
    for n, archive in enumerate(archives):
        for tile_id, offset, length in archive.entries():
            index[tile_id].append((n, offset, length))
    if not index:
        raise ValueError("no tiles to join")
    bounds = [min(a.bounds[0] for a in archives), min(a.bounds[1] for a in archives),
              max(a.bounds[2] for a in archives), max(a.bounds[3] for a in archives)]
    with target.open("wb") as fh:
        writer = Writer(fh)
        for tile_id in sorted(index):
            parts = index[tile_id]
            if len(parts) == 1 and archives[parts[0][0]].gzipped:
                n, offset, length = parts[0]
                data = archives[n].read(offset, length)
            else:
                data = gzip.compress(b"".join(_raw(archives[n], o, ln) for n, o, ln in parts),
                                     mtime=0)
            writer.write_tile(tile_id, data)
        minzoom = tileid_to_zxy(min(index))[0]
        writer.finalize(
            {
                "tile_type": TileType.MVT,
                "tile_compression": Compression.GZIP,
                "min_lon_e7": int(bounds[0] * 1e7), "min_lat_e7": int(bounds[1] * 1e7),
                "max_lon_e7": int(bounds[2] * 1e7), "max_lat_e7": int(bounds[3] * 1e7),
                "center_zoom": minzoom,
                "center_lon_e7": int((bounds[0] + bounds[2]) / 2 * 1e7),
                "center_lat_e7": int((bounds[1] + bounds[3]) / 2 * 1e7),
            },
            _metadata(archives, name),
        )
    return len(index)
