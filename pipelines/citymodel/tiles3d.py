"""3D Tiles 1.1 of a city model: a quadtree of GLB tiles packed in one ``.3tz`` archive.

:class:`Tiles3DBuilder` takes the buildings of a run batch by batch (``add_batch``: meshed
from the batch's columns; ``add``: one CityJSON feature) with their attribute rows of the
footprint layer, meshes them (:mod:`pipelines.citymodel.mesh`) and spools them to a file, so
memory stays flat. ``finish`` splits the dataset into a quadtree
(a tile is split while its estimated GLB size exceeds ``max_tile_bytes``), writes one GLB per
leaf - positions in ECEF (EPSG:4978) relative to the tile centre, ellipsoidal heights from
the geoid (:mod:`pipelines.citymodel.placement`), one ``EXT_mesh_features`` feature and one
``EXT_structural_metadata`` row per building - and the ``tileset.json`` with tight
``region`` bounding volumes. Refinement is ``ADD``: a tile that is split keeps its largest
buildings (up to a quarter of ``max_tile_bytes``) as its own content, so the city is seen
from afar, and its geometric error is the largest side of a building left to its children;
leaves have 0. Every building is in exactly one tile.
"""

from __future__ import annotations

import math
from array import array
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import orjson

from opengeodata.tiles3d.archive import Writer3tz
from opengeodata.tiles3d.glb import Property, building_glb
from pipelines.citymodel.cityjson import SCALE, Feature, Transform
from pipelines.citymodel.mesh import COLORS, flatten, flatten_batch, ranges, sum_by, triangulate
from pipelines.citymodel.placement import Geoid, to_ecef, to_geodetic

if TYPE_CHECKING:
    from pipelines.citymodel.encode import Encoded

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
NAMES = [p.name for p in PROPERTIES]  # the spooled rows' keys, in this order
MAX_TILE_BYTES = 640 << 10
MAX_LEVEL = 14
#: a spool record: attributes (JSON), vertices, ring points, ring lengths, rings per surface,
#: surface classes; its sizes (_FIELDS values per building) are kept in memory
_FIELDS = 5  # json bytes, vertices, ring points, rings, surfaces
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


