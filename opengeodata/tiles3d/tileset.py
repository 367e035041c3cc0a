"""Reading a 3D Tiles tileset: its contents, and the features they hold (verification)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import orjson

from opengeodata.tiles3d.archive import Archive3tz, ArchiveError
from opengeodata.tiles3d.glb import read_glb


def tiles(tile: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """Every tile of a tree, depth first."""
    yield tile
    for child in tile.get("children", []):
        yield from tiles(child)


def content_uris(tileset: dict[str, Any]) -> list[str]:
    """The content URIs of every tile."""
    out = []
    for tile in tiles(tileset["root"]):
        for content in [tile.get("content"), *tile.get("contents", [])]:
            if content and content.get("uri"):
                out.append(content["uri"])
    return out


def count_features(path: Path) -> int:
    """Features in the property tables of all contents; ArchiveError/ValueError when a part
    is missing or broken."""
    with Archive3tz(path) as archive:
        try:
            tileset = orjson.loads(archive.read("tileset.json"))
        except KeyError:
            raise ArchiveError(f"{path.name}: no tileset.json") from None
        if tileset.get("asset", {}).get("version") not in ("1.0", "1.1"):
            raise ArchiveError(f"{path.name}: tileset.json has no 3D Tiles asset version")
        total = 0
        for uri in content_uris(tileset):
            try:
                gltf, _binary = read_glb(archive.read(uri))
            except KeyError:
                raise ArchiveError(f"{path.name}: content {uri} is missing") from None
            tables = gltf.get("extensions", {}).get("EXT_structural_metadata", {}).get(
                "propertyTables", [])
            total += sum(int(t.get("count", 0)) for t in tables)
        return total
