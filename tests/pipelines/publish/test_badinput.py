"""Bad input: a clear error naming dataset, file and cause; nothing published changes; the
input is kept in quarantine with an error report."""

from __future__ import annotations

import io
from pathlib import Path

import pyogrio
import pytest
import shapely

from opengeodata.declaration import load_all
from opengeodata.settings import Settings
from opengeodata.store import Store
from pipelines.runner import run_many
from tests.pipelines.publish.util import (
    add_dataset,
    cli,
    feature_collection,
    live_snapshot,
    polygons,
)

GOOD = polygons(3)
OUT = "outputs: [gpkg, geojson, csv]\n"
MAPPED = OUT + "fields:\n  - {name: name}\n  - {name: nummer, type: integer}\n"

#: dataset id -> (file suffix, declaration extra, source extra, bad content, words in the error)
CASES: dict[str, tuple[str, str, str, bytes, list[str]]] = {
    "truncated": (".geojson", OUT, "", GOOD.encode()[: len(GOOD) // 2], ["truncated.geojson"]),
    "empty": (".geojson", OUT, "", b"", ["empty.geojson", "empty"]),
    "garbage": (".gpkg", OUT, "", bytes(range(256)) * 40, ["garbage.gpkg"]),
    "wrongcrs": (".geojson", OUT, "  crs: EPSG:4326\n", GOOD.encode(),
                 ["wrongcrs.geojson", "outside the area of use"]),
    "unclosed": (".geojson", OUT, "", feature_collection([
        {"type": "Feature", "properties": {"name": "offen"},
         "geometry": {"type": "Polygon", "coordinates": [[
             [550_000, 5_800_000], [550_100, 5_800_000], [550_100, 5_800_100],
             [550_000, 5_800_100]]]}}]).encode(), ["unclosed.geojson", "closed"]),
    "nofield": (".geojson", MAPPED, "", GOOD.replace('"nummer"', '"nr"').encode(),
                ["nofield.geojson", "nummer", "missing from the source"]),
}


@pytest.fixture(scope="module")
def failed_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Settings, dict, str]:
    """Every case published once from good input, then refreshed with its bad input."""
    from tests.conftest import make_settings

    settings = make_settings(tmp_path_factory.mktemp("bad"), [])
    samples: dict[str, Path] = {}
    for ds, (suffix, extra, source_extra, _, _) in CASES.items():
        good: str | bytes = GOOD
        if suffix == ".gpkg":
            tmp = tmp_path_factory.mktemp("gpkg") / "good.gpkg"
            frame = pyogrio.read_dataframe(io.BytesIO(GOOD.encode()))
            pyogrio.write_dataframe(frame, tmp)
            good = tmp.read_bytes()
        samples[ds] = add_dataset(settings, ds, good, extra=extra, suffix=suffix,
                                  source_extra=source_extra if ds != "wrongcrs" else "")
    results = run_many(load_all(settings.datasets_dir), settings)
    assert all(r.status == "published" for r in results), results
    before = {ds: live_snapshot(settings, ds) for ds in CASES}
    for ds, (_, _extra, source_extra, bad, _) in CASES.items():
        samples[ds].write_bytes(bad)
        if source_extra:
            decl = settings.datasets_dir / ds / "dataset.yml"
            decl.write_text(decl.read_text().replace("  format: GeoJSON\n",
                                                     "  format: GeoJSON\n" + source_extra))
    result = cli(settings, "refresh")
    return settings, before, result.stderr + f"\nEXIT {result.returncode}"


@pytest.mark.parametrize("dataset_id", sorted(CASES))
def test_bad_input_fails_cleanly(failed_run: tuple[Settings, dict, str], dataset_id: str) -> None:
    settings, before, output = failed_run
    assert output.endswith("EXIT 1")
    text = " ".join(output.split())  # rich wraps long lines
    block = text.split(f"✗ {dataset_id}: failed", 1)
    assert len(block) == 2, f"{dataset_id} did not fail: {text}"
    message = block[1].split("✗", 1)[0]
    assert "Traceback" not in output
    assert f"{dataset_id}:" in message
    for word in CASES[dataset_id][4]:
        assert word in message, f"{word!r} missing from: {message}"
    # the previous version stays live with identical files and checksums
    assert live_snapshot(settings, dataset_id) == before[dataset_id]
    # the bad input is kept with its error report
    [folder] = (settings.data_dir / "quarantine" / dataset_id).iterdir()
    report = (folder / "error.txt").read_text()
    assert f"dataset: {dataset_id}" in report and "message: " in report
    sample = f"{dataset_id}{CASES[dataset_id][0]}"
    assert (folder / sample).read_bytes() == CASES[dataset_id][3]


def test_self_intersection_is_repaired_and_counted(settings: Settings) -> None:
    bowtie = [[[550_000, 5_800_000], [550_100, 5_800_100], [550_100, 5_800_000],
               [550_000, 5_800_100], [550_000, 5_800_000]]]
    add_dataset(settings, "schleife", feature_collection([
        {"type": "Feature", "properties": {"name": "bowtie"},
         "geometry": {"type": "Polygon", "coordinates": bowtie}},
        {"type": "Feature", "properties": {"name": "ok"},
         "geometry": {"type": "Polygon", "coordinates": [[
             [551_000, 5_800_000], [551_050, 5_800_000], [551_050, 5_800_050],
             [551_000, 5_800_000]]]}},
    ]), extra="outputs: [gpkg]\n")
    [result] = run_many(load_all(settings.datasets_dir, ["schleife"]), settings)
    assert result.status == "published", result.message
    assert "1 geometries repaired" in result.message
    store = Store(settings.data_dir)
    manifest = store.live_manifest("schleife")
    live = store.live_dir("schleife")
    assert manifest is not None and live is not None
    assert manifest.quality.geometries_repaired == 1 and manifest.feature_count == 2
    frame = pyogrio.read_dataframe(live / "schleife.gpkg")
    assert bool(shapely.is_valid(frame.geometry.values).all())
    assert frame.geometry.iloc[0].area == pytest.approx(5000)
    listing = cli(settings, "datasets")
    assert "1 geometries repaired" in " ".join(listing.stdout.split())


def test_quarantine_report_names_step_and_error(failed_run: tuple[Settings, dict, str]) -> None:
    settings, _, _ = failed_run
    report = next((settings.data_dir / "quarantine" / "wrongcrs").iterdir()) / "error.txt"
    lines = dict(line.split(": ", 1) for line in report.read_text().splitlines())
    assert lines["step"] == "build" and lines["error"] == "DataValidationError"
    assert lines["declaration"].endswith("wrongcrs/dataset.yml")
    assert lines["files"] == "wrongcrs.geojson"


def test_unexpected_failure_names_dataset_file_and_cause(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    add_dataset(settings, "kaputt", GOOD, extra="outputs: [gpkg]\n")
    [first] = run_many(load_all(settings.datasets_dir, ["kaputt"]), settings)
    assert first.status == "published"
    before = live_snapshot(settings, "kaputt")

    def broken(ctx: object, frame: object) -> object:
        raise ValueError("boom in normalize")

    monkeypatch.setattr("pipelines.build.normalize", broken)
    [result] = run_many(load_all(settings.datasets_dir, ["kaputt"]), settings, force=True)
    assert result.status == "failed"
    assert result.message == ("kaputt: kaputt.geojson: build failed: ValueError: "
                              "boom in normalize")
    assert result.quarantine is not None and (result.quarantine / "kaputt.geojson").is_file()
    assert live_snapshot(settings, "kaputt") == before
    assert list((settings.data_dir / "staging" / "kaputt").iterdir()) == []
