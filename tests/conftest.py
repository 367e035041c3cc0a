"""Shared fixtures: temporary data dirs, copied declarations, a published sample, a live server."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import geopandas as gpd
import pytest
from flask.testing import FlaskClient

from opengeodata.settings import Settings
from tests.cluster.fixtures import cluster_env, local_and_remote, ogd_cluster  # noqa: F401
from tests.postgis.fixtures import pg_cluster  # noqa: F401  (session fixture)

ROOT = Path(__file__).resolve().parent.parent
DATASETS = ROOT / "datasets"
SHARED_DATA = ROOT.parent / "shared" / "data"


def make_settings(tmp: Path, datasets: list[str] | None = None) -> Settings:
    """Settings with a temp data dir and a temp copy of the named (default: all) datasets."""
    ds_dir = tmp / "datasets"
    ds_dir.mkdir(parents=True, exist_ok=True)
    for src in sorted(DATASETS.iterdir()):
        if src.is_dir() and (datasets is None or src.name in datasets):
            shutil.copytree(src, ds_dir / src.name, dirs_exist_ok=True)
    return Settings(
        data_dir=tmp / "data", datasets_dir=ds_dir, config_dir=ROOT / "config",
        base_url="http://testserver",
    ).resolved()


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    """Settings over a temp copy of `stadtbezirke` only."""
    return make_settings(tmp_path, ["stadtbezirke"])


@pytest.fixture(scope="session")
def published(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """`stadtbezirke` refreshed once into a session-wide temp data dir."""
    from opengeodata.declaration import load_all
    from pipelines.runner import run_many

    settings = make_settings(tmp_path_factory.mktemp("published"), ["stadtbezirke"])
    results = run_many(load_all(settings.datasets_dir), settings)
    assert [r.status for r in results] == ["published"], results
    return settings


def free_port() -> int:
    """A free TCP port on 127.0.0.1."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def serving(settings: Settings, workers: int = 2,
            env: dict[str, str] | None = None) -> Iterator[str]:
    """Run `opengeodata serve` (gunicorn) over ``settings`` on a free port; yield its base URL.

    ``env``: more environment variables for the server (e.g. ``GUNICORN_CMD_ARGS``)."""
    port = free_port()
    env = {
        **os.environ,
        "OPENGEODATA_DATA_DIR": str(settings.data_dir),
        "OPENGEODATA_DATASETS_DIR": str(settings.datasets_dir),
        "OPENGEODATA_CONFIG_DIR": str(settings.config_dir),
        "OPENGEODATA_BASE_URL": "",
        **(env or {}),
    }
    proc = subprocess.Popen(
        [sys.executable, "-m", "opengeodata.cli", "serve", "--port", str(port),
         "--workers", str(workers)],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"{url}/collections?f=json", timeout=2):
                    break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("server did not start") from None
                time.sleep(0.3)
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=20)


@pytest.fixture(scope="session")
def live_server(published: Settings) -> Iterator[str]:
    """`opengeodata serve` (gunicorn, 2 workers) on a free port; yields the base URL."""
    with serving(published) as url:
        yield url


@pytest.fixture(scope="session")
def everything(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """Every bundled dataset refreshed from its sample once per session."""
    from tests.pipelines.publish.util import publish_all

    return publish_all(make_settings(tmp_path_factory.mktemp("everything")))


@pytest.fixture(scope="session")
def everything_server(everything: Settings) -> Iterator[str]:
    """`opengeodata serve` (gunicorn) over every bundled dataset; yields the base URL."""
    with serving(everything) as url:
        yield url


@pytest.fixture(scope="session")
def parcels_settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """2,500 generated parcels published as dataset `parcels` (features tests)."""
    from bench.parcels import publish_parcels

    return publish_parcels(tmp_path_factory.mktemp("parcels"), 2500)


@pytest.fixture(scope="session")
def parcels_client(parcels_settings: Settings) -> FlaskClient:
    """A Flask test client over the generated parcels."""
    from opengeodata.server import create_app

    return create_app(parcels_settings).test_client()


@pytest.fixture(scope="session")
def parcels_gpkg(parcels_settings: Settings) -> gpd.GeoDataFrame:
    """The published parcels GeoPackage as a GeoDataFrame (the reference for API answers)."""
    import pyogrio

    from opengeodata.store import Store

    live = Store(parcels_settings.data_dir).live_dir("parcels")
    assert live is not None
    return pyogrio.read_dataframe(live / "parcels.gpkg")


@pytest.fixture(scope="session")
def parcels_server(parcels_settings: Settings) -> Iterator[str]:
    """`opengeodata serve` (gunicorn, 2 workers) over the generated parcels; the base URL."""
    with serving(parcels_settings) as url:
        yield url


@pytest.fixture(scope="session")
def web_site(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """Districts plus a hostile point dataset, both published with PMTiles (web catalogue tests)."""
    from tests.server.web.support import build_site

    return build_site(tmp_path_factory.mktemp("web"))


@pytest.fixture(scope="session")
def hardening_settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """`stadtbezirke` and the `dop20` orthophoto published (hostile-client tests)."""
    from tests.pipelines.publish.util import publish_all

    return publish_all(make_settings(tmp_path_factory.mktemp("hardening"),
                                     ["stadtbezirke", "dop20"]))


@pytest.fixture(scope="session")
def hardening_server(hardening_settings: Settings) -> Iterator[str]:
    """`opengeodata serve` over `hardening_settings` (default serve settings); the base URL."""
    with serving(hardening_settings) as url:
        yield url
