"""The shortcuts of the CityJSON output agree with the plain paths on odd random batches.

Holes, several shells, degenerate and repeated rings, shared vertices, empty geometries,
repeated gml:ids, parts, LoD4 and all kinds of measuredHeight values.
"""

from __future__ import annotations

import copy
import random
from typing import Any

import numpy as np
import orjson
import pytest

from pipelines.citymodel.batch import Batch, GeomRec, ObjRec
from pipelines.citymodel.cityjson import Transform
from pipelines.citymodel.encode import Encoded, _sort_points
from pipelines.citymodel.quality import QualityLog, _judge, _map_lod4, _own_height, check_batch

HEIGHTS: list[Any] = [0.5, 2.0, 30.0, 0.0, -1.0, float("nan"), float("inf"), 5, "x", True]


def _batch(rng: random.Random) -> Batch:
    xyz: list[tuple[int, int, int]] = []
    ring_len: list[int] = []
    nrings: list[int] = []
    kinds: list[int] = []

    def geometry() -> GeomRec:
        s0, shells = len(nrings), []
        for _ in range(rng.choice([1, 1, 1, 2])):
            count = rng.choice([0, 1, 2, 3, 5])
            for _ in range(count):
                k = rng.choice([1, 1, 1, 2, 3])
                for _ in range(k):
                    n = rng.choice([0, 1, 2, 3, 4, 4, 5])
                    ring = [(rng.randint(0, 5), rng.randint(0, 5), rng.randint(0, 3))
                            for _ in range(n)]
                    if n and rng.random() < 0.2:
                        ring.append(ring[-1])
                    xyz.extend(ring)
                    ring_len.append(len(ring))
                nrings.append(k)
                kinds.append(rng.choice([-1, 0, 1, 2, 2, 3]))
            shells.append(count)
        return GeomRec(rng.choice(["Solid", "MultiSurface"]), rng.choice(["2", "4"]), s0,
                       len(nrings), shells)

    def obj(name: str, depth: int) -> ObjRec:
        rec = ObjRec(name if rng.random() > 0.05 else "dup", "Building")
        if rng.random() < 0.6:
            rec.attributes["measuredHeight"] = rng.choice(HEIGHTS)
        rec.geometries = [geometry() for _ in range(rng.choice([0, 1, 1, 2]))]
        if depth < 2 and rng.random() < 0.3:
            rec.parts = [obj(f"{name}_{j}", depth + 1) for j in range(rng.choice([1, 2]))]
        return rec

    buildings = [obj(f"b{i}", 0) for i in range(rng.randint(1, 20))]
    lens = np.array(ring_len, dtype=np.int64)
    starts = np.concatenate(([0], np.cumsum(lens)[:-1])).astype(np.int64)
    nr = np.array(nrings, dtype=np.int64)
    ring0 = np.concatenate(([0], np.cumsum(nr)[:-1])).astype(np.int64)
    scale = rng.choice([0.37, 0.37, 3e11])  # 3e11: too wide for one packed sort key
    pts = np.array(xyz, dtype=np.float64).reshape(-1, 3) * scale + 1000.0
    return Batch(buildings, None, pts, starts[:len(lens)], lens, ring0[:len(nr)], nr,
                 np.array(kinds, dtype=np.int8))


@pytest.mark.parametrize("seed", range(300))
def test_chunk_text_is_the_lists_as_json(seed: int) -> None:
    rng = random.Random(seed)
    batch = _batch(rng)
    enc = Encoded(batch, Transform((1000.0, 1000.0, 0.0)))
    base = rng.choice([0, 7, 123456])
    geometries = enc._geometry_list((enc.point_vertex + base).tolist())
    objects: dict[str, dict[str, Any]] = {}
    count = sum(enc._objects(b, None, geometries, objects) for b in batch.buildings)
    if len(objects) == count:
        expected = orjson.dumps(objects)[1:-1]
    else:
        parts = []
        for building in batch.buildings:
            one: dict[str, dict[str, Any]] = {}
            enc._objects(building, None, geometries, one)
            parts.append(orjson.dumps(one)[1:-1])
        expected = b",".join(parts)
    assert enc.chunk(base).objects == expected


@pytest.mark.parametrize("seed", range(50))
def test_packed_sort_is_the_lexsort(seed: int) -> None:
    rng = np.random.default_rng(seed)
    n = int(rng.integers(2, 300))
    qs = rng.integers(-5, 5, (n, 3)) * int(rng.choice([1, 1000, 10**6]))
    bs = np.sort(rng.integers(0, 20, n))
    order, new = _sort_points(qs, bs)
    lex = np.lexsort((qs[:, 2], qs[:, 1], qs[:, 0], bs))
    assert np.array_equal(order, lex)
    sq = qs[lex]
    assert np.array_equal(new[1:], (bs[lex][1:] != bs[lex][:-1]) | np.any(sq[1:] != sq[:-1], 1))


@pytest.mark.parametrize("seed", range(300))
def test_check_batch_is_the_checks_one_by_one(seed: int) -> None:
    batch = _batch(random.Random(seed))
    if seed % 7 == 0 and len(batch.xyz):
        batch.xyz[0, 2] = float("nan")
    other = copy.deepcopy(batch)
    log, expected = QualityLog(), QualityLog()
    check_batch(batch.buildings, batch, log)
    for building in other.buildings:
        for obj in building.all_objects():
            _map_lod4(obj, expected)
            if (measured := obj.attributes.get("measuredHeight")) is not None:
                _judge(obj, measured, _own_height(obj, other), expected)
    assert repr(log) == repr(expected)
    assert repr([(o.attributes, o.geometries) for b in batch.buildings
                 for o in b.all_objects()]) == \
        repr([(o.attributes, o.geometries) for b in other.buildings for o in b.all_objects()])