@dataclass
class _Batch:
    """The spooled buildings of one tile, concatenated (ring point indices shifted)."""

    rows: list[dict[str, Any]]
    vertices: np.ndarray
    refs: np.ndarray
    ring_len: np.ndarray
    surface_rings: np.ndarray
    kinds: np.ndarray
    nref: np.ndarray  # ring points per building


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
        self.counts = array("I")  # the record's sizes (_FIELDS per building)
        self._index: np.ndarray | None = None  # offset, size, counts per building (finish)
        self.cx: list[float] = []
        self.cy: list[float] = []
        self.estimate: list[int] = []
        self.extent: list[float] = []  # the largest side of each building's box (m)
        self.pos = 0
        self.skipped: list[str] = []

    def add(self, feature: Feature, row: dict[str, Any]) -> bool:
        """Spool one building's surfaces; False when it has none."""
        flat = flatten(feature.objects)
        if not flat.kinds:
            self.skipped.append(feature.id)
            return False
        counts = [(len(feature.vertices), len(flat.refs), len(flat.ring_len), len(flat.kinds))]
        self._spool([row], [feature.box], counts,
                    [(np.asarray(feature.vertices, dtype="<i4").tobytes(),
                      np.asarray(flat.refs, dtype="<u4").tobytes(),
                      np.asarray(flat.ring_len, dtype="<u4").tobytes(),
                      np.asarray(flat.surface_rings, dtype="<u4").tobytes(),
                      bytes(flat.kinds))])
        return True

    def add_batch(self, enc: Encoded, rows: list[dict[str, Any]]) -> None:
        """Spool every building of an encoded batch (``rows``: their attribute rows), as
        :meth:`add` of each ``enc.feature(b)`` would, meshed from the batch's columns."""
        flat = flatten_batch(enc)
        verts = enc.vertices.astype("<i4").tobytes()
        refs = flat.refs.astype("<u4").tobytes()
        ring_len = flat.ring_len.astype("<u4").tobytes()
        surface_rings = flat.surface_rings.astype("<u4").tobytes()
        kinds = flat.kinds.astype("u1").tobytes()
        v0 = enc.v0.tolist()
        boxes = enc.boxes
        group: tuple[list[Any], list[Any], list[Any], list[Any]] = ([], [], [], [])
        r = g = k = 0  # where the building's points, rings and surfaces start
        counts = zip(flat.nrefs.tolist(), flat.nrings.tolist(), flat.nsurfs.tolist(),
                     strict=True)
        for b, (nr, ng, nk) in enumerate(counts):
            if not flat.columnar[b]:
                self._spool(*group)  # keep the spool in building order
                group = ([], [], [], [])
                self.add(enc.feature(b), rows[b])
            elif not nk:
                self.skipped.append(enc.batch.buildings[b].id)
            else:
                group[0].append(rows[b])
                group[1].append(boxes[b])
                group[2].append((v0[b + 1] - v0[b], nr, ng, nk))
                group[3].append((verts[v0[b] * 12:v0[b + 1] * 12], refs[r * 4:(r + nr) * 4],
                                 ring_len[g * 4:(g + ng) * 4],
                                 surface_rings[k * 4:(k + nk) * 4], kinds[k:k + nk]))
            r, g, k = r + nr, g + ng, k + nk
        self._spool(*group)

    def _spool(self, rows: list[dict[str, Any]], boxes: list[tuple[int, ...] | None],
               counts: list[tuple[int, int, int, int]], arrays: list[tuple[bytes, ...]]) -> None:
        """Write buildings' records: header, attributes (JSON), vertices, refs, ring lengths,
        rings per surface, surface classes; ``counts``: vertices, refs, rings, surfaces."""
        if not rows:
            return
        attrs = [orjson.dumps({name: row.get(name) for name in NAMES}) for row in rows]
        parts: list[bytes] = []
        for text, arr in zip(attrs, arrays, strict=True):
            parts += (text, *arr)
        self.spool.write(b"".join(parts))
        nv, nrefs, nrings, nsurfs = np.asarray(counts, dtype=np.int64).T
        alen = np.asarray([len(text) for text in attrs], dtype=np.int64)
        self.counts.frombytes(np.column_stack((alen, nv, nrefs, nrings, nsurfs))
                              .astype(np.uint32).tobytes())
        sizes = alen + 12 * nv + 4 * nrefs + 4 * nrings + 5 * nsurfs
        ends = self.pos + np.cumsum(sizes)
        self.offsets += (ends - sizes).tolist()
        self.sizes += sizes.tolist()
        self.pos = int(ends[-1])
        box = np.asarray([b or (0, 0, 0, 0, 0, 0) for b in boxes], dtype=np.int64)
        lo, hi = box[:, :3], box[:, 3:]
        self.cx += ((lo[:, 0] + hi[:, 0]) / 2 * SCALE).tolist()  # metres from the translate
        self.cy += ((lo[:, 1] + hi[:, 1]) / 2 * SCALE).tolist()
        self.extent += ((hi - lo).max(axis=1) * SCALE).tolist()
        triangles = nrefs - 2 * nsurfs + 2 * (nrings - nsurfs)
        self.estimate += (nrefs * _VERTEX_BYTES + triangles * _TRIANGLE_BYTES + alen).tolist()

    def discard(self) -> None:
        """Remove the spool and a half-written archive."""
        self.spool.close()
        self.spool_path.unlink(missing_ok=True)
        self.target.unlink(missing_ok=True)

    def finish(self) -> Tiles3DResult:
        """Write the 3tz (tiles, tileset.json, index); returns what was written."""
        self.spool.close()
        counts = np.frombuffer(self.counts, np.uint32).reshape(-1, _FIELDS)
        self._index = np.column_stack((self.offsets, self.sizes, counts)).astype(np.int64)
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
        extent = np.asarray(self.extent, dtype=np.float64)
        if not len(cx):
            return _empty_root()
        x0, y0 = float(cx.min()), float(cy.min())
        size = max(float(cx.max()) - x0, float(cy.max()) - y0, 1000.0) * (1 + 1e-9) + 1.0
        ids = np.arange(len(cx))

        def content(sel: np.ndarray, level: int, tx: int, ty: int) -> tuple[str, list[float]]:
            uri = f"tiles/{level}/{tx}/{ty}.glb"
            glb, region = self._content(spool, sel)
            writer.add(uri, glb)
            result.tiles += 1
            result.max_tile_bytes = max(result.max_tile_bytes, len(glb))
            return uri, region

        def node(sel: np.ndarray, nx0: float, ny0: float, nsize: float, level: int, tx: int,
                 ty: int) -> dict[str, Any]:
            result.levels = max(result.levels, level + 1)
            if (int(estimate[sel].sum()) <= self.max_tile_bytes or level >= MAX_LEVEL
                    or len(sel) == 1):
                uri, region = content(sel, level, tx, ty)
                return {"boundingVolume": {"region": region}, "geometricError": 0.0,
                        "content": {"uri": uri}}
            # the largest buildings stay here (a quarter of a tile): seen from far away
            largest = sel[np.argsort(-extent[sel], kind="stable")]
            keep = int(np.searchsorted(np.cumsum(estimate[largest]), self.max_tile_bytes // 4,
                                       side="right"))
            own, rest = np.sort(largest[:keep]), np.sort(largest[keep:])
            half = nsize / 2
            right = cx[rest] >= nx0 + half
            top = cy[rest] >= ny0 + half
            children = []
            for dx, dy in ((0, 0), (1, 0), (0, 1), (1, 1)):
                part = rest[(right == bool(dx)) & (top == bool(dy))]
                if len(part):
                    children.append(node(part, nx0 + dx * half, ny0 + dy * half, half,
                                         level + 1, 2 * tx + dx, 2 * ty + dy))
            regions = [c["boundingVolume"]["region"] for c in children]
            tile: dict[str, Any] = {}
            if len(own):
                uri, own_region = content(own, level, tx, ty)
                regions.append(own_region)
                tile["content"] = {"uri": uri}
            box = np.array(regions)
            region = [*box[:, :2].min(axis=0), *box[:, 2:4].max(axis=0), box[:, 4].min(),
                      box[:, 5].max()]
            # what is missing until the children are shown: the largest building in them
            tile.update({"boundingVolume": {"region": [float(v) for v in region]},
                         "geometricError": round(float(extent[rest].max()), 3),
                         "children": children})
            return tile

        return node(ids, x0, y0, size, 0, 0, 0)

    def _read(self, spool: Any, order: np.ndarray) -> _Batch:
        """The records of buildings ``order`` (ascending), each run of neighbours read at once."""
        assert self._index is not None
        offsets, sizes, jlen, n, r, g, k = self._index[order].T
        cut = np.flatnonzero(offsets[1:] != offsets[:-1] + sizes[:-1]) + 1
        chunks = []
        for a, b in zip([0, *cut.tolist()], [*cut.tolist(), len(order)], strict=True):
            spool.seek(int(offsets[a]))
            chunks.append(spool.read(int(offsets[b - 1] + sizes[b - 1] - offsets[a])))
        blob = np.frombuffer(b"".join(chunks), np.uint8)
        pos = np.cumsum(sizes) - sizes
        fields = []
        for size in (jlen, 12 * n, 4 * r, 4 * g, 4 * k, k):
            fields.append(blob[ranges(pos, size)])
            pos = pos + size
        attrs, verts, refs, ring_len, surface_rings, kinds = fields
        json = np.insert(attrs, np.cumsum(jlen)[:-1], ord(",")).tobytes()
        first_vertex = np.cumsum(n) - n
        return _Batch(orjson.loads(b"[" + json + b"]"),
                      verts.view("<i4").reshape(-1, 3).astype(np.float64),
                      refs.view("<u4").astype(np.int64) + np.repeat(first_vertex, r),
                      ring_len.view("<u4").astype(np.int64),
                      surface_rings.view("<u4").astype(np.int64), kinds, r)

    def _content(self, spool: Any, sel: np.ndarray) -> tuple[bytes, list[float]]:
        order = np.sort(sel)  # spool order (offsets grow with the building number)
        batch = self._read(spool, order)
        rows, vertices, refs, nref = batch.rows, batch.vertices, batch.refs, batch.nref
        ring_len, surface_rings, kinds = batch.ring_len, batch.surface_rings, batch.kinds
        origin = vertices.min(axis=0)
        local = (vertices - origin) * SCALE  # metres, for the triangulation
        triangles, tri_surface = triangulate(local[refs], ring_len, surface_rings)
        real = vertices * SCALE + np.asarray(self.transform.translate)
        lon, lat, h = to_geodetic(real[:, 0], real[:, 1], real[:, 2], self.geoid)
        ecef_unique = to_ecef(lon, lat, h)
        center = (ecef_unique.min(axis=0) + ecef_unique.max(axis=0)) / 2
        rel = ecef_unique[refs] - center
        a, b, c = rel[triangles[:, 0]], rel[triangles[:, 1]], rel[triangles[:, 2]]
        cross = np.cross(b - a, c - a)
        keep = np.linalg.norm(cross, axis=1) > 1e-9
        triangles, cross, tri_surface = triangles[keep], cross[keep], tri_surface[keep]
        nsurf = len(surface_rings)
        normal = sum_by(tri_surface, cross, nsurf)
        length = np.linalg.norm(normal, axis=1)
        up = center / np.linalg.norm(center)
        normal = np.where(length[:, None] > 0, normal / np.maximum(length, 1e-300)[:, None], up)
        first_ring = np.zeros(nsurf, dtype=np.int64)
        np.cumsum(surface_rings[:-1], out=first_ring[1:])
        points_per_surface = np.add.reduceat(ring_len, first_ring)
        vertex_surface = np.repeat(np.arange(nsurf), points_per_surface)
        glb = building_glb(
            positions=_y_up(rel).astype(np.float32),
            normals=_unit32(_y_up(normal[vertex_surface])),
            colors=COLORS[np.repeat(kinds, points_per_surface)],
            feature_ids=np.repeat(np.arange(len(rows), dtype=np.float32), nref),
            indices=triangles.reshape(-1),
            translation=tuple(float(v) for v in _y_up(center[None, :])[0]),  # type: ignore[arg-type]
            properties=PROPERTIES,
            columns=dict(zip(NAMES, map(list, zip(*(r.values() for r in rows), strict=True)),
                             strict=True)),
        )
        used = np.zeros(len(vertices), dtype=bool)
        used[refs] = True
        region = [float(np.radians(lon[used].min())), float(np.radians(lat[used].min())),
                  float(np.radians(lon[used].max())), float(np.radians(lat[used].max())),
                  float(h[used].min()), float(h[used].max())]
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
    root["refine"] = "ADD"  # a building is in one tile: children add the smaller ones
    return {
        "asset": {"version": "1.1", "generator": "opengeodata",
                  "extras": {"crs": "EPSG:4978", "source_crs": "EPSG:25832+7837",
                             "geoid": geoid.label}},
        "geometricError": round(max(root.get("geometricError", 0.0) * 2, _span(root) / 10,
                                    10.0), 3),
        "root": root,
    }


def _span(tile: dict[str, Any]) -> float:
    """The larger side in metres of a tile's region (radians): a tileset that is one tile
    still gets an error that lets clients show it from a distance that shows all of it."""
    west, south, east, north = tile["boundingVolume"]["region"][:4]
    radius = 6_378_137.0
    width = (east - west) * radius * math.cos((south + north) / 2)
    return float(max(width, (north - south) * radius))
