"""`make refresh` and `make serve` build the folders of OPENGEODATA_DATASETS_DIR (issue 13)."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from opengeodata.store import Store
from tests.conftest import DATASETS, ROOT, free_port

MAKE = shutil.which("make")
pytestmark = pytest.mark.skipif(MAKE is None, reason="GNU make is not installed")


@pytest.fixture(scope="module")
def tmp(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One temp folder for both tests (serve finds the refreshed dataset unchanged)."""
    return tmp_path_factory.mktemp("makedirs")


def make_env(tmp_path: Path) -> dict[str, str]:
    """A temp datasets folder with one small dataset (under a name ./datasets lacks)."""
    datasets = tmp_path / "decls"
    if datasets.exists():
        shutil.rmtree(datasets)
    shutil.copytree(DATASETS / "stadtbezirke", datasets / "bezirke")
    decl = datasets / "bezirke" / "dataset.yml"
    decl.write_text(decl.read_text(encoding="utf-8").replace("id: stadtbezirke", "id: bezirke"),
                    encoding="utf-8")
    return {**os.environ, "OPENGEODATA_DATASETS_DIR": f"{datasets}/",
            "OPENGEODATA_DATA_DIR": str(tmp_path / "data"), "OPENGEODATA_BASE_URL": ""}


def make(*args: str) -> list[str]:
    """make in the repository with this interpreter's venv (install is taken as done)."""
    assert MAKE is not None
    venv = Path(sys.executable).parent.parent
    return [MAKE, "--no-print-directory", "-C", str(ROOT), "-o", "install", f"VENV={venv}",
            *args]


def test_make_refresh_builds_the_configured_folders(tmp: Path) -> None:
    env = make_env(tmp)
    done = subprocess.run(make("-n", "refresh"), env=env, capture_output=True, text=True,
                          timeout=60, check=False)
    assert done.returncode == 0, done.stderr
    commands = [line for line in done.stdout.splitlines() if " refresh " in line]
    assert commands == [f"{Path(sys.executable).parent}/opengeodata refresh bezirke"]
    done = subprocess.run(make("refresh"), env=env, capture_output=True, text=True,
                          timeout=300, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    assert Store(tmp / "data").live_manifest("bezirke") is not None


def test_make_serve_serves_the_configured_folders(tmp: Path) -> None:
    env = make_env(tmp)
    port = free_port()
    proc = subprocess.Popen(make("serve", f"PORT={port}"), env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, start_new_session=True)
    try:
        deadline = time.monotonic() + 240
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/collections?f=json",
                                            timeout=5) as resp:
                    doc = json.load(resp)
                break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    out = proc.stdout.read().decode() if proc.stdout else ""
                    pytest.fail(f"make serve did not come up: {out[-2000:]}")
                time.sleep(0.5)
        ids = {c["id"] for c in doc["collections"]}
        assert "bezirke" in ids and "stadtbezirke" not in ids
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=30)
