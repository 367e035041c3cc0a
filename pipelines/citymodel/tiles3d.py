"""3D Tiles 1.1 of a city model: a quadtree of GLB tiles packed in one ``.3tz`` archive.

:class:`Tiles3DBuilder` takes the CityJSON features of a run one by one (with the attribute
row of the footprint layer), meshes each building (:mod:`pipelines.citymodel.mesh`) and
spools it to a file, so memory stays flat. ``finish`` splits the dataset into a quadtree
(a tile is split while its estimated GLB size exceeds ``max_tile_bytes``), writes one GLB per
leaf - positions in ECEF (EPSG:4978) relative to the tile centre, ellipsoidal heights from
the geoid (:mod:`pipelines.citymodel.placement`), one ``EXT_mesh_features`` feature and one
``EXT_structural_metadata`` row per building - and the ``tileset.json`` with tight
``region`` bounding volumes. Inner tiles have no content; their geometric error is a
twentieth of their width, leaves have 0.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import orjson

from opengeodata.tiles3d.archive import Writer3tz
from opengeodata.tiles3d.glb import Property, building_glb
from pipelines.citymodel.cityjson import SCALE, Feature, Transform
from pipelines.citymodel.mesh import COLORS, feature_mesh
from pipelines.citymodel.placement import Geoid, to_ecef, to_geodetic

#: attributes of every building in the property tables (names kept for the viewer)
PROPERTIES = [
    Property("gml_id", "string", "gml:id des Gebäudes im CityGML"),
    Property("funktion", "string", "Gebäudefunktion (Code)"),
    Property("funktion_text", "string", "Gebäudefunktion (Bezeichnung)"),
    Property("dachform", "string", "Dachform (roofType-Code)"),
    Property("dachform_text", "string", "Dachform (Bezeichnung)"),
    Property("hoehe", "float64", "Gebäudehöhe in m"),
    Property("gelaendehoehe", "float64", "Höhe der Grundfläche in m über NHN (DHHN2016)"),
    Property("baujahr", "int32", "Baujahr"),
    Property("geschosse", "int32", "Anzahl der oberirdischen Geschosse"),
    Property("adresse", "string", "Adresse"),
]
MAX_TILE_BYTES = 640 << 10
MAX_LEVEL = 14
_HEAD = struct.Struct("<IIII")  # json bytes, vertices, triangles, padding
#: estimated GLB bytes per vertex (position, normal, colour, feature id) and per triangle
_VERTEX_BYTES = 12 + 12 + 4 + 4
_TRIANGLE_BYTES = 6


@dataclass
class Tiles3DResult:
    """What ``finish`` wrote."""

    path: Path
    buildings: int = 0
    tiles: int = 0
    max_tile_bytes: int = 0
    levels: int = 0
    skipped: list[str] = field(default_factory=list)  # buildings without usable surfaces
    geoid: str = ""


class Tiles3DBuilder:
    """Collects building meshes, then writes the tileset into a 3tz archive."""

    def __init__(self, target: Path, transform: Transform, geoid: Geoid,
                 max_tile_bytes: int = MAX_TILE_BYTES) -> None:
        self.target = target
        self.transform = transform
        self.geoid = geoid
        self.max_tile_bytes = max_tile_bytes
        self.spool_path = target.with_name(target.name + ".spool.part")
        self.spool = self.spool_path.open("wb")
        self.offsets: list[int] = []
        self.sizes: list[int] = []
        self.cx: list[float] = []
        self.cy: list[float] = []
        self.estimate: list[int] = []
        self.pos = 0
        self.skipped: list[str] = []

    def add(self, feature: Feature, row: dict[str, Any]) -> bool:
        """Mesh and spool one building; False when it has no usable surface."""
        mesh = feature_mesh(feature.objects, feature.vertices)
        if mesh is None:
            self.skipped.append(feature.id)
            return False
        attrs = orjson.dumps({p.name: row.get(p.name) for p in PROPERTIES})
        nv = len(mesh.vertices)
        nt = len(mesh.triangles)
        data = b"".join((
            _HEAD.pack(len(attrs), nv, nt, 0), attrs,
            mesh.vertices.astype("<i4").tobytes(), mesh.surface.astype("<u4").tobytes(),
            mesh.kind.tobytes(), mesh.triangles.astype("<u4").tobytes(),
        ))
        self.spool.write(data)
        self.offsets.append(self.pos)
        self.sizes.append(len(data))
        self.pos += len(data)
        lo = mesh.vertices.min(axis=0)
        hi = mesh.vertices.max(axis=0)
        self.cx.append(float(lo[0] + hi[0]) / 2 * SCALE)  # metres from the translate
        self.cy.append(float(lo[1] + hi[1]) / 2 * SCALE)
        self.estimate.append(nv * _VERTEX_BYTES + nt * _TRIANGLE_BYTES + len(attrs))
        return True

    def discard(self) -> None:
        """Remove the spool and a half-written archive."""
        self.spool.close()
        self.spool_path.unlink(missing_ok=True)
        self.target.unlink(missing_ok=True)

    def finish(self) -> Tiles3DResult:
        """Write the 3tz (tiles, tileset.json, index); returns what was written."""
        self.spool.close()
        result = Tiles3DResult(self.target, buildings=len(self.offsets),
                               skipped=self.skipped, geoid=self.geoid.label)
        writer = Writer3tz(self.target)
        try:
            with self.spool_path.open("rb") as spool:
                root = self._tree(spool, writer, result)
            tileset = _tileset(root, self.geoid)
            writer.add("tileset.json", orjson.dumps(tileset, option=orjson.OPT_INDENT_2))
        except BaseException:
            writer.discard()
            raise
        finally:
            self.spool_path.unlink(missing_ok=True)
        writer.close()
        return result

    # -- the quadtree ------------------------------------------------------------------------
    def _tree(self, spool: Any, writer: Writer3tz, result: Tiles3DResult) -> dict[str, Any]:
        cx = np.asarray(self.cx)
        cy = np.asarray(self.cy)
        estimate = np.asarray(self.estimate, dtype=np.int64)
        if not len(cx):
            return _empty_root()
        x0, y0 = float(cx.min()), float(cy.min())
        size = max(float(cx.max()) - x0, float(cy.max()) - y0, 1000.0) * (1 + 1e-9) + 1.0
        ids = np.arange(len(cx))

        def node(sel: np.ndarray, nx0: float, ny0: float, nsize: float, level: int, tx: int,
                 ty: int) -> dict[str, Any]:
            result.levels = max(result.levels, level + 1)
            if (int(estimate[sel].sum()) <= self.max_tile_bytes or level >= MAX_LEVEL
                    or len(sel) == 1):
                uri = f"tiles/{level}/{tx}/{ty}.glb"
                glb, region = self._content(spool, sel)
                writer.add(uri, glb)
                result.tiles += 1
                result.max_tile_bytes = max(result.max_tile_bytes, len(glb))
                return {"boundingVolume": {"region": region}, "geometricError": 0.0,
                        "content": {"uri": uri}}
            half = nsize / 2
            right = cx[sel] >= nx0 + half
            top = cy[sel] >= ny0 + half
            children = []
            for dx, dy in ((0, 0), (1, 0), (0, 1), (1, 1)):
                part = sel[(right == bool(dx)) & (top == bool(dy))]
                if len(part):
                    children.append(node(part, nx0 + dx * half, ny0 + dy * half, half,
                                         level + 1, 2 * tx + dx, 2 * ty + dy))
            regions = np.array([c["boundingVolume"]["region"] for c in children])
            region = [*regions[:, :2].min(axis=0), *regions[:, 2:4].max(axis=0),
                      regions[:, 4].min(), regions[:, 5].max()]
            return {"boundingVolume": {"region": [float(v) for v in region]},
                    "geometricError": round(nsize / 20, 3), "children": children}

        return node(ids, x0, y0, size, 0, 0, 0)

    def _content(self, spool: Any, sel: np.ndarray) -> tuple[bytes, list[float]]:
        order = sel[np.argsort(np.asarray(self.offsets)[sel])]
        rows: list[dict[str, Any]] = []
        verts, surfs, kinds, tris, fids = [], [], [], [], []
        nv = ns = 0
        for fid, i in enumerate(order):
            spool.seek(self.offsets[i])
            data = spool.read(self.sizes[i])
            jlen, n, m, _ = _HEAD.unpack_from(data)
            pos = _HEAD.size
            rows.append(orjson.loads(data[pos:pos + jlen]))
            pos += jlen
            v = np.frombuffer(data, "<i4", n * 3, pos).reshape(n, 3)
            pos += n * 12
            s = np.frombuffer(data, "<u4", n, pos)
            pos += n * 4
            k = np.frombuffer(data, "u1", n, pos)
            pos += n
            t = np.frombuffer(data, "<u4", m * 3, pos).reshape(m, 3)
            verts.append(v)
            surfs.append(s.astype(np.int64) + ns)
            kinds.append(k)
            tris.append(t.astype(np.int64) + nv)
            fids.append(np.full(n, fid, dtype=np.float32))
            nv += n
            ns += int(s.max()) + 1 if n else 0
        real = np.concatenate(verts).astype(np.float64) * SCALE + np.asarray(
            self.transform.translate)
        lon, lat, h = to_geodetic(real[:, 0], real[:, 1], real[:, 2], self.geoid)
        ecef = to_ecef(lon, lat, h)
        center = (ecef.min(axis=0) + ecef.max(axis=0)) / 2
        rel = ecef - center
        triangles = np.concatenate(tris)
        surface = np.concatenate(surfs)
        a, b, c = rel[triangles[:, 0]], rel[triangles[:, 1]], rel[triangles[:, 2]]
        cross = np.cross(b - a, c - a)
        keep = np.linalg.norm(cross, axis=1) > 1e-9
        triangles, cross = triangles[keep], cross[keep]
        normal = np.zeros((ns, 3))
        np.add.at(normal, surface[triangles[:, 0]], cross)
        length = np.linalg.norm(normal, axis=1)
        up = center / np.linalg.norm(center)
        normal = np.where(length[:, None] > 0, normal / np.maximum(length, 1e-300)[:, None], up)
        vnormal = normal[surface]
        glb = building_glb(
            positions=_y_up(rel).astype(np.float32),
            normals=_unit32(_y_up(vnormal)),
            colors=COLORS[np.concatenate(kinds)],
            feature_ids=np.concatenate(fids),
            indices=triangles.reshape(-1),
            translation=tuple(float(v) for v in _y_up(center[None, :])[0]),  # type: ignore[arg-type]
            properties=PROPERTIES,
            columns={p.name: [r.get(p.name) for r in rows] for p in PROPERTIES},
        )
        region = [float(np.radians(lon.min())), float(np.radians(lat.min())),
                  float(np.radians(lon.max())), float(np.radians(lat.max())),
                  float(h.min()), float(h.max())]
        return glb, region


def _y_up(xyz: np.ndarray) -> np.ndarray:
    return np.column_stack((xyz[:, 0], xyz[:, 2], -xyz[:, 1]))


def _unit32(vectors: np.ndarray) -> np.ndarray:
    out = vectors.astype(np.float32)
    out /= np.linalg.norm(out, axis=1, keepdims=True)
    return out


def _empty_root() -> dict[str, Any]:
    return {"boundingVolume": {"region": [0.0, 0.0, 0.0, 0.0, 0.0, 0.0]},
            "geometricError": 0.0}


def _tileset(root: dict[str, Any], geoid: Geoid) -> dict[str, Any]:
    root["refine"] = "REPLACE"
    return {
        "asset": {"version": "1.1", "generator": "opengeodata",
                  "extras": {"crs": "EPSG:4978", "source_crs": "EPSG:25832+7837",
                             "geoid": geoid.label}},
        "geometricError": round(max(root.get("geometricError", 0.0) * 2, 10.0), 3),
        "root": root,
    }
