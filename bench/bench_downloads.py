"""Downloads stream in constant memory: a 2 GiB vs a 64 MiB file through the real server.

Serves both (sparse files added to a published dataset's manifest) with ``opengeodata serve``
(gunicorn, 1 worker) and downloads each three times; reports median throughput and the worker's
peak RSS (VmHWM) after each size. Constant memory means the peak RSS ratio 2 GiB / 64 MiB
stays near 1 while the file is 32 times bigger.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from opengeodata.declaration import load_all
from opengeodata.manifest import MANIFEST_NAME, Manifest, OutputFile
from opengeodata.settings import Settings
from opengeodata.store import Store
from pipelines.runner import run_many

ROOT = Path(__file__).resolve().parent.parent
SIZES = {"64MiB": 64 * 1024**2, "2GiB": 2 * 1024**3}


def _port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _children(pid: int) -> list[int]:
    try:
        text = Path(f"/proc/{pid}/task/{pid}/children").read_text()
    except OSError:
        return []
    return [int(p) for p in text.split()]


def _hwm_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


def _download(url: str) -> tuple[float, int]:
    start = time.perf_counter()
    total = 0
    with urllib.request.urlopen(url, timeout=600) as resp:
        while chunk := resp.read(1 << 20):
            total += len(chunk)
    return time.perf_counter() - start, total


def run(workdir: Path) -> dict[str, object]:
    """Publish stadtbezirke, add two sparse files, serve, download, measure."""
    shutil.copytree(ROOT / "datasets" / "stadtbezirke", workdir / "datasets" / "stadtbezirke")
    settings = Settings(data_dir=workdir / "data", datasets_dir=workdir / "datasets",
                        config_dir=ROOT / "config").resolved()
    run_many(load_all(settings.datasets_dir), settings)
    store = Store(settings.data_dir)
    live = store.live_dir("stadtbezirke")
    assert live is not None
    manifest = Manifest.read(live)
    for label, size in SIZES.items():
        with (live / f"big_{label}.bin").open("wb") as fh:
            fh.truncate(size)
        manifest.outputs.append(OutputFile(
            name=f"big_{label}.bin", format="bin", media_type="application/octet-stream",
            size=size, sha256="0" * 64))
    (live / MANIFEST_NAME).write_text(json.dumps(manifest.model_dump(mode="json")))

    port = _port()
    env = {**os.environ, "OPENGEODATA_DATA_DIR": str(settings.data_dir),
           "OPENGEODATA_DATASETS_DIR": str(settings.datasets_dir),
           "OPENGEODATA_CONFIG_DIR": str(settings.config_dir), "OPENGEODATA_BASE_URL": ""}
    proc = subprocess.Popen(
        [sys.executable, "-m", "opengeodata.cli", "serve", "--port", str(port), "--workers", "1"],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    result: dict[str, object] = {}
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(f"{base}/collections?f=json", timeout=2).close()
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise RuntimeError("server did not start") from None
                time.sleep(0.3)
        workers = _children(proc.pid)
        baseline = max(_hwm_mib(w) for w in workers)
        result["worker_peak_rss_mib_before"] = round(baseline, 1)
        peaks: dict[str, float] = {}
        for label, size in SIZES.items():
            times = []
            for _ in range(3):
                seconds, total = _download(f"{base}/downloads/stadtbezirke/big_{label}.bin")
                assert total == size, (label, total)
                times.append(seconds)
            median = statistics.median(times)
            result[f"{label}_median_seconds"] = round(median, 3)
            result[f"{label}_median_mib_per_s"] = round(size / 1024**2 / median, 1)
            peaks[label] = max(_hwm_mib(w) for w in workers)
            result[f"{label}_worker_peak_rss_mib"] = round(peaks[label], 1)
        result["peak_rss_ratio_2GiB_vs_64MiB"] = round(peaks["2GiB"] / peaks["64MiB"], 3)
        result["file_size_ratio"] = SIZES["2GiB"] // SIZES["64MiB"]
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    return result
