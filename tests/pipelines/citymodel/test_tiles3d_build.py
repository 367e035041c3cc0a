"""3D Tiles built from CityGML: valid glTF, every building once, placed on the ellipsoid."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from pyproj import Transformer

from opengeodata.tiles3d.archive import INDEX_NAME, Archive3tz, ArchiveError, write_3tz
from opengeodata.tiles3d.glb import property_table
from opengeodata.tiles3d.tileset import count_features
from pipelines.citymodel.convert import ConvertResult, convert
from pipelines.citymodel.placement import ecef_to_geodetic, geoid
from tests.conftest import DATASETS
from tests.tiles3d.support import ecef_vertices, leaves, validate_glbs

Run = tuple[Path, ConvertResult, dict[str, Any]]


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> Run:
    """The bundled lod2 sample (300 buildings) with small tiles, so the quadtree has levels."""
    tmp = tmp_path_factory.mktemp("tiles3d")
    sources = sorted((DATASETS / "lod2" / "sample").glob("*.gml"))
    result = convert(sources, cityjson=tmp / "lod2.city.json", tiles3d=tmp / "lod2.3tz",
                     tiles3d_max_bytes=48 << 10)
    with Archive3tz(tmp / "lod2.3tz") as archive:
        tileset = json.loads(archive.read("tileset.json"))
    return tmp, result, tileset


def _contents(tmp: Path, tileset: dict[str, Any]) -> dict[str, bytes]:
    with Archive3tz(tmp / "lod2.3tz") as archive:
        return {t["content"]["uri"]: archive.read(t["content"]["uri"])
                for t in leaves(tileset["root"])}


def test_glb_contents_pass_the_gltf_validator(run: Run, tmp_path: Path) -> None:
    tmp, _result, tileset = run
    paths = []
    for i, data in enumerate(_contents(tmp, tileset).values()):
        path = tmp_path / f"{i}.glb"
        path.write_bytes(data)
        paths.append(path)
    reports = validate_glbs(paths)
    assert len(reports) == len(paths) > 3
    for report in reports:
        assert report["errors"] == 0, report["messages"]
        assert report["warnings"] == 0, report["messages"]


def test_every_building_is_in_exactly_one_property_table(run: Run) -> None:
    tmp, result, tileset = run
    ids: list[str] = []
    for data in _contents(tmp, tileset).values():
        _ecef, fid, gltf, binary = ecef_vertices(data)
        table = property_table(gltf, binary)
        assert set(table) >= {"gml_id", "funktion", "dachform", "hoehe", "baujahr", "geschosse"}
        assert sorted(set(fid.astype(int))) == list(range(len(table["gml_id"])))
        ids.extend(table["gml_id"])
    assert len(ids) == len(set(ids)) == result.buildings == 300
    assert set(ids) == set(result.frame["gml_id"])
    assert count_features(tmp / "lod2.3tz") == 300


def test_vertices_lie_in_the_extent_at_ground_plus_geoid_heights(run: Run) -> None:
    tmp, result, tileset = run
    frame = result.frame.set_index("gml_id")
    minx, miny, maxx, maxy = result.frame.total_bounds  # the dataset's extent (EPSG:25832)
    to_utm = Transformer.from_crs(4326, 25832, always_xy=True)
    grid = geoid()
    checked = 0
    for data in _contents(tmp, tileset).values():
        ecef, fid, gltf, binary = ecef_vertices(data)
        table = property_table(gltf, binary)
        lon, lat, h = ecef_to_geodetic(ecef)
        x, y = to_utm.transform(lon, lat)
        assert x.min() > minx - 0.01 and x.max() < maxx + 0.01
        assert y.min() > miny - 0.01 and y.max() < maxy + 0.01
        undulation = _undulation(grid.path, lon, lat) if grid.path.suffix == ".gtx" else None
        normal = h - (undulation if undulation is not None else 43.0)
        ground = np.array([frame.loc[g, "gelaendehoehe"] for g in table["gml_id"]])[
            fid.astype(int)]
        top = ground + np.array([frame.loc[g, "hoehe"] for g in table["gml_id"]])[fid.astype(int)]
        tol = 0.05 if undulation is not None else 3.0  # GCG2016 vs a rough 43 m
        assert (normal >= ground - tol).all() and (normal <= top + tol).all()
        assert ((h - ground) > 40).all()  # the geoid was applied: ~43 m in Hannover
        checked += len(h)
    assert checked > 1000


def _undulation(path: Path, lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
    """EGM96 from the .gtx grid by bilinear interpolation (independent of PROJ)."""
    raw = path.read_bytes()
    lat0, lon0, dlat, dlon = np.frombuffer(raw, ">f8", 4)
    rows, cols = np.frombuffer(raw, ">i4", 2, 32)
    grid = np.frombuffer(raw, ">f4", rows * cols, 40).reshape(rows, cols)
    fy = (lat - lat0) / dlat
    fx = ((lon - lon0) % 360) / dlon
    iy, ix = np.floor(fy).astype(int), np.floor(fx).astype(int)
    ty, tx = fy - iy, fx - ix
    return ((grid[iy, ix] * (1 - tx) + grid[iy, ix + 1] * tx) * (1 - ty)
            + (grid[iy + 1, ix] * (1 - tx) + grid[iy + 1, ix + 1] * tx) * ty)


def _extent(contents: dict[str, bytes], uri: str) -> list[float]:
    ecef, *_ = ecef_vertices(contents[uri])
    lon, lat, h = ecef_to_geodetic(ecef)
    return [np.radians(lon.min()), np.radians(lat.min()), np.radians(lon.max()),
            np.radians(lat.max()), h.min(), h.max()]


def _sizes(data: bytes) -> np.ndarray:
    """The largest side (m) of each building of a content, from its vertices."""
    ecef, fid, *_ = ecef_vertices(data)
    out = np.zeros(int(fid.max()) + 1)
    for f in range(len(out)):
        pts = ecef[fid == f]
        out[f] = (pts.max(axis=0) - pts.min(axis=0)).max()
    return out


def test_quadtree_has_tight_regions_and_decreasing_errors(run: Run) -> None:
    tmp, _result, tileset = run
    assert tileset["asset"]["version"] == "1.1"
    assert "EGM96" in tileset["asset"]["extras"]["geoid"] or "GCG2016" in tileset["asset"][
        "extras"]["geoid"]
    assert tileset["root"]["refine"] == "ADD"
    contents = _contents(tmp, tileset)

    def check(tile: dict[str, Any], parent_error: float) -> None:
        region = tile["boundingVolume"]["region"]
        assert tile["geometricError"] <= parent_error
        children = tile.get("children", [])
        parts = [c["boundingVolume"]["region"] for c in children]
        if "content" in tile:
            parts.append(_extent(contents, tile["content"]["uri"]))
        if not children:
            assert tile["geometricError"] == 0 and "content" in tile
        else:
            assert tile["geometricError"] > 0
        box = np.array(parts)
        union = [*box[:, :2].min(axis=0), *box[:, 2:4].max(axis=0), box[:, 4].min(),
                 box[:, 5].max()]
        assert np.allclose(union[:4], region[:4], atol=1e-8)  # tight, not just containing
        assert np.allclose(union[4:], region[4:], atol=0.01)
        for child in children:
            check(child, tile["geometricError"])

    assert tileset["root"]["geometricError"] > 0
    check(tileset["root"], tileset["geometricError"])
    # the tileset's error grows with its size, so clients show it from a distance that shows
    # all of it (a one-tile tileset with 10 m vanished from ~600 m in Cesium)
    south, north = tileset["root"]["boundingVolume"]["region"][1:4:2]
    assert tileset["geometricError"] >= (north - south) * 6_378_137 / 10 - 0.01
    assert max(len(c) for c in contents.values()) < 96 << 10


def test_largest_buildings_are_seen_from_afar(run: Run) -> None:
    """ADD refinement: a split tile shows its largest buildings itself, and its geometric error
    covers the largest building it leaves to its children."""
    tmp, _result, tileset = run
    contents = _contents(tmp, tileset)
    assert "content" in tileset["root"] and tileset["root"].get("children")

    def largest(tile: dict[str, Any]) -> float:
        own = _sizes(contents[tile["content"]["uri"]]).max() if "content" in tile else 0.0
        return max([own, *(largest(c) for c in tile.get("children", []))])

    def check(tile: dict[str, Any]) -> None:
        children = tile.get("children", [])
        if not children:
            return
        below = max(largest(c) for c in children)
        # the ECEF box of a building is at most sqrt(2) wider than its own (rotated) box
        assert tile["geometricError"] >= below / 1.5
        if "content" in tile:
            assert _sizes(contents[tile["content"]["uri"]]).min() >= below / 1.5 - 0.5
        for child in children:
            check(child)

    check(tileset["root"])


def test_3tz_index_is_valid_and_matches_the_zip(run: Run) -> None:
    tmp, _result, _tileset = run
    path = tmp / "lod2.3tz"
    with zipfile.ZipFile(path) as zf:
        infos = zf.infolist()
        assert infos[-1].filename == INDEX_NAME
        assert all(i.compress_type == zipfile.ZIP_STORED for i in infos)
        with Archive3tz(path) as archive:
            assert len(archive) == len(infos) - 1
            for info in infos[:-1]:
                assert archive.read(info.filename) == zf.read(info.filename)
                assert archive.read("/" + info.filename) == zf.read(info.filename)
            with pytest.raises(KeyError):
                archive.read("tiles/9/9/9.glb")
    # the same through range reads (as from an object store), index parsed once
    data = path.read_bytes()
    reads: list[tuple[int, int]] = []

    def read_at(offset: int, size: int) -> bytes:
        reads.append((offset, size))
        return data[offset:offset + size]

    ranged = Archive3tz.from_reader("lod2.3tz", len(data), read_at)
    before = len(reads)
    with zipfile.ZipFile(path) as zf:
        assert ranged.read("tileset.json") == zf.read("tileset.json")
    assert len(reads) - before == 3  # local header, name, data
    again = Archive3tz.from_reader("lod2.3tz", len(data), read_at, index=ranged.index)
    assert again.read("tileset.json") == ranged.read("tileset.json")


def test_3tz_reader_refuses_a_zip_without_index(tmp_path: Path) -> None:
    plain = tmp_path / "plain.3tz"
    with zipfile.ZipFile(plain, "w") as zf:
        zf.writestr("tileset.json", "{}")
    with pytest.raises(ArchiveError, match="last zip entry is not @3dtilesIndex1@"):
        Archive3tz(plain)
    (tmp_path / "junk.3tz").write_bytes(b"no zip at all")
    with pytest.raises(ArchiveError, match="not a zip file"):
        Archive3tz(tmp_path / "junk.3tz")
    ok = write_3tz(tmp_path / "ok.3tz", [("tileset.json", b"{}"), ("a/b.glb", b"x")])
    with Archive3tz(ok) as archive:
        assert "a/b.glb" in archive and "a/c.glb" not in archive


def test_convert_citygml_writes_a_tileset_for_citygml_1_and_2(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from opengeodata.cli import main
    from tests.conftest import SHARED_DATA
    from tests.pipelines.citymodel.fixtures import write_citygml_1_0

    sources = [write_citygml_1_0(tmp_path / "v1.gml")]
    shared = [p for name in ("v2_Building_and_garage_LOD2-EPSG25832.gml",
                             "Berlin_Moabit_1Bldg_v2.gml")
              if (p := SHARED_DATA / "citygml" / name).is_file()]  # real files, when present
    sources += shared
    folder = tmp_path / "3d"
    res = CliRunner().invoke(main, ["convert", "citygml", *map(str, sources), "-o",
                                    str(tmp_path / "out.city.json"), "--3dtiles", str(folder)])
    assert res.exit_code == 0, res.output
    assert "3D Tiles 1.1:" in res.output and "geoid" in res.output
    tileset = json.loads((folder / "tileset.json").read_text(encoding="utf-8"))
    uris = [t["content"]["uri"] for t in leaves(tileset["root"])]
    assert uris and all((folder / u).is_file() for u in uris)
    ids = []
    for uri in uris:
        _ecef, _fid, gltf, binary = ecef_vertices((folder / uri).read_bytes())
        ids += property_table(gltf, binary)["gml_id"]
    assert "B1" in ids and len(ids) == 1 + len(shared)
    assert not list(folder.glob("*.part"))
    archive = tmp_path / "x.3tz"
    res = CliRunner().invoke(main, ["convert", "citygml", str(sources[0]), "-o",
                                    str(tmp_path / "x.city.json"), "--3dtiles", str(archive)])
    assert res.exit_code == 0, res.output
    assert count_features(archive) == 1
