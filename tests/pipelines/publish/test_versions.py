"""Versions, rollback, pruning, incremental skips, locks and crash leftovers."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

import pipelines.extract as extract_module
from opengeodata.declaration import load_all
from opengeodata.errors import DatasetBusyError
from opengeodata.manifest import Manifest, sha256_file
from opengeodata.settings import Settings
from opengeodata.store import Store
from pipelines.lock import dataset_lock
from pipelines.runner import run_dataset, run_many
from tests.conftest import ROOT
from tests.pipelines.publish.util import add_dataset, cli, cli_env, live_snapshot, polygons

OUTPUTS = "outputs: [gpkg, csv]\n"


def _publish(settings: Settings, dataset_id: str = "flaechen", force: bool = False) -> str:
    [result] = run_many(load_all(settings.datasets_dir, [dataset_id]), settings, force=force)
    assert result.status in ("published", "unchanged"), result.message
    assert result.version is not None
    return result.version


def _three_versions(settings: Settings) -> list[str]:
    sample = add_dataset(settings, "flaechen", polygons(3), extra=OUTPUTS + "keep_versions: 3\n")
    made = [_publish(settings)]
    for n in (4, 5):
        sample.write_text(polygons(n))
        made.append(_publish(settings))
    return made


def test_keep_versions_prunes_oldest(settings: Settings) -> None:
    made = _three_versions(settings)
    store = Store(settings.data_dir)
    assert store.versions("flaechen") == made
    sample = settings.datasets_dir / "flaechen" / "sample" / "flaechen.geojson"
    sample.write_text(polygons(6))
    newest = _publish(settings)
    assert store.versions("flaechen") == [*made[1:], newest]
    assert store.live_version("flaechen") == newest
    assert not list(store.dataset_dir("flaechen").glob(".trash-*"))


def test_versions_and_rollback_cli(settings: Settings) -> None:
    made = _three_versions(settings)
    store = Store(settings.data_dir)
    listing = cli(settings, "versions", "flaechen")
    assert listing.returncode == 0, listing.stderr
    lines = [line for line in listing.stdout.splitlines() if "flaechen" not in line]
    assert all(v in listing.stdout for v in made)
    assert any("*" in line and made[-1] in line for line in lines)

    back = cli(settings, "rollback", "flaechen")
    assert back.returncode == 0, back.stderr
    assert store.live_version("flaechen") == made[1]
    live = store.live_dir("flaechen")
    assert live is not None
    manifest = Manifest.read(live)
    assert manifest.feature_count == 4
    for out in manifest.outputs:
        assert sha256_file(live / out.name) == out.sha256

    named = cli(settings, "rollback", "flaechen", made[0])
    assert named.returncode == 0, named.stderr
    assert store.live_version("flaechen") == made[0]
    oldest = cli(settings, "rollback", "flaechen")
    assert oldest.returncode == 1 and "nothing to roll back to" in oldest.stderr
    unknown = cli(settings, "rollback", "flaechen", "19990101T000000.000Z-deadbeef")
    assert unknown.returncode == 1 and "has no version" in unknown.stderr
    assert store.live_version("flaechen") == made[0]
    # a rollback sticks: the next refresh of the same sources changes nothing ...
    [again] = run_many(load_all(settings.datasets_dir, ["flaechen"]), settings)
    assert again.status == "unchanged" and again.version == made[0]
    assert "rolled back" in again.message
    # ... until the sources change or --force
    assert _publish(settings, force=True) not in made
    assert Manifest.read(store.live_dir("flaechen")).feature_count == 5  # type: ignore[arg-type]


def test_rollback_refuses_an_incomplete_version(settings: Settings) -> None:
    made = _three_versions(settings)
    store = Store(settings.data_dir)
    (store.dataset_dir("flaechen") / "versions" / made[1] / "flaechen.csv").unlink()
    result = cli(settings, "rollback", "flaechen")
    assert result.returncode == 1 and "incomplete" in result.stderr
    assert store.live_version("flaechen") == made[2]


def test_unchanged_sources_are_not_hashed_again(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    sample = add_dataset(settings, "flaechen", polygons(3), extra=OUTPUTS)
    first = _publish(settings)
    calls: list[str] = []
    real = extract_module.sha256_file

    def counting(path: os.PathLike[str]) -> str:
        calls.append(os.fspath(path))
        return real(path)  # type: ignore[arg-type]

    monkeypatch.setattr(extract_module, "sha256_file", counting)
    [again] = run_many(load_all(settings.datasets_dir, ["flaechen"]), settings)
    assert again.status == "unchanged" and again.version == first and calls == []
    os.utime(sample, ns=(time.time_ns(), time.time_ns() + 10**9))  # touched, same content
    [touched] = run_many(load_all(settings.datasets_dir, ["flaechen"]), settings)
    assert touched.status == "unchanged" and calls == [str(sample.resolve())]
    sample.write_text(polygons(4))
    [changed] = run_many(load_all(settings.datasets_dir, ["flaechen"]), settings)
    assert changed.status == "published" and changed.version != first


def test_noop_refresh_does_not_import_the_geodata_stack(settings: Settings) -> None:
    assert cli(settings, "refresh").returncode == 0
    env = cli_env(settings)
    code = ("import sys\nfrom opengeodata.cli import main\n"
            "try:\n    main(['refresh'])\nexcept SystemExit:\n    pass\n"
            "print('geopandas' in sys.modules, 'pyogrio' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env)
    assert "unchanged" in out.stderr
    assert out.stdout.split() == ["False", "False"]


def test_second_refresh_of_same_dataset_waits_or_says_running(settings: Settings) -> None:
    add_dataset(settings, "flaechen", polygons(3), extra=OUTPUTS)
    with dataset_lock(settings.data_dir, "flaechen"):
        busy = cli(settings, "refresh", "flaechen", "--no-wait")
        assert busy.returncode == 1
        assert "a refresh of this dataset is running" in busy.stderr
        with pytest.raises(DatasetBusyError):
            run_dataset(load_all(settings.datasets_dir, ["flaechen"])[0], settings, wait=False)
        env = cli_env(settings)
        waiting = subprocess.Popen(
            [sys.executable, "-m", "opengeodata.cli", "refresh", "flaechen"],
            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        # release the lock only once the child says it waits for it: under load its start
        # alone can take longer than any fixed sleep (it then found the lock free: flaky)
        err = _Stderr(waiting)
        assert err.saw("waiting", timeout=120), f"no 'waiting' on stderr: {err.text}"
        assert waiting.poll() is None, "the second refresh must wait for the lock"
        assert Store(settings.data_dir).live_dir("flaechen") is None
    assert waiting.wait(timeout=60) == 0, err.text
    err.reader.join(timeout=10)
    assert "waiting" in err.text and "published" in err.text


class _Stderr:
    """A child's stderr, read to its end by a thread; :meth:`saw` waits for a text."""

    def __init__(self, proc: subprocess.Popen[str]) -> None:
        self.lines: list[str] = []
        self.changed = threading.Condition()
        self.reader = threading.Thread(target=self._read, args=(proc,), daemon=True)
        self.reader.start()

    @property
    def text(self) -> str:
        return "".join(self.lines)

    def _read(self, proc: subprocess.Popen[str]) -> None:
        assert proc.stderr is not None
        for line in iter(proc.stderr.readline, ""):
            with self.changed:
                self.lines.append(line)
                self.changed.notify_all()
        with self.changed:
            self.lines.append("")  # end of output
            self.changed.notify_all()

    def saw(self, text: str, timeout: float) -> bool:
        """Whether ``text`` appears before the output ends or ``timeout`` seconds pass."""
        with self.changed:
            return self.changed.wait_for(
                lambda: text in self.text or (bool(self.lines) and self.lines[-1] == "")
                or not self.reader.is_alive(), timeout) and text in self.text


