"""``kill -9`` of a refresh at several moments: old or new version live, never a mix."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from opengeodata.declaration import load_all
from opengeodata.manifest import Manifest, sha256_file
from opengeodata.settings import Settings
from opengeodata.store import Store
from pipelines.runner import run_many
from tests.pipelines.publish.util import add_dataset, cli_env, feature_collection, square


def _grid(n: int, label: str) -> str:
    side = int(n**0.5) + 1
    return feature_collection([
        {"type": "Feature", "properties": {"nr": i, "label": f"{label} {i}"},
         "geometry": {"type": "Polygon", "coordinates": square(
             548_000 + 60 * (i % side), 5_798_000 + 60 * (i // side))}}
        for i in range(n)
    ])


def _check_consistent(settings: Settings, dataset_id: str) -> str:
    """The live version is complete and matches its manifest; returns its version name."""
    live = Store(settings.data_dir).live_dir(dataset_id)
    assert live is not None, "no live version after a crash"
    manifest = Manifest.read(live)
    assert sorted(p.name for p in live.iterdir()) == sorted(
        [o.name for o in manifest.files] + ["manifest.json"])
    for out in manifest.files:
        assert sha256_file(live / out.name) == out.sha256, f"{out.name} differs from manifest"
    return live.name


def _refresh_proc(settings: Settings) -> subprocess.Popen[bytes]:
    env = cli_env(settings)
    return subprocess.Popen([sys.executable, "-m", "opengeodata.cli", "refresh", "--force",
                             "raster"], env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)


@pytest.mark.slow
def test_sigkill_at_any_moment_leaves_old_or_new(settings: Settings) -> None:
    sample = add_dataset(settings, "raster", _grid(1500, "alt"),
                         extra="outputs: [gpkg, geojson, fgb, shpzip, csv, parquet]\n"
                               "keep_versions: 20\n")
    [first] = run_many(load_all(settings.datasets_dir, ["raster"]), settings)
    assert first.status == "published", first.message
    store = Store(settings.data_dir)
    old_live = store.live_dir("raster")
    assert old_live is not None
    old = {p.name: sha256_file(p) for p in old_live.iterdir()}
    sample.write_text(_grid(1500, "neu"))

    started = time.perf_counter()
    proc = _refresh_proc(settings)
    assert proc.wait(timeout=120) == 0
    duration = time.perf_counter() - started
    complete = store.versions("raster")
    assert len(complete) == 2

    staging = settings.data_dir / "staging" / "raster"
    seen_staging = 0
    for fraction in (0.0, 0.15, 0.3, 0.5, 0.7, None):
        proc = _refresh_proc(settings)
        if fraction is None:  # around the end of the run: publish, switch, prune
            time.sleep(duration * 1.02)
        else:
            # wait until the run is building (robust to a slow, loaded machine), then kill
            # at a fraction of the remaining build time
            deadline = time.monotonic() + 120
            while proc.poll() is None and time.monotonic() < deadline and not (
                    staging.is_dir() and any(staging.iterdir())):
                time.sleep(0.005)
            if staging.is_dir() and any(staging.iterdir()):
                seen_staging += 1
            time.sleep(duration * 0.5 * fraction)
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
        version = _check_consistent(settings, "raster")
        files = {p.name: sha256_file(p) for p in (store.dataset_dir("raster") / "versions"
                                                   / version).iterdir()}
        if version == old_live.name:
            assert files == old  # the old version, byte for byte
        else:
            manifest = Manifest.read(store.dataset_dir("raster") / "versions" / version)
            assert {o.name for o in manifest.files} == {n for n in old if n != "manifest.json"}
            assert manifest.sources[0].sha256 == sha256_file(sample)
    assert seen_staging >= 2, "no kill happened while a version was being built"

    # the next run cleans what the crashed runs left and publishes normally
    [after] = run_many(load_all(settings.datasets_dir, ["raster"]), settings, force=True)
    assert after.status == "published", after.message
    _check_consistent(settings, "raster")
    assert list(staging.iterdir()) == []
    folder = store.dataset_dir("raster")
    assert sorted(p.name for p in folder.iterdir()) == ["live", "versions"]
    for version in store.versions("raster"):
        manifest = Manifest.read(folder / "versions" / version)
        for out in manifest.outputs:
            assert sha256_file(folder / "versions" / version / out.name) == out.sha256
    assert all((p / "manifest.json").is_file() for p in (folder / "versions").iterdir())
    assert not list((settings.data_dir / "sources" / "raster").glob(".*.part"))
    json.loads((folder / "live" / "manifest.json").read_text())


def test_killed_before_the_switch_is_cleaned(settings: Settings, tmp_path: Path) -> None:
    """A run killed between moving the version into place and the switch never goes live."""
    code = (
        "import os, signal, sys\n"
        "from opengeodata.declaration import load_all\n"
        "from opengeodata.settings import Settings\n"
        "import opengeodata.store as store\n"
        "def die(*a, **k):\n    os.kill(os.getpid(), signal.SIGKILL)\n"
        "store.Store.switch_live = die\n"
        "from pipelines.runner import run_many\n"
        "s = Settings().resolved()\n"
        "run_many(load_all(s.datasets_dir, ['raster']), s, force=True)\n"
    )
    sample = add_dataset(settings, "raster", _grid(20, "alt"), extra="outputs: [gpkg]\n")
    [first] = run_many(load_all(settings.datasets_dir, ["raster"]), settings)
    before = _check_consistent(settings, "raster")
    sample.write_text(_grid(20, "neu"))
    env = cli_env(settings)
    proc = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True)
    assert proc.returncode == -signal.SIGKILL
    store = Store(settings.data_dir)
    assert len(store.versions("raster")) == 2  # moved into place ...
    assert _check_consistent(settings, "raster") == before == first.version  # ... never live
    [again] = run_many(load_all(settings.datasets_dir, ["raster"]), settings)
    assert again.status == "published"
    assert store.versions("raster") == [first.version, again.version]
    assert not list(store.dataset_dir("raster").glob(".pending-*"))
