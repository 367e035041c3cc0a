"""Meshing a batch from its columns spools what meshing each building's CityJSON does; the
property table strings."""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any, cast

import numpy as np
import pytest

from opengeodata.tiles3d.glb import _strings
from pipelines.citymodel.cityjson import Transform
from pipelines.citymodel.encode import Encoded
from pipelines.citymodel.placement import Geoid
from pipelines.citymodel.tiles3d import Tiles3DBuilder
from tests.pipelines.citymodel.test_encode import _batch


def _spooled(builder: Tiles3DBuilder) -> tuple[Any, ...]:
    builder.spool.close()
    data = builder.spool_path.read_bytes()
    return (data, builder.offsets, builder.sizes, builder.cx, builder.cy, builder.extent,
            builder.estimate, builder.skipped)


@pytest.mark.parametrize("seed", range(300))
def test_add_batch_spools_what_add_of_each_feature_does(seed: int, tmp_path: Path) -> None:
    rng = random.Random(seed)
    batch = _batch(rng)
    for building in batch.buildings:  # some buildings go the CityJSON way
        for obj in building.all_objects():
            for g in obj.geometries:
                if rng.random() < 0.05:
                    g.type = rng.choice(["CompositeSurface", "Other"])
    transform = Transform((1000.0, 1000.0, 0.0))
    enc = Encoded(batch, transform)
    rows = [{"gml_id": b.id, "hoehe": float(i)} for i, b in enumerate(batch.buildings)]
    geoid = cast(Geoid, None)  # not used before finish
    one = Tiles3DBuilder(tmp_path / "one.3tz", transform, geoid)
    for b, row in enumerate(rows):
        one.add(enc.feature(b), row)
    many = Tiles3DBuilder(tmp_path / "many.3tz", transform, geoid)
    many.add_batch(enc, rows)
    assert _spooled(many) == _spooled(one)


@pytest.mark.parametrize("values", [[], ["a"], [None], ["", ""], ["\0"], ["x\0y", "z"],
                                    ["Straße 1", None, "", "äöü", "Weg"]])
def test_property_strings_are_the_values_encoded_one_by_one(values: list[str | None]) -> None:
    encoded = [(v or "").encode() for v in values]
    offsets = np.concatenate(([0], np.cumsum([len(e) for e in encoded]))).astype("<u4")
    assert _strings(values) == (b"".join(encoded), offsets.tobytes())