def test_next_run_cleans_crash_leftovers(settings: Settings) -> None:
    add_dataset(settings, "flaechen", polygons(3), extra=OUTPUTS)
    first = _publish(settings)
    store = Store(settings.data_dir)
    before = live_snapshot(settings, "flaechen")
    folder = store.dataset_dir("flaechen")
    # a crash after moving a version into place but before the live switch
    orphan = folder / "versions" / "20991231T235959.000Z-0badc0de"
    orphan.mkdir()
    (orphan / "manifest.json").write_text((folder / "versions" / first / "manifest.json")
                                          .read_text())
    (folder / ".pending-20991231T235959.000Z-0badc0de").touch()
    (folder / ".trash-old.12345678").mkdir()
    os.symlink("versions/x", folder / ".live.deadbeef")
    stale = settings.data_dir / "staging" / "flaechen" / "abc"
    stale.mkdir(parents=True)
    (stale / "half.gpkg").write_bytes(b"half")
    part = settings.data_dir / "sources" / "flaechen" / ".flaechen.geojson.part"
    part.write_text("half")
    [result] = run_many(load_all(settings.datasets_dir, ["flaechen"]), settings)
    assert result.status == "unchanged"
    assert store.versions("flaechen") == [first]
    assert sorted(p.name for p in folder.iterdir()) == ["live", "versions"]
    assert list((settings.data_dir / "staging" / "flaechen").iterdir()) == []
    assert not part.exists()
    assert live_snapshot(settings, "flaechen") == before


def test_make_refresh_has_one_target_per_dataset(tmp_path: Path) -> None:
    root = ROOT
    ids = sorted(p.parent.name for p in (root / "datasets").glob("*/dataset.yml"))
    every = subprocess.run(["make", "-n", "-C", str(root), "refresh", "VENV=" + str(tmp_path)],
                           capture_output=True, text=True)
    assert every.returncode == 0, every.stderr
    commands = [ln for ln in every.stdout.splitlines() if "opengeodata refresh" in ln]
    assert sorted(ln.split()[-1] for ln in commands) == ids
    one = subprocess.run(["make", "-n", "-C", str(root), "refresh", f"DATASET={ids[0]}",
                          "VENV=" + str(tmp_path)], capture_output=True, text=True)
    assert [ln for ln in one.stdout.splitlines() if "opengeodata refresh" in ln] == [
        f"{tmp_path}/bin/opengeodata refresh {ids[0]}"]
