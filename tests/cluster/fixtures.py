"""The real local cluster (Swift with s3api, PostgreSQL primary + replica, two server replicas,
nginx), started once per session; and clients that read the same versions locally and from
the object store."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask.testing import FlaskClient

from opengeodata.cluster import run
from opengeodata.cluster.procs import free_port
from opengeodata.settings import Settings

#: small bundled datasets: a vector one (downloads, vector tiles) and a raster one (COG)
CLUSTER_DATASETS = ["stadtbezirke", "dop20"]
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def ogd_cluster() -> Iterator[run.ClusterInfo]:
    """The cluster with CLUSTER_DATASETS published; replica 1 reads the PostgreSQL replica,
    replica 2 the primary (so stopping the PostgreSQL replica takes only replica 1 out)."""
    reason = run.missing()
    if reason is not None:
        pytest.skip(f"the cluster cannot run here: {reason}")
    root = Path(tempfile.mkdtemp(prefix="ogd-cluster-", dir="/tmp"))  # traversable by the
    root.chmod(0o755)  # swift, postgres and www-data users
    try:
        info = run.start(root, datasets=CLUSTER_DATASETS, nginx_port=free_port(),
                         reads=("replica", "primary"), fast=True, log=lambda _: None)
        yield info
    finally:
        run.stop(root)
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture(scope="session")
def cluster_env(ogd_cluster: run.ClusterInfo) -> Iterator[dict[str, str]]:
    """The cluster's AWS_* settings in this process's environment (for in-process apps)."""
    saved = {k: os.environ.get(k) for k in ogd_cluster.env if k.startswith("AWS_")}
    os.environ.update({k: v for k, v in ogd_cluster.env.items() if k.startswith("AWS_")})
    try:
        yield ogd_cluster.env
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def app_client(settings: Settings) -> FlaskClient:
    """A test client of the app for ``settings``."""
    from opengeodata.server.app import create_app

    return create_app(settings).test_client()


@pytest.fixture(scope="session")
def local_and_remote(ogd_cluster: run.ClusterInfo, cluster_env: dict[str, str],
                     tmp_path_factory: pytest.TempPathFactory,
                     ) -> tuple[FlaskClient, FlaskClient]:
    """Apps on the same published versions: from the publisher's local files, and from the
    object store only (its data dir holds no published files)."""
    common = {"datasets_dir": ROOT / "datasets", "config_dir": ROOT / "config",
              "base_url": "http://testserver"}
    local = app_client(Settings(data_dir=Path(ogd_cluster.root) / "publisher", **common))
    remote = app_client(Settings(data_dir=tmp_path_factory.mktemp("remote-cache"),
                                 object_store=cluster_env["OPENGEODATA_OBJECT_STORE"], **common))
    return local, remote
