"""End-to-end refresh of the bundled `stadtbezirke` into a temp data dir."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pyogrio
import pytest

from opengeodata.declaration import load_all
from opengeodata.manifest import sha256_file
from opengeodata.settings import Settings
from opengeodata.store import Store
from pipelines.runner import run_many
from tests.pipelines.publish.util import cli_env

DISTRICTS = {
    "Mitte", "Vahrenwald-List", "Bothfeld-Vahrenheide", "Buchholz-Kleefeld", "Misburg-Anderten",
    "Kirchrode-Bemerode-Wülferode", "Südstadt-Bult", "Döhren-Wülfel", "Ricklingen",
    "Linden-Limmer", "Ahlem-Badenstedt-Davenstedt", "Herrenhausen-Stöcken", "Nord",
}


def test_refresh_publishes_gpkg_in_25832(settings: Settings) -> None:
    [result] = run_many(load_all(settings.datasets_dir), settings)
    assert result.status == "published", result.message
    store = Store(settings.data_dir)
    manifest = store.live_manifest("stadtbezirke")
    assert manifest is not None and manifest.feature_count == 13
    live = store.live_dir("stadtbezirke")
    assert live is not None
    gpkg = live / "stadtbezirke.gpkg"
    frame = pyogrio.read_dataframe(gpkg)
    assert frame.crs.to_epsg() == 25832
    assert set(frame["name"]) == DISTRICTS
    assert sorted(frame["bezirk_nr"]) == [f"{i:02d}" for i in range(1, 14)]
    # Hannover lies around E 540-562 km, N 5793-5815 km
    minx, miny, maxx, maxy = frame.total_bounds
    assert 535_000 < minx < maxx < 565_000 and 5_790_000 < miny < maxy < 5_818_000
    out = manifest.output("gpkg")
    assert out is not None and out.sha256 == sha256_file(gpkg)
    assert manifest.quality.features_read == manifest.quality.features_written == 13


def test_second_refresh_does_no_work(settings: Settings) -> None:
    declared = load_all(settings.datasets_dir)
    [first] = run_many(declared, settings)
    [second] = run_many(declared, settings)
    assert second.status == "unchanged"
    assert second.version == first.version
    assert Store(settings.data_dir).versions("stadtbezirke") == [first.version]


def _cli(settings: Settings, *args: str) -> subprocess.CompletedProcess[str]:
    env = cli_env(settings)
    return subprocess.run([sys.executable, "-m", "opengeodata.cli", *args],
                          capture_output=True, text=True, env=env)


def test_cli_refresh_twice_says_unchanged(settings: Settings) -> None:
    first = _cli(settings, "refresh")
    assert first.returncode == 0, first.stderr
    assert "published" in first.stderr
    second = _cli(settings, "refresh", "stadtbezirke")
    assert second.returncode == 0
    assert "unchanged" in second.stderr
    listing = _cli(settings, "datasets")
    assert "stadtbezirke" in listing.stdout and "13" in listing.stdout


@pytest.mark.parametrize(
    ("edit", "expected"),
    [
        (lambda t: t + "\ncolour: red\n", "'colour': unknown key"),
        (lambda t: t.replace("sample/stadtbezirke.geojson", "sample/gone.geojson"),
         "does not exist"),
        (lambda t: t.replace("keep_versions", "x") + "\nkeep_versions: lots\n",
         "'keep_versions'"),
    ],
)
def test_broken_declaration_leaves_published_data_untouched(
    settings: Settings, edit: object, expected: str
) -> None:
    assert _cli(settings, "refresh").returncode == 0
    store = Store(settings.data_dir)
    live = store.live_dir("stadtbezirke")
    assert live is not None
    before = {p.name: sha256_file(p) for p in live.iterdir()}
    decl = settings.datasets_dir / "stadtbezirke" / "dataset.yml"
    decl.write_text(edit(decl.read_text()))  # type: ignore[operator]
    result = _cli(settings, "refresh", "--force")
    assert result.returncode != 0
    assert str(decl) in result.stderr.replace("\n", "")
    assert expected in result.stderr.replace("\n", "")
    assert store.live_dir("stadtbezirke") == live
    assert {p.name: sha256_file(p) for p in live.iterdir()} == before


def test_missing_mapped_field_fails_cleanly(settings: Settings, tmp_path: Path) -> None:
    decl = settings.datasets_dir / "stadtbezirke" / "dataset.yml"
    decl.write_text(decl.read_text().replace("source: STADTBEZIRK\n", "source: BEZIRKSNAME\n"))
    result = _cli(settings, "refresh")
    assert result.returncode == 1
    assert "BEZIRKSNAME" in result.stderr and "missing from the source" in result.stderr
    assert Store(settings.data_dir).live_dir("stadtbezirke") is None
