"""The store's object storage seam against the real Swift (s3api): settings checked at start,
versions uploaded before the switch, the live pointer written last, failures change nothing."""

from __future__ import annotations

import json
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

from opengeodata.cluster.procs import free_port
from opengeodata.errors import PublishError, SettingsError
from opengeodata.manifest import Manifest, OutputFile, sha256_file
from opengeodata.objectstore import connect
from opengeodata.settings import from_environment
from opengeodata.store import Store


def _aws(env: dict[str, str]) -> dict[str, str]:
    return {k: v for k, v in env.items() if k.startswith("AWS_")}


@pytest.mark.parametrize(("change", "variable"), [
    ({"url": "s3://no-such-bucket-here/x"}, "OPENGEODATA_OBJECT_STORE"),
    ({"AWS_ACCESS_KEY_ID": ""}, "AWS_ACCESS_KEY_ID"),
    ({"AWS_SECRET_ACCESS_KEY": ""}, "AWS_SECRET_ACCESS_KEY"),
    ({"AWS_SECRET_ACCESS_KEY": "wrong"}, "AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY"),
    ({"AWS_ENDPOINT_URL": "http://127.0.0.1:{port}"}, "AWS_ENDPOINT_URL"),
    ({"AWS_ENDPOINT_URL": "ftp://127.0.0.1"}, "AWS_ENDPOINT_URL"),
])
def test_bad_settings_name_the_variable(cluster_env: dict[str, str], change: dict[str, str],
                                        variable: str) -> None:
    env = _aws(cluster_env)
    url = change.pop("url", cluster_env["OPENGEODATA_OBJECT_STORE"])
    env.update({k: v.format(port=free_port()) for k, v in change.items()})
    with pytest.raises(SettingsError) as err:
        connect(url, env)
    assert variable in str(err.value)


def test_malformed_url_names_the_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENGEODATA_OBJECT_STORE", "https://bucket/prefix")
    with pytest.raises(SettingsError, match="OPENGEODATA_OBJECT_STORE"):
        from_environment()


def test_serve_fails_at_start_naming_the_variable(cluster_env: dict[str, str],
                                                  tmp_path: Path) -> None:
    env = {**_aws(cluster_env), "PATH": "/usr/bin:/bin", "OPENGEODATA_DATA_DIR": str(tmp_path),
           "OPENGEODATA_OBJECT_STORE": "s3://no-such-bucket-here/published"}
    proc = subprocess.run([sys.executable, "-m", "opengeodata.cli", "serve", "--port",
                           str(free_port())], env=env, capture_output=True, text=True,
                          timeout=60, check=False)
    assert proc.returncode == 1
    assert "OPENGEODATA_OBJECT_STORE" in proc.stdout + proc.stderr
    assert "no-such-bucket-here" in proc.stdout + proc.stderr


def _staging(store: Store, dataset_id: str, text: str) -> tuple[Path, str]:
    """A staging folder with one file and its manifest (what a pipeline run leaves)."""
    staging = store.staging_root / dataset_id / uuid.uuid4().hex
    staging.mkdir(parents=True)
    data = staging / f"{dataset_id}.json"
    data.write_text(json.dumps({"text": text}))
    version = store.new_version_id(dataset_id, f"T{time.time_ns()}", "ab" * 8)
    Manifest(dataset=dataset_id, version=version, created="2026-01-01T00:00:00Z",
             fingerprint=text, pipeline_version="test", declaration_sha256="0", sources=[],
             feature_count=0,
             outputs=[OutputFile(name=data.name, format="json", media_type="application/json",
                                 size=data.stat().st_size, sha256=sha256_file(data))],
             ).write(staging)
    return staging, version


@pytest.fixture
def mirrored(cluster_env: dict[str, str], tmp_path: Path) -> tuple[Store, Store]:
    """A publishing store mirrored to a fresh prefix, and a serving store reading it."""
    url = f"{cluster_env['OPENGEODATA_OBJECT_STORE']}-test-{uuid.uuid4().hex[:8]}"
    objects = connect(url, _aws(cluster_env))
    return (Store(tmp_path / "pub", objects),
            Store(tmp_path / "srv", objects, serving=True))


def test_commit_rollback_prune_are_mirrored(mirrored: tuple[Store, Store]) -> None:
    pub, srv = mirrored
    versions = []
    for text in ("one", "two", "three"):
        staging, version = _staging(pub, "ds", text)
        pub.commit("ds", staging, version)
        versions.append(version)
        assert srv.live_version("ds") == version
        assert srv.live_manifest("ds") == pub.live_manifest("ds")
    blob = srv.blob("ds", versions[-1], "ds.json")
    assert blob.local_path is None and json.loads(blob.read(0, blob.size))["text"] == "three"
    assert srv.versions("ds") == versions
    stamp = srv.live_stamp()
    pub.rollback("ds")
    assert srv.live_version("ds") == versions[1] and srv.live_stamp() != stamp
    pub.switch_live("ds", versions[2])
    assert pub.prune("ds", 1) == versions[:2]
    assert pub.remote is not None and pub.remote.stored_versions("ds") == [versions[2]]
    assert srv.live_ids() == ["ds"]


def test_failed_upload_changes_nothing_live(cluster_env: dict[str, str], mirrored:
                                            tuple[Store, Store], tmp_path: Path) -> None:
    pub, srv = mirrored
    staging, version = _staging(pub, "ds", "one")
    pub.commit("ds", staging, version)
    assert pub.objects is not None
    broken = Store(pub.data_dir, connect("s3://no-such-bucket-here/x", _aws(cluster_env),
                                         check=False))
    staging, newer = _staging(broken, "ds", "two")
    with pytest.raises(PublishError, match="no-such-bucket-here"):
        broken.commit("ds", staging, newer)
    assert pub.live_version("ds") == version and pub.versions("ds") == [version]
    assert srv.live_version("ds") == version


def test_clean_stale_repairs_the_mirror(mirrored: tuple[Store, Store]) -> None:
    """A run that died after the local switch (remote pointer not written) or mid-upload:
    the next run's clean_stale uploads what is missing, points live right, drops partials."""
    pub, srv = mirrored
    local_only = Store(pub.data_dir)
    staging, version = _staging(local_only, "ds", "one")
    local_only.commit("ds", staging, version)
    assert srv.live_version("ds") is None
    assert pub.objects is not None
    pub.objects.put("published/ds/versions/20990101-partial/ds.json", b"{}")
    done = pub.clean_stale("ds")
    assert srv.live_version("ds") == version
    assert any("partial" in d for d in done)
    assert pub.remote is not None and pub.remote.stored_versions("ds") == [version]
